// check-speedscope.mjs: loads Interleave's Chrome exports with speedscope's own importer and checks them
// SPDX-License-Identifier: GPL-3.0-or-later
// against the trace v1 files they came from: no warning (speedscope warns when an end does not
// match the frame on top of its stack, i.e. when a span ends past its neighbour's start), nothing
// nested, one frame per name and thread (speedscope keys frames on name + args: per-span args made
// every span a frame of its own), one profile per track, and the same busy time per thread.
//
// speedscope ships only as the bundle of its web app; speedscope-importer.mjs loads its own
// importer from it.
//
// An imported Chrome trace's export is checked against the file it came from instead (see
// checkImported): each thread's calls are the file's slices of non-zero length, each with its
// name, start and duration within 1 µs, depth and parent, and no warning at all.
//
// Usage: node check-speedscope.mjs ORIGINAL CHROME.json [ORIGINAL CHROME.json ...]
// ORIGINAL is the trace v1 file of a run or the Chrome trace an imported run came from.
// Prints one line per file and exits 1 on the first file with a difference.

import fs from 'node:fs';
import path from 'node:path';

const {expectedTracks, trackKey, checkPairs} = await import('./v1-tracks.mjs');
const {readOriginal, fileThreads, matchThreads, pairOrder} = await import('./chrome-slices.mjs');

const warnings = [];

const {loadImporter} = await import('./speedscope-importer.mjs');
const importText = await loadImporter(warnings);

// speedscope's frame name for a slice: its name, then its args as JSON. An empty "args" ({}, which
// Node.js writes on every event) says nothing and Interleave keeps none, so the export's frame has
// just the name: the same for the check.
const frameName = (s) => `${s.name || '(unnamed)'}` +
  (s.args && Object.keys(s.args).length > 0 ? ` ${JSON.stringify(s.args)}` : '');

// The calls speedscope should show for a thread's @slices (fileThreads: depth and parent): those
// of non-zero length (speedscope gives a zero-length one no time, so no call), each with its frame
// name, start, duration, depth and parent.
function speedscopeCalls(slices) {
  return slices.filter((s) => s.dur > 0).map((s) => ({
    name: frameName(s), ts: s.ts, dur: s.dur, depth: s.depth,
    parent: s.parent ? {name: frameName(s.parent), ts: s.parent.ts} : null,
  }));
}

// The same call within 1 µs: name, start, duration, depth and parent (its name and start).
function sameCall(g, s) {
  const near = (x, y) => Math.abs(x - y) <= 1;
  return g.name === s.name && near(g.ts, s.ts) && near(g.dur, s.dur) && g.depth === s.depth &&
         (g.parent === null) === (s.parent === null) &&
         (g.parent === null || (g.parent.name === s.parent.name && near(g.parent.ts, s.parent.ts)));
}

const describe = (c) => `“${c.name}” at ${c.ts} µs for ${c.dur} µs, depth ${c.depth}, in ` +
                        (c.parent ? `“${c.parent.name}” at ${c.parent.ts}` : 'nothing');

// An imported file's export: per thread of the file, speedscope's calls are its slices of non-zero
// length, each with its frame name, start and duration (within 1 µs), depth and parent; per async
// track of the export (the file's "b"/"e" slices, which speedscope does not read from the file
// itself, and which compare-chrome.py holds to it), the export's own slices. No warning at all.
async function checkImported(originalPath, chromePath, original) {
  const text = fs.readFileSync(chromePath, 'utf8');
  const events = JSON.parse(text).traceEvents;
  const where = path.basename(chromePath);
  const problems = [];
  const want = fileThreads(original.events);
  const asyncTracks = new Map();
  const pairs = matchThreads(want, events, where, problems, asyncTracks);
  const exported = fileThreads(events);
  // What each profile of speedscope's must show, by the export's "pid/tid".
  const expect = new Map([...pairs].map(([id, eid]) => [eid, {id, slices: want.get(id).slices}]));
  for (const [eid, t] of asyncTracks)
    expect.set(eid, {id: `${eid} (async)`, slices: t.slices});
  warnings.length = 0;
  let group = null;
  try {
    group = await importText(where.replace(/\.chrome\.json$/, '.trace.json'), text);
  } catch (e) {
    problems.push(`${where}: speedscope's import threw ${String(e).slice(0, 200)}`);
  }
  const profiles = group?.profiles ?? [];
  let calls = 0, matched = 0, deepest = 0, slices = 0;
  const seen = new Set();
  for (const profile of profiles) {
    const tid = profile.getName().match(/tid (-?\d+)\)$/)?.[1];
    const pid = profile.getName().match(/pid (-?\d+)[),]/)?.[1];
    const eid = `${pid}/${tid}`;
    const w = expect.get(eid);
    if (w === undefined) {
      problems.push(`${where}: profile “${profile.getName()}” is no thread of the file`);
      continue;
    }
    seen.add(eid);
    // speedscope's times start at the thread's first event in the export.
    const origin = Math.min(...exported.get(eid).slices.map((s) => s.ts));
    const got = [];
    const open = [];
    profile.forEachCall((node, value) => {
      const parent = open[open.length - 1];
      open.push({name: node.frame.name, ts: value + origin, depth: open.length,
                 parent: parent ? {name: parent.name, ts: parent.ts} : null});
    }, (node, value) => {
      const c = open.pop();
      c.dur = value + origin - c.ts;
      if (c.dur > 0)
        got.push(c);
    });
    calls += got.length;
    const wanted = speedscopeCalls(w.slices);
    slices += wanted.length;
    got.sort(pairOrder);
    wanted.sort(pairOrder);
    if (got.length !== wanted.length)
      problems.push(`${where}: thread ${w.id}: ${got.length} calls in speedscope, the file's slices of non-zero length make ${wanted.length}`);
    let bad = 0;
    for (let i = 0; i < Math.min(got.length, wanted.length); i++) {
      deepest = Math.max(deepest, got[i].depth + 1);
      if (sameCall(got[i], wanted[i])) {
        matched++;
      } else if (bad++ < 5) {
        problems.push(`${where}: thread ${w.id}: call ${i} is ${describe(got[i])}; the file has ${describe(wanted[i])}`);
      }
    }
    if (bad > 0)
      problems.push(`${where}: thread ${w.id}: ${bad} calls differ from the file's slices`);
  }
  for (const [eid, w] of expect)
    if (group !== null && !seen.has(eid) && w.slices.some((s) => s.dur > 0))
      problems.push(`${where}: thread ${w.id} of the file has no profile in speedscope`);
  if (warnings.length > 0)
    problems.push(`${where}: ${warnings.length} warnings, the first: ${warnings[0]}`);
  console.log(`${where}: imported from ${path.basename(originalPath)}: ${pairs.size} threads and ` +
              `${asyncTracks.size} async tracks, ${slices} slices of non-zero length; speedscope: ` +
              `${profiles.length} profiles, ${calls} calls, ${matched} matched with name, times, depth ` +
              `and parent, ${deepest} levels deep, ${warnings.length} warnings`);
  return problems;
}

