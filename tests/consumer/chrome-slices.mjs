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

// The order in which a consumer's slices are paired with the file's: by name, depth (where known),
// start, then longer first. The export may move a start by a nanosecond or so where events meet at
// one instant (docs/trace-format.md), which can reorder slices of different names that start there,
// never two of one name and depth (siblings, one after the other).
export function pairOrder(a, b) {
  return (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || (a.depth ?? 0) - (b.depth ?? 0) ||
         a.ts - b.ts || b.dur - a.dur;
}

// Per thread ("pid/tid") of @events: its name and slices ("X", and "B"/"E" matched in time order,
// file order among equal times, each E closing the innermost open B; a B without its E ends at its
// thread's last event, as Interleave documents), each at depth d when d slices were still open
// where it starts (put in order of start, longer first, then file order; a slice ends before one
// that starts at its end) and with the index of its parent (the innermost of those) or -1, the
// greatest depth + 1 as maxDepth.
export function fileThreads(events) {
  const threads = new Map();
  const names = new Map();
  const marks = new Map();
  const last = new Map();
  const thread = (id) => {
    if (!threads.has(id))
      threads.set(id, {slices: []});
    return threads.get(id);
  };
  events.forEach((e, ord) => {
    if (e.ph === 'M' && e.name === 'thread_name')
      names.set(`${e.pid}/${e.tid}`, e.args?.name);
    const id = `${e.pid}/${e.tid}`;
    if (['X', 'B', 'E', 'i', 'I'].includes(e.ph) && typeof e.ts === 'number')
      last.set(id, Math.max(last.get(id) ?? -Infinity, e.ts + (e.ph === 'X' ? e.dur ?? 0 : 0)));
    if (e.ph === 'B' || e.ph === 'E') {
      thread(id);
      if (!marks.has(id))
        marks.set(id, []);
      marks.get(id).push({e, ord});
    }
    if (e.ph !== 'X')
      return;
    thread(id).slices.push({name: e.name, args: e.args, ts: e.ts, dur: e.dur ?? 0, ord});
  });
  for (const [id, ms] of marks) {
    ms.sort((a, b) => a.e.ts - b.e.ts || a.ord - b.ord);
    const open = [];
    for (const {e, ord} of ms) {
      if (e.ph === 'B') {
        open.push({e, ord});
      } else if (open.length > 0) {
        const b = open.pop();
        thread(id).slices.push({name: b.e.name, args: b.e.args, ts: b.e.ts, dur: e.ts - b.e.ts, ord: b.ord});
      }
    }
    for (const b of open)
      thread(id).slices.push({name: b.e.name, args: b.e.args, ts: b.e.ts, dur: Math.max(last.get(id) - b.e.ts, 0), ord: b.ord});
  }
  for (const [id, t] of threads) {
    t.name = names.get(id) ?? '';
    t.slices.sort((a, b) => a.ts - b.ts || b.dur - a.dur || a.ord - b.ord);
    const open = [];
    t.maxDepth = 0;
    t.slices.forEach((s, i) => {
      while (open.length > 0 && t.slices[open[open.length - 1]].ts + t.slices[open[open.length - 1]].dur <= s.ts)
        open.pop();
      s.depth = open.length;
      s.parent = open.length > 0 ? t.slices[open[open.length - 1]] : null;
      t.maxDepth = Math.max(t.maxDepth, s.depth + 1);
      open.push(i);
    });
    t.slices.sort(sliceOrder);
  }
  return threads;
}

// Which thread ("pid/tid") of the export's @events holds each thread of @want: the same one (an
// import keeps the file's numeric pids and tids, and the export writes a thread's rows as that one
// thread), else the one thread of the export of its name (ids Interleave makes up: tid 0 becomes
// a thread named "thread 0"). Problems for threads of the file missing from the export and for
// threads it made up; the export's async tracks (threads named "async: …", the file's "b"/"e"
// slices, which compare-chrome.py holds to the file) go in @asyncTracks when given.
export function matchThreads(want, events, where, problems, asyncTracks = null) {
  const exported = fileThreads(events);
  const isAsync = (id) => exported.get(id).name.startsWith('async: ');
  const pairs = new Map();
  const used = new Set();
  for (const [id, w] of want) {
    let eid = exported.has(id) && !isAsync(id) ? id : null;
    if (eid === null) {
      const name = w.name || `thread ${id.split('/')[1]}`;
      const cands = [...exported.keys()].filter((k) => !isAsync(k) && !want.has(k) && !used.has(k) &&
                                                     exported.get(k).name === name);
      eid = cands.length === 1 ? cands[0] : null;
    }
    if (eid !== null) {
      pairs.set(id, eid);
      used.add(eid);
    } else {
      problems.push(`${where}: thread ${id} of the file (${w.slices.length} slices) is no thread of the export`);
    }
  }
  for (const [id, t] of exported) {
    if (used.has(id))
      continue;
    if (isAsync(id) && asyncTracks !== null)
      asyncTracks.set(id, t);
    else if (!isAsync(id))
      problems.push(`${where}: thread ${id} of the export (${t.slices.length} slices) is no thread of the file`);
  }
  return pairs;
}
