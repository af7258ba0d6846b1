// v1-tracks.mjs: what each track of a Chrome export must hold, from the trace v1 file it came from
// SPDX-License-Identifier: GPL-3.0-or-later
// (shared by the consumer checks, DevTools' trace model and speedscope's importer, with their command line).

const STATES_IDLE = 'idle';

// What each track must hold, from the trace v1 file: worker tracks have every span but idle, core
// tracks the running spans on that CPU, a later one clipped where an earlier one still held the
// core (as the export does; a core runs one thread at a time).
export function expectedTracks(v1) {
  const tracks = new Map();
  const add = (key, startNs, endNs) => {
    let t = tracks.get(key);
    if (!t) {
      t = {count: 0, sumNs: 0n, firstNs: null, spans: []};
      tracks.set(key, t);
    }
    t.count++;
    t.spans.push({startNs, endNs});
    t.sumNs += endNs - startNs;
    if (t.firstNs === null || startNs < t.firstNs)
      t.firstNs = startNs;
  };
  v1.runs.forEach((run, r) => {
    const origin = BigInt(run.clock.origin_ns);
    const cols = Object.fromEntries(run.spans_columns.map((c, i) => [c, i]));
    const running = [];
    for (const row of run.spans) {
      const state = row[cols.state];
      const start = BigInt(row[cols.start_ns]);
      const end = BigInt(row[cols.end_ns]);
      if (state === STATES_IDLE)
        continue;
      add(`run ${r} worker ${row[cols.worker]}`, origin + start, origin + end);
      if (state === 'running' && row[cols.cpu] >= 0)
        running.push({cpu: row[cols.cpu], start, end, worker: row[cols.worker]});
    }
    running.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.worker - b.worker));
    const lastEnd = new Map();
    for (const s of running) {
      const prev = lastEnd.get(s.cpu);
      const start = prev !== undefined && prev > s.start ? prev : s.start;
      if (start >= s.end)
        continue;
      add(`run ${r} cpu ${s.cpu}`, origin + start, origin + s.end);
      lastEnd.set(s.cpu, s.end);
    }
  });
  return tracks;
}

export function trackKey(event) {
  // Interleave's own numbers; exports before issue 18 had them in "args".
  const a = event.interleave ?? event.args ?? {};
  if (typeof event.cat === 'string' && event.cat.split(',').includes('core'))
    return `run ${a.run} cpu ${a.cpu}`;
  return `run ${a.run} worker ${a.worker}`;
}


// Runs @check on each (trace v1, Chrome export) pair of @args, prints what it found and exits 1
// when any pair had a problem.
export async function checkPairs(args, script, check) {
  if (args.length === 0 || args.length % 2 !== 0) {
    console.error(`usage: node ${script} TRACE_V1.json CHROME.json [...]`);
    process.exit(2);
  }
  let failed = false;
  for (let i = 0; i < args.length; i += 2) {
    const problems = await check(args[i], args[i + 1]);
    for (const p of problems.slice(0, 20))
      console.log(`FAIL: ${p}`);
    if (problems.length > 20)
      console.log(`FAIL: … and ${problems.length - 20} more`);
    failed ||= problems.length > 0;
  }
  process.exit(failed ? 1 : 0);
}
