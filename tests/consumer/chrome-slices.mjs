// chrome-slices.mjs: what an imported Chrome trace's export must hold, counted from the original file
// SPDX-License-Identifier: GPL-3.0-or-later
// (shared by the consumer checks): each thread's slices with their depth, and which thread of the
// export holds which thread of the file. The counting is plain JSON, none of Interleave's code.

import fs from 'node:fs';

// The file a check compares an export with: a trace v1 file (a run of Interleave's) or a Chrome
// trace that was imported ({traceEvents} or a bare array).
export function readOriginal(file) {
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (Array.isArray(json))
    return {events: json};
  if (Array.isArray(json.runs))
    return {v1: json};
  return {events: json.traceEvents};
}

// The order in which slices are compared: start, longer first, shallower first, then name.
export function sliceOrder(a, b) {
  return a.ts - b.ts || b.dur - a.dur || a.depth - b.depth || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

// Per thread ("pid/tid") of @events: its name and X slices, each at depth d when d slices were
// still open where it starts (put in order of start, longer first, then file order; a slice ends
// before one that starts at its end), the greatest depth + 1 as maxDepth.
export function fileThreads(events) {
  const threads = new Map();
  const names = new Map();
  events.forEach((e, ord) => {
    if (e.ph === 'M' && e.name === 'thread_name')
      names.set(`${e.pid}/${e.tid}`, e.args?.name);
    if (e.ph !== 'X')
      return;
    const id = `${e.pid}/${e.tid}`;
    if (!threads.has(id))
      threads.set(id, {slices: []});
    threads.get(id).slices.push({name: e.name, args: e.args, ts: e.ts, dur: e.dur ?? 0, ord});
  });
  for (const [id, t] of threads) {
    t.name = names.get(id) ?? '';
    t.slices.sort((a, b) => a.ts - b.ts || b.dur - a.dur || a.ord - b.ord);
    const open = [];
    t.maxDepth = 0;
    for (const s of t.slices) {
      while (open.length > 0 && open[open.length - 1] <= s.ts)
        open.pop();
      s.depth = open.length;
      t.maxDepth = Math.max(t.maxDepth, s.depth + 1);
      open.push(s.ts + s.dur);
    }
    t.slices.sort(sliceOrder);
  }
  return threads;
}

// Which thread ("pid/tid") of the export's @events holds each thread of @want: the same one (an
// import keeps the file's numeric pids and tids, and the export writes a thread's rows as that one
// thread). Problems for threads of the file missing from the export and for threads it made up.
export function matchThreads(want, events, where, problems) {
  const exported = fileThreads(events);
  const pairs = new Map();
  for (const [id, w] of want) {
    if (exported.has(id))
      pairs.set(id, id);
    else
      problems.push(`${where}: thread ${id} of the file (${w.slices.length} slices) is no thread of the export`);
  }
  for (const [id, t] of exported)
    if (!want.has(id))
      problems.push(`${where}: thread ${id} of the export (${t.slices.length} slices) is no thread of the file`);
  return pairs;
}
