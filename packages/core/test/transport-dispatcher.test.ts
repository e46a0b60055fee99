/**
 * The undici transport of `request()` and Node's own fetch share one global dispatcher: an app's
 * `setGlobalDispatcher(new ProxyAgent(…))` routes both. Checked in a child process, since Node's
 * fetch reads the dispatcher from the real global object, not from the test's context.
 */
import { describe, expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const SCRIPT = `
import http from 'node:http';
const server = http.createServer((_req, res) => res.end('ok')).listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const url = 'http://127.0.0.1:' + server.address().port + '/';
if (process.argv[1] === 'fetch-first') await (await fetch(url)).text();
const { Agent, request, setGlobalDispatcher } = await import('undici');
const agent = new Agent();
let dispatched = 0;
setGlobalDispatcher({
  dispatch: (options, handler) => (dispatched++, agent.dispatch(options, handler)),
  close: () => agent.close(),
  destroy: () => agent.destroy(),
  on() { return this; }, once() { return this; }, off() { return this; },
});
await (await request(url)).body.text();
await (await fetch(url)).text();
console.log(JSON.stringify({ dispatched }));
server.close();
await agent.close();
`;

describe("undici's request() and Node's fetch share the global dispatcher", () => {
  test.each(['undici-first', 'fetch-first'])('one setGlobalDispatcher routes both (%s)', async (order) => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--input-type=module', '-e', SCRIPT, order],
      { cwd: dirname(fileURLToPath(import.meta.url)), timeout: 20_000 },
    );
    expect(JSON.parse(stdout)).toEqual({ dispatched: 2 });
  });
});
