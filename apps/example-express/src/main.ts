/**
 * `npm start`: the example app against the embedded LivePerson emulator (no account needed), or
 * against real LivePerson when `LP_ACCOUNT_ID` and credentials are set in the environment.
 * It calls one LivePerson API through each configured client, prints what happened, and exits;
 * with `--serve` (`npm start -- --serve`) it keeps serving on PORT (default 3000).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { main } from 'example-runner';
import { createApp } from './app.js';

main({
  framework: 'Express',
  appAuthorization: true,
  async start(lp, port) {
    const { app } = createApp(lp);
    const server = createServer(app);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject); // a taken port: the runner says so, or tries another one
      server.listen(port, '127.0.0.1', resolve);
    });
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  },
});