async function check(v1Path, chromePath) {
  const original = readOriginal(v1Path);
  if (!original.v1)
    return checkImported(v1Path, chromePath, original);
  const v1 = original.v1;
  const text = fs.readFileSync(chromePath, 'utf8');
  const events = JSON.parse(text).traceEvents;
  const expected = expectedTracks(v1);
  const problems = [];
  const where = path.basename(chromePath);

  // Per thread of the file: its track and its distinct names (what speedscope's frames should be).
  const threads = new Map();
  let spans = 0;
  for (const e of events) {
    if (e.ph !== 'X')
      continue;
    const id = `${e.pid}/${e.tid}`;
    if (!threads.has(id))
      threads.set(id, {key: trackKey(e), names: new Set()});
    threads.get(id).names.add(e.name);
    spans++;
  }

  warnings.length = 0;
  // speedscope reads a file whose name ends ".chrome.json" as a DevTools CPU profile (an array of
  // events) and throws on the object form: the export is offered as ".trace.json" for that reason.
  const group = await importText(where.replace(/\.chrome\.json$/, '.trace.json'), text);
  const profiles = group?.profiles ?? [];
  let frames = 0, calls = 0, nested = 0, busyUs = 0, wantUs = 0;
  for (const t of threads.values())
    wantUs += Number(expected.get(t.key)?.sumNs ?? 0n) / 1000;
  for (const profile of profiles) {
    let depth = 0, self = 0, n = 0;
    profile.forEachCall(() => {
      calls++;
      nested += depth > 0 ? 1 : 0;
      depth++;
    }, () => depth--);
    profile.forEachFrame((frame) => {
      n++;
      self += frame.getSelfWeight();
    });
    frames += n;
    busyUs += self;
    // The profile's name ends "(tid N)" or "tid N)": its thread.
    const tid = profile.getName().match(/tid (-?\d+)\)$/)?.[1];
    const pid = profile.getName().match(/pid (-?\d+)[),]/)?.[1];
    const thread = threads.get(`${pid}/${tid}`);
    if (!thread)
      problems.push(`${where}: profile “${profile.getName()}” is no thread of the file`);
    else if (n !== thread.names.size)
      problems.push(`${where}: ${thread.key}: ${n} frames for ${thread.names.size} names`);
  }
  if (profiles.length !== threads.size)
    problems.push(`${where}: ${profiles.length} profiles for ${threads.size} threads`);
  if (warnings.length > 0)
    problems.push(`${where}: ${warnings.length} warnings, the first: ${warnings[0]}`);
  if (nested > 0)
    problems.push(`${where}: ${nested} of ${calls} calls nested inside another`);
  // Busy time: every span's duration is in some frame's self weight (a nanosecond per span spare).
  if (Math.abs(busyUs - wantUs) > 1e-3 * spans + 1e-9 * wantUs)
    problems.push(`${where}: ${busyUs} µs busy in speedscope, the trace has ${wantUs} µs`);

  console.log(`${where}: ${threads.size} threads, ${spans} spans, speedscope: ${profiles.length} profiles, ` +
              `${frames} frames, ${calls} calls, ${nested} nested, ${warnings.length} warnings`);
  return problems;
}

await checkPairs(process.argv.slice(2), 'check-speedscope.mjs', check);
