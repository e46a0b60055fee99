#!/usr/bin/env node
// Every link in the repository's documentation must stay inside the repository: a relative link or
// path that climbs out of it (`../shared/…`), or a mention of a document that only exists outside it,
// works on one machine and is broken for everyone else (and on GitHub and npm). Relative links must
// also name a file that exists. Scans every Markdown file git tracks, and typedoc.json's documents.
//
// Usage: `node scripts/check-doc-links.mjs` (also run by `npm run check:packages`). Exit code 0 when
// every link is fine, 1 otherwise, with one line per bad link.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';

const root = resolve(new URL('..', import.meta.url).pathname);

/** Documents that live outside the repository and must never be pointed at by name. */
const OUTSIDE_DOCUMENTS = /\bDESIGN\.md\b|\bLIVEPERSON-WIRE\b/;

function isInside(path) {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith('/'));
}

/** Problems of one Markdown file's text; `file` is its absolute path. */
export function linkProblems(file, text) {
  const problems = [];
  const lines = text.split('\n');
  let fenced = false;
  lines.forEach((line, i) => {
    const where = `${relative(root, file)}:${i + 1}`;
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (OUTSIDE_DOCUMENTS.test(line)) {
      problems.push(
        `${where}: names a document outside the repository (${line.match(OUTSIDE_DOCUMENTS)[0]})`,
      );
    }
    if (fenced) return;
    // [text](target) and <a href="target">; then `../…` paths written as code.
    const targets = [
      ...[...line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]),
      ...[...line.matchAll(/\bhref="([^"]+)"/g)].map((m) => m[1]),
    ];
    for (const target of targets) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue; // https:, mailto:, anchors
      const path = decodeURIComponent(target.replace(/[?#].*$/, ''));
      if (path === '') continue;
      const absolute = path.startsWith('/') ? join(root, path) : resolve(dirname(file), path);
      if (!isInside(absolute)) problems.push(`${where}: links outside the repository (${target})`);
      else if (!existsSync(absolute)) problems.push(`${where}: links to a missing file (${target})`);
    }
    // (Only paths to documents: SECURITY.md quotes a `../../dev/null` kid, which is no link.)
    for (const [, path] of line.matchAll(/`((?:\.\.\/)+[^`\s#]*\.(?:md|html|txt))(?:#[^`\s]*)?`/g)) {
      if (!isInside(resolve(dirname(file), path))) {
        problems.push(`${where}: a path outside the repository (${path})`);
      }
    }
  });
  return problems;
}

export async function checkDocLinks() {
  const { stdout } = await promisify(execFile)('git', ['ls-files', '-z', '--', '*.md', 'typedoc.json'], {
    cwd: root,
  });
  const files = stdout.split('\0').filter(Boolean);
  const problems = [];
  for (const name of files) {
    const file = join(root, name);
    if (!existsSync(file)) continue; // deleted in the work tree
    const text = await readFile(file, 'utf8');
    problems.push(...linkProblems(file, text));
  }
  return { files: files.length, problems };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { files, problems } = await checkDocLinks();
  for (const p of problems) console.log(p);
  console.log(
    problems.length
      ? `\n${problems.length} bad link(s).`
      : `Links of ${files} documents stay in the repository.`,
  );
  process.exitCode = problems.length ? 1 : 0;
}
