// check-devtools.mjs: loads Interleave's Chrome exports into Chrome DevTools' own trace model
// SPDX-License-Identifier: GPL-3.0-or-later
// (@paulirish/trace_engine, the code of the Performance panel) and checks every track against the
// trace v1 file it came from: same event count, nothing left out of the tree the panel draws,
// nothing nested, the same summed duration and the same start.
//
// Usage: node check-devtools.mjs TRACE_V1.json CHROME.json [TRACE_V1.json CHROME.json ...]
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

async function check(v1Path, chromePath) {
  const v1 = JSON.parse(fs.readFileSync(v1Path, 'utf8'));
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
