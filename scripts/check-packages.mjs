#!/usr/bin/env node
// Checks that every publishable package installs and loads the way users will get it, from the
// tarball `npm pack` makes rather than from the workspace (where symlinks and the repo's own
// node_modules hide a missing file or a wrong `exports`):
//
//   1. `npm pack` into a temp dir; the tarball must hold dist/ and no sources or tests;
//   2. publint (package.json fields against the files actually packed);
//   3. attw, "Are the types wrong?" (types resolve for every TypeScript module mode);
//   4. install all the tarballs together into a scratch project (`--prefer-offline`: the npm cache
//      first, the registry for what it lacks) and load each package with both `import()` and
//      `require()`; the latter is Node's require(esm), on by default from Node 20.19, which our
//      `engines` field asks for. The cli's `lp-auth` bin must run too;
//   5. each installed package: LICENSE and the repository/homepage/bugs fields are there, and its
//      source maps carry their sources (`sourcesContent`), since src/ is not shipped; no declaration
//      map (it could only point at the missing src/);
//   6. TypeScript in a CommonJS project, against the installed core: `module` commonjs, nodenext and
//      node20 type-check, compile and run; node16 fails with TS1479 (what the README says);
//   7. strict installs: a scratch app installed with pnpm lists the four adapters but not
//      @lp-auth/core, imports only from the adapters, type-checks (tsc) and runs its Express app;
//      importing @lp-auth/core from it must fail, or the check would prove nothing;
//   8. NestJS 10, the oldest Nest of @lp-auth/nestjs's peer range (the workspace tests on 12): a scratch
//      app installs Nest 10 from the registry with the core, nestjs and testing tarballs, type-checks,
//      compiles and answers requests on Express and Fastify against the emulator
//      (scripts/check-packages/nest10.mjs says what it covers);
//   9. links in the repository's Markdown stay inside it (scripts/check-doc-links.mjs).
//
// Packages must be built first (`npm run build`; `npm test` does it). Usage: `npm run check:packages`.
// Exit code 0 when every check passes, 1 otherwise.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { checkDocLinks } from './check-doc-links.mjs';
import { PNPM_APP_FILES, PNPM_APP_TSCONFIG, pnpmAppPackageJson } from './check-packages/pnpm-app.mjs';
import { NEST10_APP_FILES, NEST10_TSCONFIG, nest10PackageJson } from './check-packages/nest10.mjs';
import { MODULE_MODES, TYPESCRIPT_APP, modeTsconfig } from './check-packages/typescript-modes.mjs';

const run = promisify(execFile);
const root = new URL('..', import.meta.url).pathname;
const bin = (name) => join(root, 'node_modules/.bin', name);

/**
 * Publishable packages. The framework adapters' peer dependencies (express, koa, fastify, and Nest's
 * @nestjs/common, @nestjs/core, reflect-metadata and rxjs) are not listed anywhere here: npm (7 and
 * later) installs a package's non-optional peers with it, from the registry, as it will for users, so
 * the scratch install below also proves that the peer ranges resolve to versions that exist.
 */
const PACKAGES = [
  { dir: 'core' },
  { dir: 'express' },
  { dir: 'koa' },
  { dir: 'fastify' },
  { dir: 'nestjs' },
  { dir: 'testing' },
  { dir: 'cli', bin: 'lp-auth' },
  { dir: 'redis' },
];

// Our packages are ESM-only, and that is a choice: Node >= 20.19 (our `engines`) loads them from
// CommonJS through require(esm), and TypeScript >= 5.8 types that under `module: node16/nodenext`.
// attw cannot know the engines range and reports "CJS resolves to ESM" for every ESM-only package,
// so exactly that rule is ignored. Not `--profile esm-only`: it skips the CommonJS resolution modes
// altogether and would hide a real problem there (types missing for `node10`, a bad `exports` path).
const ATTW_ARGS = ['--ignore-rules', 'cjs-resolves-to-esm', '--format', 'ascii', '--no-color', '--no-emoji'];

