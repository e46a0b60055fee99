import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';

export const PLATFORMS = ['express', 'fastify'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** A Nest app of `module` on `platform`, listening on 127.0.0.1 (at `port`, or any free one). */
export async function serveNest(
  module: Type | DynamicModule,
  platform: Platform,
  port = 0,
): Promise<{ app: INestApplication; url: string; close(): Promise<void> }> {
  const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
  const app = await NestFactory.create(module, adapter, { logger: false, abortOnError: false });
  // A taken port: close the app before the caller tries another one.
  await app.listen(port, '127.0.0.1').catch(async (error: unknown) => {
    await app.close().catch(() => undefined);
    throw error;
  });
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, url, close: () => app.close() };
}

/** A GET with `Authorization: Bearer <token>` (or none), answering the status and the parsed JSON body. */
export async function getJson(
  url: string,
  token?: string,
): Promise<{ status: number; body: Record<string, unknown>; challenge: string | null }> {
  const res = await fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  return {
    status: res.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    challenge: res.headers.get('www-authenticate'),
  };
}
