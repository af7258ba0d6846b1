// check-tracerbench.mjs: loads Interleave's Chrome exports into tracerbench's trace model and checks them
// SPDX-License-Identifier: GPL-3.0-or-later
// (@tracerbench/trace-model's buildModel, what @tracerbench/core's analysis reads) against the
// files they came from: every process and thread of the file there under its name (tracerbench
// files process metadata under its tid and shows an empty thread unless that is 0), every slice
// (X event) on its own thread with its start and duration within 1 µs, nothing dropped (tracerbench
// leaves out events of pid 0 or tid 0 altogether), and the nesting it builds: none for a run's
// tracks, the file's own for an imported one.
//
// Usage: node check-tracerbench.mjs ORIGINAL CHROME.json [ORIGINAL CHROME.json ...]
// ORIGINAL is the trace v1 file of a run or the Chrome trace an imported run came from.
// Prints one line per file and exits 1 when any file had a difference.

import fs from 'node:fs';
import path from 'node:path';
import {createRequire} from 'node:module';

const {buildModel} = createRequire(import.meta.url)('@tracerbench/trace-model');
const {expectedTracks, trackKey, checkPairs} = await import('./v1-tracks.mjs');
const {readOriginal, fileThreads, matchThreads, pairOrder} = await import('./chrome-slices.mjs');

const US = 1; // “within 1 µs”

// Names the file gives its processes and threads, and its X events by their index in the file.
function fileNames(events) {
  const processes = new Map(), threads = new Map();
  for (const e of events) {
    if (e.ph !== 'M')
      continue;
    if (e.name === 'process_name')
      processes.set(e.pid, e.args?.name);
    else if (e.name === 'thread_name')
      threads.set(`${e.pid}/${e.tid}`, e.args?.name);
  }
  return {processes, threads};
}

// What every consumer-independent check says about tracerbench's model of @events: each X event
// of the file found once, on its thread, start and duration within 1 µs; names as the file has them.
function checkModel(model, events, where, problems) {
  const {processes, threads} = fileNames(events);
  const found = new Array(events.length).fill(false);
  let slices = 0;
  const modelProcesses = new Map(model.processes.map((p) => [p.id, p]));
  for (const [pid, name] of processes) {
    const p = modelProcesses.get(pid);
    if (!p)
      problems.push(`${where}: process ${pid} “${name}” missing from tracerbench's model`);
    else if (p.name !== name)
      problems.push(`${where}: process ${pid} is “${p.name}” in tracerbench, “${name}” in the file`);
  }
  for (const [id, name] of threads) {
    const [pid, tid] = id.split('/').map(Number);
    const t = modelProcesses.get(pid)?.threads.find((th) => th.id === tid);
    if (!t)
      problems.push(`${where}: thread ${id} “${name}” missing from tracerbench's model`);
    else if (t.name !== name)
      problems.push(`${where}: thread ${id} is “${t.name}” in tracerbench, “${name}” in the file`);
  }
  for (const p of model.processes) {
    for (const t of p.threads) {
      // A thread the file never named (process metadata filed under a tid other than 0 makes one).
      if (!threads.has(`${p.id}/${t.id}`))
        problems.push(`${where}: tracerbench shows thread ${p.id}/${t.id} “${t.name}”, which the file does not name`);
      for (const m of t.events) {
        if (!m.isComplete())
          continue;
        const e = events[m.ord];
        if (e?.ph !== 'X') {
          problems.push(`${where}: ${p.id}/${t.id}: a slice “${m.name}” that is no X event of the file`);
          continue;
        }
        slices++;
        if (found[m.ord])
          problems.push(`${where}: “${e.name}” (event ${m.ord}) twice in tracerbench's model`);
        found[m.ord] = true;
        if (e.pid !== p.id || e.tid !== t.id)
          problems.push(`${where}: “${e.name}” of ${e.pid}/${e.tid} on thread ${p.id}/${t.id}`);
        if (Math.abs(m.start - e.ts) > US || Math.abs(m.duration - e.dur) > US)
          problems.push(`${where}: “${e.name}” at ${m.start} µs for ${m.duration} µs, the file says ${e.ts} for ${e.dur}`);
      }
    }
  }
  let dropped = 0;
  events.forEach((e, i) => {
    if (e.ph === 'X' && !found[i] && dropped++ < 5)
      problems.push(`${where}: “${e.name}” of ${e.pid}/${e.tid} at ${e.ts} µs dropped by tracerbench`);
  });
  if (dropped > 0)
    problems.push(`${where}: ${dropped} slices dropped by tracerbench`);
  return {slices, dropped, processes: processes.size, threads: threads.size};
}

// How deep tracerbench nests slice @m: its parents that are open where it starts. tracerbench takes
// as parent the last slice whose end is not before this one's end, so a zero-length slice at the
// very end of a slice before it (clang writes many) gets that one as "parent"; that is its closed
// interval rule for an instant, not a slice of the file nested wrongly, and is not counted.
function depthOf(m) {
  let d = 0;
  for (let p = m.parent; p; p = p.parent)
    d += p.end > m.start ? 1 : 0;
  return d;
}

