// SPDX-License-Identifier: GPL-3.0-or-later
// Node.js work for the producers test: hashing on the main thread and three worker threads.
const crypto = require('crypto');
const { Worker } = require('worker_threads');
let x = 0;
for (let i = 0; i < 20000; i++) x += crypto.createHash('sha256').update('a' + i).digest()[0];
for (let k = 0; k < 3; k++)
  new Worker('let y = 0; for (let i = 0; i < 3e6; i++) y += Math.sqrt(i); const a = []; for (let i = 0; i < 2e5; i++) a.push({ i });', { eval: true });
setTimeout(() => process.stdout.write(String(x % 10) + '\n'), 200);
