// check-devtools.mjs: loads Interleave's Chrome exports into Chrome DevTools' own trace model
// SPDX-License-Identifier: GPL-3.0-or-later
// (@paulirish/trace_engine, the code of the Performance panel) and checks every track against the
// trace v1 file it came from: same event count, nothing left out of the tree the panel draws,
// nothing nested, the same summed duration and the same start.
//
// An imported Chrome trace's export is checked against the file it came from instead: per thread,
// the same slice count in the model and its tree, each slice's name, start and duration (within
// 1 µs), and the tree as deep as the file's nesting.
//
// Usage: node check-devtools.mjs ORIGINAL CHROME.json [ORIGINAL CHROME.json ...]
// ORIGINAL is the trace v1 file of a run or the Chrome trace an imported run came from.
// Prints one line per file and exits 1 on the first file with a difference.

// Node 18 (Debian 12) lacks URL.parse, which the trace model calls once on a page URL.
URL.parse ??= (url, base) => {
  try {
    return new URL(url, base);
  } catch {
    return null;
  }
};
globalThis.DOMRect ??= class DOMRect {
  constructor(x = 0, y = 0, width = 0, height = 0) {
    Object.assign(this, {x, y, width, height});
  }
};

import fs from 'node:fs';
import path from 'node:path';

const Trace = await import('@paulirish/trace_engine/models/trace/trace.js');
const {expectedTracks, trackKey, checkPairs} = await import('./v1-tracks.mjs');
const {readOriginal, fileThreads, matchThreads, pairOrder} = await import('./chrome-slices.mjs');

// An imported file's export: each thread of the file on its own thread of DevTools' model, with
// every slice in the tree the panel draws and as many levels as the file nests.
async function checkImported(originalPath, chromePath, original) {
  const events = JSON.parse(fs.readFileSync(chromePath, 'utf8')).traceEvents;
  const model = Trace.TraceModel.Model.createWithAllHandlers();
  await model.parse(events);
  const data = model.parsedTrace().data;
  const where = path.basename(chromePath);
  const problems = [];
  const want = fileThreads(original.events);
  const threads = new Map();
  for (const [pid, proc] of data.Renderer.processes)
    for (const [tid, thread] of proc.threads)
      threads.set(`${pid}/${tid}`, thread);
  // Per thread [slices, depth] as python3 counted them from the original (run-imported.sh).
  const python = process.env.IL_PYTHON_COUNTS ? JSON.parse(fs.readFileSync(process.env.IL_PYTHON_COUNTS, 'utf8')) : null;
  let inModel = 0, inTree = 0, deepest = 0, matched = 0, pythonDiffers = false;
  if (python && Object.keys(python).length !== want.size)
    problems.push(`${where}: python3 counts ${Object.keys(python).length} threads in the file, DevTools' check ${want.size}`);
  for (const [id, exportId] of matchThreads(want, events, where, problems)) {
    const w = want.get(id);
    const thread = threads.get(exportId);
    if (!thread) {
      problems.push(`${where}: thread ${id} of the file (${w.slices.length} slices) missing from DevTools' model`);
      continue;
    }
    let nodes = 0, depth = 0;
    const walk = (node, d) => {
      nodes++;
      depth = Math.max(depth, d);
      for (const child of node.children)
        walk(child, d + 1);
    };
    for (const root of thread.tree?.roots ?? [])
      walk(root, 1);
    inModel += thread.entries.length;
    inTree += nodes;
    deepest = Math.max(deepest, depth);
    if (thread.entries.length !== w.slices.length)
      problems.push(`${where}: thread ${id}: ${thread.entries.length} slices in DevTools' model, the file has ${w.slices.length}`);
    if (nodes !== w.slices.length)
      problems.push(`${where}: thread ${id}: ${nodes} slices in DevTools' tree, the file has ${w.slices.length}`);
    if (depth !== w.maxDepth)
      problems.push(`${where}: thread ${id}: DevTools' tree is ${depth} levels deep, the file's nesting ${w.maxDepth}`);
    const [pySlices, pyDepth] = python?.[id] ?? [nodes, depth];
    pythonDiffers ||= thread.entries.length !== pySlices || nodes !== pySlices || depth !== pyDepth;
    if (python && (thread.entries.length !== pySlices || nodes !== pySlices || depth !== pyDepth))
      problems.push(`${where}: thread ${id}: DevTools has ${thread.entries.length} slices (${nodes} in its tree), ` +
                    `${depth} levels; python3 counts ${pySlices} slices, ${pyDepth} levels in the file`);
    // Slice by slice, paired by name and start (pairOrder): name, start and duration within 1 µs.
    const got = thread.entries.map((e) => ({name: e.name, ts: e.ts, dur: e.dur ?? 0})).sort(pairOrder);
    const wanted = w.slices.map((s) => ({name: s.name, ts: s.ts, dur: s.dur})).sort(pairOrder);
    let bad = 0;
    for (let i = 0; i < Math.min(got.length, wanted.length); i++) {
      const g = got[i], f = wanted[i];
      if (g.name !== f.name || Math.abs(g.ts - f.ts) > 1 || Math.abs(g.dur - f.dur) > 1) {
        if (bad++ < 3)
          problems.push(`${where}: thread ${id}: slice ${i} is “${g.name}” at ${g.ts} µs for ${g.dur} µs, ` +
                        `the file has “${f.name}” at ${f.ts} for ${f.dur}`);
      } else {
        matched++;
      }
    }
    if (bad > 0)
      problems.push(`${where}: thread ${id}: ${bad} slices differ`);
  }
  let inFile = 0, fileDepth = 0;
  for (const w of want.values()) {
    inFile += w.slices.length;
    fileDepth = Math.max(fileDepth, w.maxDepth);
  }
  console.log(`${where}: imported from ${path.basename(originalPath)}: ${want.size} threads, ${inFile} slices, ` +
              `${fileDepth} levels deep in the file; DevTools: ${inModel} in its model, ${inTree} in its tree, ` +
              `${matched} matched with name, start and duration, ${deepest} levels deep` +
              (python && !pythonDiffers ? ' (python3 counts agree)' : ''));
  return problems;
}

