/** `npm run start:fastify`: the Fastify example against the emulator (or real LivePerson with `LP_*` set). */
import { main } from 'example-runner';
import { createApp } from './app.js';

main({
  framework: 'Fastify',
  appAuthorization: true,
  async start(lp, port) {
    const app = await createApp(lp);
    const url = await app.listen({ port, host: '127.0.0.1' });
    return { url, close: () => app.close() };
  },
});
