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
// Usage: node check-speedscope.mjs TRACE_V1.json CHROME.json [TRACE_V1.json CHROME.json ...]
// Prints one line per file and exits 1 on the first file with a difference.

import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import {createRequire} from 'node:module';

const {expectedTracks, trackKey, checkPairs} = await import('./v1-tracks.mjs');

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

async function check(v1Path, chromePath) {
  const v1 = JSON.parse(fs.readFileSync(v1Path, 'utf8'));
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
