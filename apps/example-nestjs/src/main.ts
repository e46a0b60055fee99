/** `npm run start:nestjs`: the NestJS example against the emulator (or real LivePerson with `LP_*` set). */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { main } from 'example-runner';
import { appModule } from './app.module.js';

main({
  framework: 'NestJS',
  appAuthorization: true,
  async start(lp, port) {
    const app = await NestFactory.create(appModule(lp), { logger: ['error', 'warn'] });
    await app.listen(port, '127.0.0.1');
    return { url: (await app.getUrl()).replace('[::1]', '127.0.0.1'), close: () => app.close() };
  },
});