async function check(v1Path, chromePath) {
  const original = readOriginal(v1Path);
  if (!original.v1)
    return checkImported(v1Path, chromePath, original);
  const v1 = original.v1;
  const chrome = JSON.parse(fs.readFileSync(chromePath, 'utf8'));
  const events = chrome.traceEvents ?? chrome;
  const model = Trace.TraceModel.Model.createWithAllHandlers();
  await model.parse(events);
  const data = model.parsedTrace().data;
  const expected = expectedTracks(v1);
  const problems = [];
  let inFile = 0, inModel = 0, inTree = 0, nested = 0;

  for (const e of events)
    inFile += e.ph === 'X' ? 1 : 0;

  const seen = new Set();
  for (const [pid, proc] of data.Renderer.processes) {
    for (const [tid, thread] of proc.threads) {
      if (thread.entries.length === 0)
        continue;
      const key = trackKey(thread.entries[0]);
      const want = expected.get(key);
      const where = `${path.basename(chromePath)}: ${key} (pid ${pid}, tid ${tid}, “${thread.name}”)`;
      let nodes = 0, deep = 0, sumUs = 0, firstUs = Infinity;
      const walk = (node, depth) => {
        nodes++;
        if (depth > 0)
          deep++;
        for (const child of node.children)
          walk(child, depth + 1);
      };
      for (const root of thread.tree?.roots ?? [])
        walk(root, 0);
      for (const e of thread.entries) {
        if (trackKey(e) !== key)
          problems.push(`${where}: holds an event of ${trackKey(e)}`);
        sumUs += e.dur ?? 0;
        firstUs = Math.min(firstUs, e.ts);
      }
      inModel += thread.entries.length;
      inTree += nodes;
      nested += deep;
      seen.add(key);
      if (!want) {
        problems.push(`${where}: no such track in the trace v1 file`);
        continue;
      }
      if (thread.entries.length !== want.count)
        problems.push(`${where}: ${thread.entries.length} events, the trace has ${want.count}`);
      if (nodes !== thread.entries.length)
        problems.push(`${where}: ${thread.entries.length - nodes} events left out of the tree`);
      if (deep !== 0)
        problems.push(`${where}: ${deep} events nested inside others`);
      // Durations in µs as doubles; allow a nanosecond per event for the decimal conversions.
      const wantSumUs = Number(want.sumNs) / 1000;
      if (Math.abs(sumUs - wantSumUs) > 1e-3 * want.count + 1e-9 * wantSumUs)
        problems.push(`${where}: summed duration ${sumUs} µs, the trace has ${wantSumUs} µs`);
      const wantFirstUs = Number(want.firstNs) / 1000;
      if (Math.abs(firstUs - wantFirstUs) > 1e-3 + 1e-15 * Math.abs(wantFirstUs))
        problems.push(`${where}: starts at ${firstUs} µs, the trace at ${wantFirstUs} µs`);
    }
  }
  for (const key of expected.keys())
    if (!seen.has(key))
      problems.push(`${path.basename(chromePath)}: ${key}: missing from DevTools' model`);

  // The window DevTools opens on must hold the whole run (no event left before its start).
  let firstNs = null, lastNs = null;
  for (const t of expected.values())
    if (firstNs === null || t.firstNs < firstNs)
      firstNs = t.firstNs;
  for (const e of events)
    if (e.ph === 'X')
      lastNs = Math.max(lastNs ?? -Infinity, e.ts + e.dur);
  const bounds = data.Meta.traceBounds;
  if (firstNs !== null && bounds.min > Number(firstNs) / 1000 + 1e-3)
    problems.push(`${path.basename(chromePath)}: DevTools' window starts at ${bounds.min} µs, after the first event at ${Number(firstNs) / 1000} µs`);
  if (lastNs !== null && bounds.max < lastNs - 1e-3)
    problems.push(`${path.basename(chromePath)}: DevTools' window ends at ${bounds.max} µs, before the last event ends at ${lastNs} µs`);

  console.log(`${path.basename(chromePath)}: ${expected.size} tracks, ${inFile} events in the file, ` +
              `${inModel} in DevTools' model, ${inTree} in its tree, ${nested} nested`);
  return problems;
}

await checkPairs(process.argv.slice(2), 'check-devtools.mjs', check);
