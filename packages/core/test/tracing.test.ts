import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { startEmulator, type Emulator } from '@lp-auth/testing';
import { createLpAuth, silentLogger, type LpAuth } from './core.js';

const exporter = new InMemorySpanExporter();
let emu: Emulator;
let lp: LpAuth;

beforeAll(async () => {
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  );
  emu = await startEmulator();
  lp = createLpAuth({
    ...emu.lpAuthOptions(),
    logger: silentLogger,
    http: { retry: { baseDelayMs: 5, maxDelayMs: 20 } },
    credentials: { appJwt: emu.credentials.appJwt },
  });
});

afterAll(async () => {
  await lp.close();
  await emu.close();
  trace.disable();
});

test('with @opentelemetry/api installed, LivePerson calls and token requests become spans without secrets', async () => {
  await lp.client('appJwt').request({
    service: 'accountConfigReadOnly',
    path: '/api/account/{accountId}/configuration/le-users/skills',
  });
  emu.faults.inject('api.skills', { status: 404, times: 1 });
  await expect(
    lp.client('appJwt').request({
      service: 'accountConfigReadOnly',
      path: '/api/account/{accountId}/configuration/le-users/skills',
    }),
  ).rejects.toMatchObject({ code: 'api_error' });

  const spans = exporter.getFinishedSpans();
  const token = spans.find((s) => s.name === 'lp-auth token appJwt');
  expect(token?.attributes['lp_auth.credential']).toBe('appJwt');
  const calls = spans.filter((s) => s.name === 'LivePerson GET');
  expect(calls.map((s) => s.attributes['http.response.status_code'])).toEqual([200, 404]);
  expect(calls[0]!.attributes).toMatchObject({
    'http.request.method': 'GET',
    'lp_auth.service': 'accountConfigReadOnly',
    'lp_auth.credential': 'appJwt',
  });
  expect(String(calls[0]!.attributes['url.full'])).toContain('/configuration/le-users/skills');
  const dump = JSON.stringify(
    spans.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events })),
  );
  expect(dump).not.toContain(emu.credentials.appJwt.clientSecret);
  expect(dump).not.toMatch(/eyJ[\w-]+\.[\w-]+\./); // no JWT anywhere
  expect(calls[1]!.status.code).not.toBe(SpanStatusCode.ERROR); // a 404 answer is a response, not a failure of the call
});
