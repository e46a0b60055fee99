#!/usr/bin/env node
// Fails when an import inside packages/core/src runs back up the core's layer order.
// The order (bottom first) is written in packages/core/README.md, "Inside the core".
// A module may import its own layer or any layer below it; siblings on one rank may not import each other.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'core', 'src');

/** Layer of each top-level entry of packages/core/src, bottom first. Same number: siblings. */
export const LAYERS = [
  ['errors'],
  ['support'],
  ['http'],
  ['tokens'],
  ['domains'],
  ['consumer', 'credentials'],
  ['app-authorization'],
  ['config'],
  ['lp-auth'],
  ['adapter'],
  ['index'],
  ['app'],
];
const rankOf = new Map(LAYERS.flatMap((names, rank) => names.map((n) => [n, rank])));

function layerOf(file) {
  const first = relative(root, file).split(sep)[0].replace(/\.ts$/, '');
  return first;
}

function* sources(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) yield path;
  }
}

const importRe =
  /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;
const problems = [];
let edges = 0;
for (const file of sources(root)) {
  const from = layerOf(file);
  if (!rankOf.has(from)) {
    problems.push(
      `${relative(root, file)}: "${from}" is in no layer; add it to LAYERS in scripts/check-core-layers.mjs and to the core README`,
    );
    continue;
  }
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(importRe)) {
    const spec = m[1] ?? m[2];
    const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
    if (!target.startsWith(root)) continue;
    const to = layerOf(target);
    edges++;
    if (to === from) continue;
    const a = rankOf.get(from);
    const b = rankOf.get(to);
    if (b === undefined) {
      problems.push(`${relative(root, file)} imports ${spec}: "${to}" is in no layer`);
    } else if (b > a) {
      problems.push(`${relative(root, file)} (${from}) imports ${spec}: runs up to "${to}"`);
    } else if (b === a) {
      problems.push(
        `${relative(root, file)} (${from}) imports ${spec}: "${to}" is a sibling on the same layer`,
      );
    }
  }
}
if (problems.length) {
  console.error(
    `core layers: ${problems.length} import(s) break the order ${LAYERS.map((l) => l.join('|')).join(' < ')}`,
  );
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log(
  `core layers: ${edges} imports, all pointing down (${LAYERS.map((l) => l.join('|')).join(' < ')})`,
);
