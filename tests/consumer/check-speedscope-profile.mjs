// check-speedscope-profile.mjs: loads Interleave's Python-stack profiles (--profile) with speedscope's own importer
// SPDX-License-Identifier: GPL-3.0-or-later
// and checks them against the trace v1 files they came from: one profile per sampled thread,
// named as its lane, and per thread and function (innermost frame) the same self weight as the
// file's samples times its interval, the same total weight, and stacks nested as sampled.
//
// speedscope's importer comes from its bundle through speedscope-importer.mjs.
//
// Usage: node check-speedscope-profile.mjs TRACE.json PROFILE.json [TRACE.json PROFILE.json ...]
// Prints one line per file and exits 1 on the first file with a difference.

import fs from 'node:fs';
import path from 'node:path';

const warnings = [];

const {loadImporter} = await import('./speedscope-importer.mjs');
const importText = await loadImporter(warnings);

// What the trace v1 file says: per thread (pid/tid), its lane's name and per innermost function
// (name, file, line) the count of samples with a stack; and the interval.
function expected(tracePath) {
  const doc = JSON.parse(fs.readFileSync(tracePath, 'utf8'));
  const threads = [];
  for (const run of doc.runs) {
    const st = run.stacks;
    if (!st)
      continue;
    const frames = st.frames.rows;
    for (const t of st.threads) {
      const lane = run.workers.find((w) => w.pid === t.pid && w.tid === t.tid);
      const self = new Map();
      let n = 0, depth = 0;
      for (let i = 0; i < t.samples.length; i += 3) {
        const stack = st.stacks[t.samples[i + 1]];
        if (stack.length === 0)
          continue;
        n++;
        depth = Math.max(depth, stack.length);
        const [fn, file, line] = frames[stack[0]];
        const key = `${fn} ${file}:${line}`;
        self.set(key, (self.get(key) ?? 0) + 1);
      }
      if (n > 0)
        threads.push({name: lane?.name, n, depth, self, interval: st.interval_ns});
    }
  }
  return threads;
}

let status = 0;
for (let i = 2; i + 1 < process.argv.length; i += 2) {
  const [tracePath, profilePath] = [process.argv[i], process.argv[i + 1]];
  const fail = (why) => {
    console.log(`FAIL ${path.basename(profilePath)}: ${why}`);
    status = 1;
  };
  warnings.length = 0;
  const group = await importText(path.basename(profilePath), fs.readFileSync(profilePath, 'utf8'));
  const want = expected(tracePath);
  if (!group || !Array.isArray(group.profiles)) {
    fail('speedscope did not import it');
    break;
  }
  if (warnings.length > 0)
    fail(`speedscope warned: ${warnings[0]}`);
  if (group.profiles.length !== want.length)
    fail(`${group.profiles.length} profiles, the trace has ${want.length} sampled threads`);
  group.profiles.forEach((profile, k) => {
    const w = want[k];
    if (!w)
      return;
    if (w.name && profile.getName() !== w.name)
      fail(`profile ${k} is named "${profile.getName()}", its lane "${w.name}"`);
    if (profile.getWeightUnit() !== 'nanoseconds')
      fail(`profile ${k}: unit ${profile.getWeightUnit()}`);
    if (profile.getTotalWeight() !== w.n * w.interval)
      fail(`profile ${k}: total weight ${profile.getTotalWeight()}, the trace's samples make ${w.n * w.interval}`);
    const self = new Map();
    profile.forEachFrame((f) => {
      if (f.getSelfWeight() > 0)
        self.set(`${f.name} ${f.file}:${f.line}`, f.getSelfWeight() / w.interval);
    });
    for (const [key, n] of w.self)
      if (self.get(key) !== n)
        fail(`profile ${k}: ${key} has self weight of ${self.get(key) ?? 0} samples, the trace ${n}`);
    if (self.size !== w.self.size)
      fail(`profile ${k}: ${self.size} functions with self time, the trace has ${w.self.size}`);
    // Nesting: the deepest call path is as deep as the deepest sampled stack.
    let deepest = 0;
    const walk = (node, d) => {
      deepest = Math.max(deepest, d);
      for (const c of node.children)
        walk(c, d + 1);
    };
    walk(profile.getAppendOrderCalltreeRoot(), 0);
    if (deepest !== w.depth)
      fail(`profile ${k}: calls nest ${deepest} deep, the deepest sampled stack has ${w.depth} frames`);
  });
  if (status === 0)
    console.log(`ok ${path.basename(profilePath)}: ${group.profiles.length} thread profiles as sampled`);
  else
    break;
}
process.exit(status);
