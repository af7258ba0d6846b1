// check-speedscope.mjs: loads Interleave's Chrome exports with speedscope's own importer and checks them
// SPDX-License-Identifier: GPL-3.0-or-later
// against the trace v1 files they came from: no warning (speedscope warns when an end does not
// match the frame on top of its stack, i.e. when a span ends past its neighbour's start), nothing
// nested, one frame per name and thread (speedscope keys frames on name + args: per-span args made
// every span a frame of its own), one profile per track, and the same busy time per thread.
//
// speedscope ships only as the bundle of its web app (npm "speedscope", pinned in
// package-lock.json). Its importer is the app's own code: the bundle runs in a Node vm context
// with inert stand-ins for the browser's objects, and stops right after it has created the
// promise of its import module (which the app loads lazily), before anything is drawn.
//
// An imported Chrome trace's export is checked against the file it came from instead (see
// checkImported): each thread's calls are the file's slices, nested as the file nests them.
//
// Usage: node check-speedscope.mjs ORIGINAL CHROME.json [ORIGINAL CHROME.json ...]
// ORIGINAL is the trace v1 file of a run or the Chrome trace an imported run came from.
// Prints one line per file and exits 1 on the first file with a difference.

import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import {createRequire} from 'node:module';

const {expectedTracks, trackKey, checkPairs} = await import('./v1-tracks.mjs');
const {readOriginal, fileThreads, matchThreads, sliceOrder} = await import('./chrome-slices.mjs');

const warnings = [];

async function loadImporter() {
  const dir = path.join(path.dirname(createRequire(import.meta.url).resolve('speedscope/package.json')),
                        'dist', 'release');
  const bundle = fs.readdirSync(dir).find((f) => /^speedscope-[\w-]+\.js$/.test(f));
  if (!bundle)
    throw new Error(`no speedscope-*.js in ${dir}`);
  const src = fs.readFileSync(path.join(dir, bundle), 'utf8');
  // async function X(t,e){return(await P).importProfileGroupFromText(t,e)}: P is the promise.
  const use = src.match(/async function [\w$]+\(\w,\w\)\{return\(await ([\w$]+)\)\.importProfileGroupFromText\(\w,\w\)\}/);
  if (!use)
    throw new Error(`${bundle}: the import module's promise was not found (a speedscope other than the pinned one?)`);
  const name = use[1].replace(/\$/g, '\\$');
  const def = src.match(new RegExp(`var ${name}=Promise\\.resolve\\(\\)[^;]*;`));
  if (!def)
    throw new Error(`${bundle}: where ${use[1]} is made was not found`);
  const patched = src.replace(def[0], `${def[0]}globalThis.__importer=${use[1]};throw new Error('__stop');`);
  // Anything the app touches while it loads: every property, call and construction gives itself.
  const inert = new Proxy(function () {}, {
    get: (t, k) => (k === Symbol.toPrimitive ? () => '' : k === 'then' ? undefined : inert),
    apply: () => inert,
    construct: () => inert,
    set: () => true,
    has: () => true,
  });
  const context = {
    console: {log() {}, info() {}, error() {}, warn: (...a) => warnings.push(a.join(' '))},
    TextDecoder, TextEncoder, URL, setTimeout, clearTimeout,
    window: inert, document: inert, navigator: inert, location: inert, localStorage: inert, self: inert,
  };
  context.globalThis = context;
  vm.createContext(context);
  try {
    vm.runInContext(patched, context, {filename: bundle});
  } catch (e) {
    if (!String(e?.message).includes('__stop'))
      throw new Error(`${bundle} did not load: ${String(e?.stack ?? e).slice(0, 500)}`);
  }
  const module = await context.__importer;
  if (typeof module?.importProfileGroupFromText !== 'function')
    throw new Error(`${bundle}: no importProfileGroupFromText`);
  return module.importProfileGroupFromText;
}

const importText = await loadImporter();

// speedscope's frame name for a slice: its name, then its args as JSON.
const frameName = (s) => `${s.name || '(unnamed)'}${s.args ? ` ${JSON.stringify(s.args)}` : ''}`;

// A warning that changes nothing: speedscope ends frames at one instant in the order it sorted
// them, swapping in the end that matches the top of its stack, but when the top already matches
// and a frame of the same name (other args) ends at that instant too, its by-name fallback swaps
// that one in and warns "Tried to end A when B was on the top … Ending B instead", then the same
// for A. It ends the top each time, so the frames nest right; two or more nested slices of one
// name ending in the same microsecond (clang's InstantiateFunction) do this in speedscope 1.25,
// whatever order a file gives. Any other warning is a real mis-nesting.
function harmless(warning) {
  const m = warning.match(/^ts=\S+: Tried to end "(.*)" when "(.*)" was on the top of the stack\. Ending (.*) instead\.$/s);
  return m !== null && m[2] === m[3] && m[1].split(' ')[0] === m[2].split(' ')[0];
}

// The calls speedscope should show for a thread's @slices (with their depth, in order of start):
// those of non-zero length, where speedscope, which replays the frames as a timeline of stacks,
// joins a frame and its sibling of the same name (and args) that starts where it ends, and so
// their children that meet at that instant too.
function speedscopeCalls(slices) {
  const root = {children: []};
  const stack = [root];
  for (const s of slices) {
    if (s.dur <= 0)
      continue;
    stack.length = s.depth + 1;
    const call = {name: frameName(s), ts: s.ts, end: s.ts + s.dur, children: []};
    stack[s.depth].children.push(call);
    stack.push(call);
  }
  const calls = [];
  const join = (node, depth) => {
    const joined = [];
    for (const c of node.children) {
      const last = joined[joined.length - 1];
      if (last && last.name === c.name && last.end === c.ts) {
        last.end = c.end;
        last.children.push(...c.children);
      } else {
        joined.push(c);
      }
    }
    for (const c of joined) {
      calls.push({name: c.name, ts: c.ts, dur: c.end - c.ts, depth});
      join(c, depth + 1);
    }
  };
  join(root, 0);
  return calls;
}

