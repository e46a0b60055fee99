/**
 * `npm start` as a person runs it: it must exit 0 by itself, and its "Log in with LivePerson" line
 * must name the command that keeps the app up (`npm start -- --serve`), since the app it would
 * have pointed at is gone once the run ends. Then that command's `--serve` is run to show it serves.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createServer } from 'node:net';
import { afterAll, describe, expect, test } from '@jest/globals';
import { onFreeLoopbackPort } from '@lp-auth/testing';

const root = resolve(import.meta.dirname, '../../..');
const running = new Set<ReturnType<typeof spawn>>();

afterAll(() => {
  for (const proc of running) proc.kill('SIGKILL');
});

/** The environment of a person with no LivePerson settings: the embedded emulator is used. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'TMPDIR'].flatMap((name) =>
    process.env[name] ? [[name, process.env[name]]] : [],
  );
  return { ...Object.fromEntries(keep), NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', ...extra };
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv) {
  const proc = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(proc);
  let out = '';
  proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  proc.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((done) =>
    proc.on('close', (code) => {
      running.delete(proc);
      done(code);
    }),
  );
  return { proc, output: () => out, exited };
}

/**
 * `--serve` on `port`: resolves once it says it serves. When it stops first it rejects with its
 * output, and with `code: 'EADDRINUSE'` when it said the port was taken.
 */
async function serveOn(port: number) {
  const app = run(
    process.execPath,
    ['apps/example-express/dist/main.js', '--serve'],
    cleanEnv({ PORT: String(port) }),
  );
  const serving = new RegExp(`Serving on http://127\\.0\\.0\\.1:${port}; press Ctrl\\+C to stop`);
  // Bounded: the output is checked on each chunk; a run that ends first fails the wait.
  await new Promise<void>((done, fail) => {
    app.proc.stdout.on('data', () => serving.test(app.output()) && done());
    void app.exited.then((code) =>
      fail(
        Object.assign(new Error(`exited with ${code}: ${app.output()}`), {
          code: /EADDRINUSE/.test(app.output()) ? 'EADDRINUSE' : undefined,
        }),
      ),
    );
  });
  return app;
}

describe('npm start', () => {
  test('exits 0 and says `npm start -- --serve` where it tells you to open the app in a browser', async () => {
    const npm = run('npm', ['start'], cleanEnv());
    expect(await npm.exited).toBe(0);
    expect(npm.output()).toMatch(
      /\nLog in with LivePerson: run `npm start -- --serve` and open http:\/\/127\.0\.0\.1:3000\/ in a browser \(this run exits\)/,
    );
  }, 180_000);

  test('with --serve it keeps serving on PORT until SIGTERM, then exits 0', async () => {
    // PORT is chosen before the app listens; when another process takes it first, another port.
    const app = await onFreeLoopbackPort(serveOn);
    const port = Number(/Serving on http:\/\/127\.0\.0\.1:(\d+)/.exec(app.output())![1]);
    expect(app.output()).toMatch(
      new RegExp(`Log in with LivePerson: open http://127\\.0\\.0\\.1:${port}/ in a browser`),
    );
    const res = await fetch(`http://127.0.0.1:${port}/auth/login`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    app.proc.kill('SIGTERM');
    expect(await app.exited).toBe(0);
  }, 60_000);

  test('with --serve on a port another program holds, it exits 1 and says to set PORT (no stack)', async () => {
    const holder = createServer();
    await new Promise<void>((done) => holder.listen(0, '127.0.0.1', done));
    try {
      const { port } = holder.address() as { port: number };
      const app = run(
        process.execPath,
        ['apps/example-express/dist/main.js', '--serve'],
        cleanEnv({ PORT: String(port) }),
      );
      expect(await app.exited).toBe(1);
      expect(app.output()).toContain(`listen EADDRINUSE: address already in use 127.0.0.1:${port}`);
      expect(app.output()).toContain('Another program uses that port: set PORT to a free one.');
      expect(app.output()).not.toMatch(/\n\s+at /);
    } finally {
      await new Promise((done) => holder.close(done));
    }
  }, 60_000);
});
