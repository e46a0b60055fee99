#!/usr/bin/env node
// Completes package-lock.json with the other platforms' optional native packages.
//
// This machine's registry answers 404 for platform packages it does not serve
// (darwin, win32, musl builds of nx, the unrs resolver, ...). `npm install`
// then silently leaves them out of the lockfile, and `npm ci` refuses the
// lockfile as "not in sync". Each missing optional dependency gets an entry
// with its version and, read from its name, the os/cpu it is built for, so
// `npm ci` sees a complete lockfile and skips it on this platform.
//
// Run after every `npm install` that changes the lockfile: `node scripts/lock-optional.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const packages = lock.packages;

const OS = [
  'darwin',
  'linux',
  'win32',
  'freebsd',
  'android',
  'openharmony',
  'netbsd',
  'openbsd',
  'sunos',
  'aix',
];
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el', 'wasm32'];

function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = OS.find((o) => parts.includes(o));
  const cpu = CPU.find((c) => parts.includes(c));
  const libc =
    parts.includes('musl') || parts.includes('musleabihf')
      ? 'musl'
      : parts.includes('gnu') || parts.includes('gnueabihf')
        ? 'glibc'
        : undefined;
  return { os, cpu, libc };
}

/** Where node's resolution would put `dep` required from the package at `from`. */
function resolveLocation(from, dep) {
  let base = from;
  for (;;) {
    const candidate = (base ? `${base}/` : '') + `node_modules/${dep}`;
    if (packages[candidate]) return { found: true, at: candidate };
    if (!base) return { found: false, at: `node_modules/${dep}` };
    const idx = base.lastIndexOf('/node_modules/');
    base = idx === -1 ? '' : base.slice(0, idx);
  }
}

let added = 0;
for (const [location, entry] of Object.entries({ ...packages })) {
  const optional = entry.optionalDependencies;
  if (!optional) continue;
  for (const [dep, range] of Object.entries(optional)) {
    const { found, at } = resolveLocation(location, dep);
    if (found) continue;
    const version = range.replace(/^[\^~=]/, '');
    if (!/^\d+\.\d+\.\d+/.test(version)) continue;
    const { os, cpu, libc } = platformOf(dep);
    if (!os && !cpu) continue; // only platform builds are expected to be absent
    packages[at] = {
      version,
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      ...(cpu ? { cpu: [cpu] } : {}),
      ...(libc ? { libc: [libc] } : {}),
      ...(os ? { os: [os] } : {}),
    };
    added += 1;
  }
}

const sorted = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)),
);
lock.packages = sorted;
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`lock-optional: added ${added} platform package entries`);
