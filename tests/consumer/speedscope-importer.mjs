// speedscope-importer.mjs: speedscope's own importer, loaded from the pinned bundle of its web app
// SPDX-License-Identifier: GPL-3.0-or-later
// (npm "speedscope", package-lock.json). The bundle runs in a Node vm context with inert stand-ins
// for the browser's objects, and stops right after it has created the promise of its import module
// (which the app loads lazily), before anything is drawn. Used by check-speedscope.mjs and
// check-speedscope-profile.mjs; what the importer warns goes into @warnings.

import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import {createRequire} from 'node:module';

export async function loadImporter(warnings) {
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