/** Runs a command; resolves with its output whatever its exit code. */
async function sh(file, args, options = {}) {
  try {
    const { stdout, stderr } = await run(file, args, { maxBuffer: 16 * 1024 * 1024, ...options });
    return { ok: true, stdout, output: `${stdout}${stderr}` };
  } catch (error) {
    return {
      ok: false,
      stdout: error.stdout ?? '',
      output: `${error.stdout ?? ''}${error.stderr ?? ''}` || error.message,
    };
  }
}

const results = [];
function record(pkg, check, ok, detail = '') {
  results.push({ pkg, check, ok, detail: detail.trim() });
}

async function pack(pkg, into) {
  const packed = await sh('npm', ['pack', '--json', '--pack-destination', into], {
    cwd: join(root, 'packages', pkg.dir),
  });
  if (!packed.ok) {
    record(pkg.dir, 'npm pack', false, packed.output);
    return undefined;
  }
  const [info] = JSON.parse(packed.stdout);
  const paths = info.files.map((f) => f.path);
  const stray = paths.filter((p) => /^(src|test)\//.test(p) || /\.test\.[cm]?[jt]s$/.test(p));
  const ok = paths.some((p) => p.startsWith('dist/')) && stray.length === 0;
  record(
    pkg.dir,
    'npm pack',
    ok,
    ok ? `${paths.length} files` : `no dist/ or stray files: ${stray.join(', ')}`,
  );
  return join(into, info.filename);
}

async function lint(pkg, tarball) {
  const [publint, attw] = await Promise.all([
    sh(bin('publint'), ['run', tarball, '--strict']),
    sh(bin('attw'), [tarball, ...ATTW_ARGS]),
  ]);
  record(pkg.dir, 'publint', publint.ok, publint.ok ? '' : publint.output);
  record(pkg.dir, 'attw', attw.ok, attw.ok ? '' : attw.output);
}

async function installAndLoad(packed, scratch) {
  const project = join(scratch, 'project');
  await run('mkdir', ['-p', project]);
  // No "type" field: `node -e` below then runs as CommonJS, as a CommonJS user's code would.
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'scratch', private: true }));
  const installed = await sh(
    'npm',
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--no-package-lock',
      ...packed.map((p) => p.tarball),
      '@types/node@^20.19.0', // for the TypeScript checks below, as a TypeScript user has it
    ],
    { cwd: project },
  );
  record('all', 'npm install', installed.ok, installed.ok ? '' : installed.output);
  if (!installed.ok) return;
  for (const { pkg } of packed) {
    const name = `@lp-auth/${pkg.dir}`;
    const viaImport = await sh(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import('${name}'); if (!Object.keys(m).length) throw new Error('no exports');`,
      ],
      { cwd: project },
    );
    record(pkg.dir, 'import()', viaImport.ok, viaImport.ok ? '' : viaImport.output);
    const viaRequire = await sh(
      process.execPath,
      ['-e', `const m = require('${name}'); if (!Object.keys(m).length) throw new Error('no exports');`],
      { cwd: project },
    );
    record(pkg.dir, 'require()', viaRequire.ok, viaRequire.ok ? '' : viaRequire.output);
    if (pkg.bin) {
      const ran = await sh(join(project, 'node_modules/.bin', pkg.bin), ['--version'], { cwd: project });
      record(pkg.dir, `bin ${pkg.bin}`, ran.ok, ran.ok ? `--version: ${ran.stdout.trim()}` : ran.output);
    }
    await checkShipped(pkg, join(project, 'node_modules', name));
  }
  await checkModuleModes(project);
}

/** LICENSE, the links of package.json, and source maps that carry their sources. */
async function checkShipped(pkg, installed) {
  const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8'));
  const missing = [];
  if (!existsSync(join(installed, 'LICENSE'))) missing.push('LICENSE file');
  if (manifest.license !== 'MIT') missing.push('"license": "MIT"');
  if (!/^git\+https:\/\/github\.com\//.test(manifest.repository?.url ?? '')) missing.push('repository.url');
  if (manifest.repository?.directory !== `packages/${pkg.dir}`)
    missing.push(`repository.directory packages/${pkg.dir}`);
  if (!/^https:\/\//.test(manifest.homepage ?? '')) missing.push('homepage');
  if (!/^https:\/\//.test(manifest.bugs?.url ?? '')) missing.push('bugs.url');
  record(
    pkg.dir,
    'license and links',
    missing.length === 0,
    missing.length ? `missing: ${missing.join(', ')}` : '',
  );

  const files = (await readdir(join(installed, 'dist'), { recursive: true })).map((f) => join('dist', f));
  const problems = [];
  let maps = 0;
  for (const file of files) {
    if (file.endsWith('.d.ts.map'))
      problems.push(`${file}: a declaration map points at src/, which is not shipped`);
    if (!/\.(js|d\.ts)$/.test(file)) continue;
    const text = await readFile(join(installed, file), 'utf8');
    const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text)?.[1];
    if (!url) {
      if (file.endsWith('.js')) problems.push(`${file}: no source map`);
      continue;
    }
    const mapFile = join(dirname(join(installed, file)), url);
    if (!existsSync(mapFile)) {
      problems.push(`${file}: its source map ${url} is not shipped`);
      continue;
    }
    const map = JSON.parse(await readFile(mapFile, 'utf8'));
    const content = map.sourcesContent ?? [];
    if (
      !map.sources?.length ||
      content.length !== map.sources.length ||
      content.some((c) => typeof c !== 'string')
    ) {
      problems.push(`${file}.map: no sourcesContent for ${map.sources?.join(', ')}`);
    }
    maps += 1;
  }
  record(
    pkg.dir,
    'source maps',
    problems.length === 0 && maps > 0,
    problems.length
      ? problems.slice(0, 5).join('\n')
      : maps
        ? `${maps} maps with their sources`
        : 'no source maps',
  );
}

/** The README's "CommonJS and TypeScript" table, against the installed @lp-auth/core. */
async function checkModuleModes(project) {
  await writeFile(join(project, 'app.ts'), TYPESCRIPT_APP);
  for (const mode of MODULE_MODES) {
    const config = join(project, `tsconfig.${mode.mode}.json`);
    await writeFile(config, JSON.stringify(modeTsconfig(mode), null, 2));
    const compiled = await sh(bin('tsc'), ['-p', config], { cwd: project });
    const check = `typescript module ${mode.mode}`;
    if (!mode.accepts) {
      const ok = !compiled.ok && compiled.output.includes(`error ${mode.expected}`);
      record(
        'core',
        check,
        ok,
        ok
          ? `refused with ${mode.expected}, as documented`
          : `expected ${mode.expected}:\n${compiled.output}`,
      );
      continue;
    }
    if (!compiled.ok) {
      record('core', check, false, compiled.output);
      continue;
    }
    const ran = await sh(process.execPath, [join(project, `out-${mode.mode}`, 'app.js')], { cwd: project });
    record(
      'core',
      check,
      ran.ok && ran.stdout.trim() === 'ok',
      ran.ok ? 'type-checks, compiles, runs' : ran.output,
    );
  }
}

/** pnpm's strict layout: an app that lists only the adapters gets everything it needs from them. */
async function checkStrictInstall(packed, scratch) {
  const app = join(scratch, 'pnpm-app');
  await mkdir(join(app, 'src'), { recursive: true });
  const tarballs = new Map(packed.map(({ pkg, tarball }) => [pkg.dir, tarball]));
  await writeFile(join(app, 'package.json'), JSON.stringify(pnpmAppPackageJson(tarballs), null, 2));
  await writeFile(join(app, 'tsconfig.json'), JSON.stringify(PNPM_APP_TSCONFIG, null, 2));
  for (const [name, text] of Object.entries(PNPM_APP_FILES)) await writeFile(join(app, name), text);
  const installed = await sh(bin('pnpm'), ['install', '--prefer-offline', '--reporter=append-only'], {
    cwd: app,
  });
  record('all', 'pnpm install (adapters only)', installed.ok, installed.ok ? '' : installed.output);
  if (!installed.ok) return;
  const core = await sh(process.execPath, ['--input-type=module', '-e', "await import('@lp-auth/core')"], {
    cwd: app,
  });
  const strict = !core.ok && core.output.includes('ERR_MODULE_NOT_FOUND');
  record('all', 'pnpm app cannot import core', strict, strict ? 'the layout is strict' : core.output);
  const compiled = await sh(bin('tsc'), ['-p', 'tsconfig.json'], { cwd: app });
  record('all', 'pnpm app tsc', compiled.ok, compiled.ok ? '4 apps, one per adapter' : compiled.output);
  if (!compiled.ok) return;
  const ran = await sh(process.execPath, ['out/express-app.js'], { cwd: app });
  record('all', 'pnpm app runs', ran.ok, ran.ok ? ran.stdout.trim() : ran.output);
}

/** @lp-auth/nestjs on NestJS 10 (CommonJS, Express 4, Fastify 4), end to end. */
async function checkNest10(packed, scratch) {
  const app = join(scratch, 'nest10-app');
  await mkdir(join(app, 'src'), { recursive: true });
  const tarballs = new Map(packed.map(({ pkg, tarball }) => [pkg.dir, tarball]));
  if (!['core', 'nestjs', 'testing'].every((dir) => tarballs.has(dir))) return;
  await writeFile(join(app, 'package.json'), JSON.stringify(nest10PackageJson(tarballs), null, 2));
  await writeFile(join(app, 'tsconfig.json'), JSON.stringify(NEST10_TSCONFIG, null, 2));
  for (const [name, text] of Object.entries(NEST10_APP_FILES)) await writeFile(join(app, name), text);
  const installed = await sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: app });
  record('nestjs', 'nest 10 npm install', installed.ok, installed.ok ? '' : installed.output);
  if (!installed.ok) return;
  const compiled = await sh(bin('tsc'), ['-p', 'tsconfig.json'], { cwd: app });
  record('nestjs', 'nest 10 tsc', compiled.ok, compiled.output);
  if (!compiled.ok) return;
  const ran = await sh(process.execPath, ['out/main.js'], { cwd: app, timeout: 60_000 });
  record('nestjs', 'nest 10 app runs', ran.ok, ran.ok ? ran.stdout.trim() : ran.output);
}

async function main() {
  const started = Date.now();
  const links = await checkDocLinks();
  record(
    'all',
    'doc links',
    links.problems.length === 0,
    links.problems.length ? links.problems.join('\n') : `${links.files} documents`,
  );
  const scratch = await mkdtemp(join(tmpdir(), 'lp-auth-check-packages-'));
  try {
    const packed = [];
    for (const pkg of PACKAGES) {
      if (!existsSync(join(root, 'packages', pkg.dir, 'dist'))) {
        record(pkg.dir, 'dist', false, 'no dist/: run "npm run build" first');
        continue;
      }
      const tarball = await pack(pkg, scratch);
      if (tarball) packed.push({ pkg, tarball });
    }
    // publint and attw read only their tarball: run them for all packages at once.
    await Promise.all(packed.map(({ pkg, tarball }) => lint(pkg, tarball)));
    if (packed.length) {
      await Promise.all([
        installAndLoad(packed, scratch),
        checkStrictInstall(packed, scratch),
        checkNest10(packed, scratch),
      ]);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  // Checks ran in parallel: list them by package, in the order above.
  const order = ['all', ...PACKAGES.map((p) => p.dir)];
  results.sort((a, b) => order.indexOf(a.pkg) - order.indexOf(b.pkg));
  const width = Math.max(...results.map((r) => `${r.pkg} ${r.check}`.length));
  for (const r of results) {
    console.log(
      `${r.ok ? 'ok  ' : 'FAIL'}  ${`${r.pkg} ${r.check}`.padEnd(width)}  ${r.ok ? r.detail.split('\n')[0] : ''}`,
    );
    if (!r.ok) console.log(r.detail.replace(/^/gm, '      '));
  }
  const failed = results.filter((r) => !r.ok).length;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    failed ? `\n${failed} check(s) failed (${seconds} s).` : `\nAll package checks passed (${seconds} s).`,
  );
  process.exitCode = failed ? 1 : 0;
}

await main();
