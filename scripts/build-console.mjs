#!/usr/bin/env node
// Builds the web console (console/) into dist/console: one ES bundle with preact and the bpmn-js
// viewer, their CSS and the BPMN icon font copied beside it. Nothing is fetched at run time, so the
// console works on an offline machine. `--watch` rebuilds on change while developing.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { projectRoot } from './temporal-tools.mjs';

const root = projectRoot();
// `--out <dir>`: the tests build a copy of their own, so a rebuild while they run cannot touch it.
const outAt = process.argv.indexOf('--out');
const out = outAt > 0 ? resolve(process.argv[outAt + 1]) : join(root, 'dist', 'console');
const watch = process.argv.includes('--watch');

rmSync(join(out, 'chunks'), { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const assets = join(root, 'node_modules', 'bpmn-js', 'dist', 'assets');
cpSync(join(assets, 'bpmn-font'), join(out, 'bpmn-font'), { recursive: true });
cpSync(join(assets, 'diagram-js.css'), join(out, 'diagram-js.css'));
cpSync(join(assets, 'bpmn-js.css'), join(out, 'bpmn-js.css'));
for (const css of ['styles.css', 'office.css']) cpSync(join(root, 'console', css), join(out, css));
// The build id lets the browser cache the bundle until the next build.
const build = Date.now().toString(36);
writeFileSync(
  join(out, 'index.html'),
  readFileSync(join(root, 'console', 'index.html'), 'utf8').replaceAll('__BUILD__', build),
);

const options = {
  entryPoints: [join(root, 'console', 'main.tsx')],
  outdir: out,
  entryNames: 'app',
  // The diagram viewer (bpmn-js, most of the bytes) is its own chunk, loaded by the pages that
  // draw a chain: the login page and the inbox stay light on a phone.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: !watch,
  sourcemap: true,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'linked',
  logLevel: 'warning',
};
if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
  process.stdout.write('console: watching console/ → dist/console\n');
} else {
  const result = await esbuild.build({ ...options, metafile: true });
  const js = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith('.js'));
  const kib = (n) => Math.round(n / 1024);
  const entry = js.find(([file]) => file.endsWith('/app.js'))?.[1].bytes ?? 0;
  const all = js.reduce((n, [, o]) => n + o.bytes, 0);
  process.stdout.write(`console: built ${out} (app.js ${kib(entry)} KiB, all chunks ${kib(all)} KiB)\n`);
}
