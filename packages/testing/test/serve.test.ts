import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, test } from '@jest/globals';
import { FREE_PORT_ATTEMPTS, isAddressInUse, onFreeLoopbackPort, serveOnLoopback } from '../src/index.js';

// Servers standing in for "another process" that takes the probed port before the app listens.
const holders: Server[] = [];
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await Promise.all(holders.splice(0).map((s) => new Promise((done) => s.close(done))));
});

/** Takes `port` on 127.0.0.1, as another program would between the probe and the app's listen. */
async function take(port: number): Promise<void> {
  const holder = createServer();
  holders.push(holder);
  await new Promise<void>((done, fail) => {
    holder.once('error', fail);
    holder.listen(port, '127.0.0.1', done);
  });
}

const hello = (_req: unknown, res: { end(text: string): void }) => res.end('hello');

describe('onFreeLoopbackPort', () => {
  test('when the probed port is taken before the app listens, the app is started again on another port', async () => {
    const tried: number[] = [];
    const served = await onFreeLoopbackPort(async (port) => {
      tried.push(port);
      if (tried.length === 1) await take(port);
      return serveOnLoopback(hello, port);
    });
    closers.push(served.close);
    expect(tried).toHaveLength(2);
    expect(tried[1]).not.toBe(tried[0]);
    expect(served.url).toBe(`http://127.0.0.1:${tried[1]}`);
    expect(await (await fetch(served.url)).text()).toBe('hello');
  });

  test('gives up after `attempts` taken ports, with the last EADDRINUSE', async () => {
    const tried: number[] = [];
    const failure = await onFreeLoopbackPort(async (port) => {
      tried.push(port);
      await take(port);
      return serveOnLoopback(hello, port);
    }, 3).catch((error: unknown) => error);
    expect(tried).toHaveLength(3);
    expect(isAddressInUse(failure)).toBe(true);
    expect((failure as Error).message).toContain(`127.0.0.1:${tried[2]}`);
  });

  test('any other failure is thrown at once, without another try', async () => {
    let calls = 0;
    const failure = onFreeLoopbackPort(async () => {
      calls++;
      throw new TypeError('cookieSecret is too short');
    });
    await expect(failure).rejects.toThrow('cookieSecret is too short');
    expect(calls).toBe(1);
  });

  test(`tries ${FREE_PORT_ATTEMPTS} ports by default`, async () => {
    let calls = 0;
    await expect(
      onFreeLoopbackPort(async (port) => {
        calls++;
        await take(port);
        return serveOnLoopback(hello, port);
      }),
    ).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(calls).toBe(FREE_PORT_ATTEMPTS);
  });
});