// An imported file's export: per thread of the file, speedscope's calls are its slices of non-zero
// length (speedscope gives a zero-length one no time to draw; neighbours of one frame that meet
// are one call), each with its frame name, start,
// duration (within 1 µs) and depth; no warning but the harmless tie above.
async function checkImported(originalPath, chromePath, original) {
  const text = fs.readFileSync(chromePath, 'utf8');
  const events = JSON.parse(text).traceEvents;
  const where = path.basename(chromePath);
  const problems = [];
  const want = fileThreads(original.events);
  const pairs = matchThreads(want, events, where, problems);
  const byExport = new Map([...pairs].map(([id, eid]) => [eid, id]));
  warnings.length = 0;
  let group = null, threw = false;
  try {
    group = await importText(where.replace(/\.chrome\.json$/, '.trace.json'), text);
  } catch (e) {
    // Frames nested thousands deep (see below) overflow its recursive walks.
    problems.push(`${where}: speedscope's import threw ${String(e).slice(0, 200)}`);
    threw = true;
  }
  const profiles = group?.profiles ?? [];
  let calls = 0, matched = 0, deepest = 0, slices = 0;
  const seen = new Set();
  for (const profile of profiles) {
    const tid = profile.getName().match(/tid (-?\d+)\)$/)?.[1];
    const pid = profile.getName().match(/pid (-?\d+)[),]/)?.[1];
    const id = byExport.get(`${pid}/${tid}`);
    if (id === undefined) {
      problems.push(`${where}: profile “${profile.getName()}” is no thread of the file`);
      continue;
    }
    seen.add(id);
    const w = want.get(id);
    // speedscope's times start at the thread's first event.
    const origin = Math.min(...w.slices.map((s) => s.ts));
    const got = [];
    const open = [];
    profile.forEachCall((node, value) => {
      open.push({name: node.frame.name, ts: value + origin, depth: open.length});
    }, (node, value) => {
      const c = open.pop();
      c.dur = value + origin - c.ts;
      if (c.dur > 0)
        got.push(c);
    });
    calls += got.length;
    slices += w.slices.filter((s) => s.dur > 0).length;
    const wanted = speedscopeCalls(w.slices);
    got.sort(sliceOrder);
    wanted.sort(sliceOrder);
    if (got.length !== wanted.length)
      problems.push(`${where}: thread ${id}: ${got.length} calls in speedscope, the file's slices of non-zero length make ${wanted.length}`);
    let bad = 0;
    for (let i = 0; i < Math.min(got.length, wanted.length); i++) {
      const g = got[i], s = wanted[i];
      deepest = Math.max(deepest, g.depth + 1);
      if (g.name !== s.name || Math.abs(g.ts - s.ts) > 1 || Math.abs(g.dur - s.dur) > 1 || g.depth !== s.depth) {
        if (bad++ < 5)
          problems.push(`${where}: thread ${id}: call ${i} is “${g.name}” at ${g.ts} µs for ${g.dur} µs, depth ${g.depth}; ` +
                        `the file has “${s.name}” at ${s.ts} for ${s.dur}, depth ${s.depth}`);
      } else {
        matched++;
      }
    }
    if (bad > 0)
      problems.push(`${where}: thread ${id}: ${bad} calls differ from the file's slices`);
  }
  for (const [id, w] of want)
    if (!threw && !seen.has(id) && w.slices.some((s) => s.dur > 0))
      problems.push(`${where}: thread ${id} of the file has no profile in speedscope`);
  const real = warnings.filter((x) => !harmless(x));
  if (real.length > 0)
    problems.push(`${where}: ${real.length} warnings, the first: ${real[0]}`);
  // speedscope turns an X event into a begin and an end; at one instant it takes an end before a
  // begin unless both are the same frame's, and swaps in an end of the top frame's name. A dur-0
  // X event at an instant where another slice of its thread begins or ends can get its end taken
  // first: that end finds nothing to close ("Doing nothing instead"), the begin stays open and
  // what follows nests inside it. (Without those events the export reads exactly.)
  const edges = new Set();
  for (const e of events) {
    if (e.ph === 'X' && e.dur > 0) {
      edges.add(`${e.pid}/${e.tid}/${e.ts}`);
      edges.add(`${e.pid}/${e.tid}/${e.ts + e.dur}`);
    }
  }
  const zero = events.filter((e) => e.ph === 'X' && !(e.dur > 0));
  const clash = zero.filter((e) => edges.has(`${e.pid}/${e.tid}/${e.ts}`)).length;
  if ((real.length > 0 || threw) && zero.length > 0)
    problems.push(`${where}: ${zero.length} X events of dur 0 in the export, ${clash} at an instant where another slice ` +
                  `of their thread begins or ends; speedscope 1.25 can take their end before their begin and leave ` +
                  `them open, nesting what follows inside`);
  console.log(`${where}: imported from ${path.basename(originalPath)}: ${want.size} threads, ${slices} slices ` +
              `of non-zero length; speedscope: ${profiles.length} profiles, ${calls} calls, ${matched} matched ` +
              `with name, times and depth, ${deepest} levels deep, ${real.length} warnings ` +
              `(and ${warnings.length - real.length} of its same-name tie)`);
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
