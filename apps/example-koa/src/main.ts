/** `npm run start:koa`: the Koa example against the emulator (or real LivePerson with `LP_*` set). */
import type { AddressInfo } from 'node:net';
import { main } from 'example-runner';
import { createApp } from './app.js';

main({
  framework: 'Koa',
  appAuthorization: true,
  async start(lp, port) {
    const { app } = createApp(lp);
    const server = app.listen(port, '127.0.0.1');
    await new Promise((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject); // a taken port: the runner says so, or tries another one
    });
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  },
});