async function check(originalPath, chromePath) {
  const original = readOriginal(originalPath);
  const events = JSON.parse(fs.readFileSync(chromePath, 'utf8')).traceEvents;
  const model = buildModel({traceEvents: events});
  const where = path.basename(chromePath);
  const problems = [];
  const counts = checkModel(model, events, where, problems);
  const byThread = new Map();
  for (const p of model.processes)
    for (const t of p.threads)
      byThread.set(`${p.id}/${t.id}`, t.events.filter((m) => m.isComplete()));

  if (original.v1) {
    // A run: its tracks as in the trace v1 file, never nested.
    const expected = expectedTracks(original.v1);
    const seen = new Map();
    let nested = 0, matched = 0;
    for (const list of byThread.values()) {
      for (const m of list) {
        const key = trackKey(m.traceEvent);
        const s = seen.get(key) ?? {count: 0, sumUs: 0, firstUs: Infinity, slices: []};
        s.slices.push(m);
        s.count++;
        s.sumUs += m.duration;
        s.firstUs = Math.min(s.firstUs, m.start);
        seen.set(key, s);
        if (depthOf(m) > 0 && nested++ < 5)
          problems.push(`${where}: ${key}: “${m.name}” at ${m.start} µs nested in “${m.parent.name}”`);
      }
    }
    for (const [key, want] of expected) {
      const s = seen.get(key);
      if (!s) {
        problems.push(`${where}: ${key}: missing from tracerbench's model`);
        continue;
      }
      if (s.count !== want.count)
        problems.push(`${where}: ${key}: ${s.count} slices, the trace has ${want.count}`);
      const wantSumUs = Number(want.sumNs) / 1000;
      if (Math.abs(s.sumUs - wantSumUs) > 1e-3 * want.count + 1e-9 * wantSumUs)
        problems.push(`${where}: ${key}: summed duration ${s.sumUs} µs, the trace has ${wantSumUs} µs`);
      const wantFirstUs = Number(want.firstNs) / 1000;
      if (Math.abs(s.firstUs - wantFirstUs) > 1e-3 + 1e-15 * Math.abs(wantFirstUs))
        problems.push(`${where}: ${key}: starts at ${s.firstUs} µs, the trace at ${wantFirstUs} µs`);
      // Span by span in order of start: start and duration within 1 µs of the trace's nanoseconds.
      const spans = [...want.spans].sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
      const got = [...s.slices].sort((a, b) => a.start - b.start);
      let bad = 0;
      for (let i = 0; i < Math.min(spans.length, got.length); i++) {
        const startUs = Number(spans[i].startNs) / 1000;
        const durUs = Number(spans[i].endNs - spans[i].startNs) / 1000;
        if (Math.abs(got[i].start - startUs) > US || Math.abs(got[i].duration - durUs) > US) {
          if (bad++ < 3)
            problems.push(`${where}: ${key}: slice ${i} at ${got[i].start} µs for ${got[i].duration} µs, ` +
                          `the trace has ${startUs} for ${durUs}`);
        } else {
          matched++;
        }
      }
      if (bad > 0)
        problems.push(`${where}: ${key}: ${bad} slices shifted or resized`);
    }
    for (const key of seen.keys())
      if (!expected.has(key))
        problems.push(`${where}: ${key}: no such track in the trace v1 file`);
    console.log(`${where}: ${expected.size} tracks, ${counts.processes} processes and ${counts.threads} threads named, ` +
                `tracerbench: ${counts.slices} slices, ${counts.dropped} dropped, ${matched} matched with start and duration, ${nested} nested`);
    return problems;
  }

  // An imported file: each of its threads' slices, with their depth, on one thread of the export.
  const want = fileThreads(original.events);
  let maxDepth = 0, matched = 0;
  const pairs = matchThreads(want, events, where, problems);
  for (const [origId, exportId] of pairs) {
    const w = want.get(origId);
    const got = (byThread.get(exportId) ?? []).map((m) => ({name: m.name, ts: m.start, dur: m.duration, depth: depthOf(m)}));
    const gotMax = got.reduce((a, s) => Math.max(a, s.depth), -1) + 1;
    maxDepth = Math.max(maxDepth, gotMax);
    if (got.length !== w.slices.length)
      problems.push(`${where}: thread ${origId} of the file: ${got.length} slices in tracerbench, the file has ${w.slices.length}`);
    if (gotMax !== w.maxDepth)
      problems.push(`${where}: thread ${origId} of the file: ${gotMax} levels in tracerbench, the file has ${w.maxDepth}`);
    // Slice by slice, paired by name, depth and start (pairOrder): name, times and depth.
    got.sort(pairOrder);
    const wanted = [...w.slices].sort(pairOrder);
    let bad = 0;
    for (let i = 0; i < Math.min(got.length, wanted.length); i++) {
      const g = got[i], s = wanted[i];
      if (g.name !== s.name || Math.abs(g.ts - s.ts) > US || Math.abs(g.dur - s.dur) > US || g.depth !== s.depth) {
        if (bad++ < 5)
          problems.push(`${where}: thread ${origId}: slice ${i} is “${g.name}” at ${g.ts} µs for ${g.dur} µs, depth ${g.depth}; ` +
                        `the file has “${s.name}” at ${s.ts} for ${s.dur}, depth ${s.depth}`);
      } else {
        matched++;
      }
    }
    if (bad > 0)
      problems.push(`${where}: thread ${origId}: ${bad} slices differ`);
  }
  console.log(`${where}: imported from ${path.basename(originalPath)}: ${want.size} threads, ` +
              `${[...want.values()].reduce((a, t) => a + t.slices.length, 0)} slices in the file; tracerbench: ` +
              `${counts.slices} slices, ${counts.dropped} dropped, ${matched} matched with name, times and depth, ` +
              `${maxDepth} levels deep`);
  return problems;
}

await checkPairs(process.argv.slice(2), 'check-tracerbench.mjs', check);
