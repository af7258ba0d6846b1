// SPDX-License-Identifier: GPL-3.0-or-later
// Node.js work for the marks test: promises rejected and handled late (the node.promises.rejections
// counters), timers and a worker thread (instants and slices on several threads).
const { Worker } = require('worker_threads');
for (let i = 0; i < 12; i++) {
  const p = Promise.reject(new Error('late ' + i));
  setTimeout(() => p.catch(() => {}), 15 * i);
}
new Worker('let y = 0; for (let i = 0; i < 2e6; i++) y += Math.sqrt(i);', { eval: true });
setTimeout(() => {}, 250);
