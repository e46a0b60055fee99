import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { startEmulator, type Emulator } from '@lp-auth/testing';
import { ConfigError, createLpAuth, LpApiError, type LpAuth, type LpClient } from './core.js';
import { expectNoSecret, printed, recordingLogger } from './helpers.js';

const CONVERSATION = '/api/account/{accountId}/messaging/consumer/conversation';
const SEND = '/api/account/{accountId}/messaging/consumer/conversation/send';

let emu: Emulator;
let lp: LpAuth;
let client: LpClient;
let logger: ReturnType<typeof recordingLogger>;
let sent: { authorization: string | null; onBehalf: string | null }[];

beforeEach(async () => {
  emu = await startEmulator();
  logger = recordingLogger();
  sent = [];
  lp = createLpAuth({
    ...emu.lpAuthOptions(),
    logger,
    http: {
      retry: { baseDelayMs: 20, maxDelayMs: 100 },
      // Watches the real requests go by, to see the headers each attempt carried.
      fetch: (input, init) => {
        const h = new Headers(init?.headers);
        sent.push({ authorization: h.get('authorization'), onBehalf: h.get('x-lp-on-behalf') });
        return fetch(input, init);
      },
    },
    credentials: { appJwt: emu.credentials.appJwt },
  });
  client = lp.client('appJwt');
});
afterEach(async () => {
  await lp.close();
  await emu.close();
});

const openConversation = (consumer: string) =>
  client.request<{ body: { conversationId: string } }[]>({
    service: 'asyncMessagingEnt',
    path: CONVERSATION,
    method: 'POST',
    query: { v: 3 },
    onBehalfOf: consumer,
    json: [
      {
        kind: 'req',
        id: '1,',
        type: 'userprofile.SetUserProfile',
        body: { authenticatedData: { lp_sdes: [] } },
      },
      { kind: 'req', id: '2,', type: 'cm.ConsumerRequestConversation', body: { brandId: emu.accountId } },
    ],
  });

const publish = (consumer: string, dialogId: string, message = 'hello') =>
  client.request<{ code: number }>({
    service: 'asyncMessagingEnt',
    path: SEND,
    method: 'POST',
    query: { v: 3 },
    onBehalfOf: consumer,
    json: {
      kind: 'req',
      id: 1,
      type: 'ms.PublishEvent',
      body: { dialogId, event: { type: 'ContentEvent', contentType: 'text/plain', message } },
    },
  });

const conversationIdOf = (res: Awaited<ReturnType<typeof openConversation>>) =>
  res.data[1]!.body.conversationId;

describe('ConsumerJWS and the Send API against the emulator', () => {
  test('opens a conversation and sends a message for a consumer: raw AppJWT + X-LP-ON-BEHALF', async () => {
    const opened = await openConversation('consumer-1');
    expect(opened.status).toBe(200);
    const conversationId = conversationIdOf(opened);
    expect((await publish('consumer-1', conversationId)).data.code).toBe(200);
    expect(emu.stats.count('idp.consumer')).toBe(1);
    expect(emu.stats.count('sentinel.token')).toBe(1);
    const last = sent.at(-1)!;
    expect(last.authorization).toMatch(/^eyJ[^ ]+$/); // raw, no "Bearer"
    expect(last.onBehalf).toMatch(/^eyJ/);
    expectNoSecret(logger.lines.join('\n'), [
      emu.credentials.appJwt.clientSecret,
      last.authorization!,
      last.onBehalf!,
    ]);
  });

  test('many concurrent calls for one consumer make one idp call; other consumers get their own JWS', async () => {
    const results = await Promise.all([
      ...Array.from({ length: 100 }, () => openConversation('consumer-a')),
      ...Array.from({ length: 10 }, () => openConversation('consumer-b')),
    ]);
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(emu.stats.count('idp.consumer')).toBe(2);
    expect(emu.stats.count('sentinel.token')).toBe(1);
    const jwsA = new Set(sent.filter((s) => s.onBehalf).map((s) => s.onBehalf));
    expect(jwsA.size).toBe(2);
  });

  test("a consumer cannot write into another consumer's conversation", async () => {
    const conversationId = conversationIdOf(await openConversation('alice'));
    const error = await publish('mallory', conversationId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LpApiError);
    expect((error as LpApiError).status).toBe(403);
  });

  test('a 401 with errorCode 40103 refetches the JWS once, then succeeds', async () => {
    await openConversation('consumer-1');
    emu.faults.inject('send.conversation', {
      status: 401,
      body: {
        kind: 'resp',
        code: 401,
        body: { title: 'Unauthorized', details: 'ConsumerJWS is invalid', errorCode: 40103 },
        type: '.ReqBody$ErrorResp',
      },
    });
    expect((await openConversation('consumer-1')).status).toBe(200);
    expect(emu.stats.count('idp.consumer')).toBe(2);
    expect(emu.stats.count('sentinel.token')).toBe(1);
  });

  test('a 401 with errorCode 40102 refreshes the AppJWT once (not the JWS), then succeeds', async () => {
    await openConversation('consumer-1');
    emu.faults.inject('send.conversation', {
      status: 401,
      body: { kind: 'resp', code: 401, body: { title: 'Unauthorized', details: 'x', errorCode: 40102 } },
    });
    expect((await openConversation('consumer-1')).status).toBe(200);
    expect(emu.stats.count('sentinel.token')).toBe(2);
    expect(emu.stats.count('idp.consumer')).toBe(1);
  });

  test('40103 then 40102 in one call: each token is replaced once, the other kept, then it succeeds', async () => {
    await openConversation('consumer-1');
    const refused = (errorCode: number) => ({
      status: 401,
      body: { kind: 'resp', code: 401, body: { title: 'Unauthorized', details: 'x', errorCode } },
    });
    emu.faults.inject('send.conversation', refused(40103));
    emu.faults.inject('send.conversation', refused(40102));
    const before = sent.length;
    expect((await openConversation('consumer-1')).status).toBe(200);
    expect(emu.stats.count('idp.consumer')).toBe(2);
    expect(emu.stats.count('sentinel.token')).toBe(2);
    const [first, second, third] = sent.slice(before).filter((s) => s.onBehalf);
    // The idp's JWS for one consumer may come back the same (iat in seconds): the count shows the refetch.
    expect(second!.authorization).toBe(first!.authorization);
    expect(third!.onBehalf).toBe(second!.onBehalf);
    expect(third!.authorization).not.toBe(second!.authorization);
  });

  test('fetch with onBehalfOf: a 40103 refetches the JWS once; a second refusal is the answer, its body readable', async () => {
    await openConversation('consumer-1');
    const body = {
      kind: 'resp',
      code: 401,
      body: { title: 'Unauthorized', details: 'no', errorCode: 40103 },
    };
    emu.faults.inject('send.conversation', { status: 401, body });
    const call = () =>
      client.fetch('/api/account/' + emu.accountId + '/messaging/consumer/conversation?v=3', {
        service: 'asyncMessagingEnt',
        method: 'POST',
        onBehalfOf: 'consumer-1',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([
          { kind: 'req', id: '1', type: 'cm.ConsumerRequestConversation', body: { brandId: emu.accountId } },
        ]),
      });
    expect((await call()).status).toBe(200);
    expect(emu.stats.count('idp.consumer')).toBe(2);
    emu.faults.inject('send.conversation', { status: 401, body, times: 2 });
    const refused = await call();
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ body: { errorCode: 40103 } });
    expect(emu.stats.count('idp.consumer')).toBe(3);
  });

  test('a JWS refused twice is final: one refetch only, and the 401 body reaches the caller', async () => {
    await openConversation('consumer-1');
    const body = {
      kind: 'resp',
      code: 401,
      body: { title: 'Unauthorized', details: 'no', errorCode: 40103 },
    };
    emu.faults.inject('send.conversation', { status: 401, body, times: 2 });
    const error = await openConversation('consumer-1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LpApiError);
    expect((error as LpApiError).body).toMatchObject({ body: { errorCode: 40103 } });
    expect(emu.stats.count('idp.consumer')).toBe(2);
    expectNoSecret(
      printed(error),
      sent.flatMap((s) => [s.authorization ?? 'x', s.onBehalf ?? 'x']).filter((s) => s !== 'x'),
    );
  });

  test('the emulator rejects a tampered JWS, a JWS for another consumer swapped in, and missing tokens', async () => {
    const conversationId = conversationIdOf(await openConversation('alice'));
    const { authorization, onBehalf } = sent.at(-1)!;
    const url = `${emu.url}/api/account/${emu.accountId}/messaging/consumer/conversation/send?v=3`;
    const post = (headers: Record<string, string>) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({
          kind: 'req',
          id: 1,
          type: 'ms.PublishEvent',
          body: { dialogId: conversationId },
        }),
      }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as { body: { errorCode?: number } },
      }));
    // Tampered payload: claims to be another consumer, keeps alice's signature.
    const [h, p, s] = onBehalf!.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, lp_consumer_id: 'someone-else' })).toString(
      'base64url',
    );
    const tampered = await post({
      authorization: authorization!,
      'x-lp-on-behalf': `${h}.${forgedPayload}.${s}`,
    });
    expect(tampered).toMatchObject({ status: 401, body: { body: { errorCode: 40103 } } });
    expect((await post({ authorization: authorization! })).body.body.errorCode).toBe(40104);
    expect((await post({ 'x-lp-on-behalf': onBehalf! })).body.body.errorCode).toBe(40105);
    expect(
      (await post({ authorization: `Bearer ${authorization!}`, 'x-lp-on-behalf': onBehalf! })).body.body
        .errorCode,
    ).toBe(40102);
    // bob's genuine JWS cannot write into alice's conversation.
    await openConversation('bob');
    const bobJws = sent.at(-1)!.onBehalf!;
    expect((await post({ authorization: authorization!, 'x-lp-on-behalf': bobJws })).status).toBe(403);
    // alice's own JWS works.
    expect((await post({ authorization: authorization!, 'x-lp-on-behalf': onBehalf! })).status).toBe(200);
  });

  test('onBehalfOf is refused on clients without ConsumerJWS', async () => {
    await openConversation('c1');
    expect(emu.stats.count('idp.consumer')).toBe(1);
    const other = createLpAuth({
      ...emu.lpAuthOptions(),
      logger: recordingLogger(),
      credentials: { orchestratorV1: { apiKey: 'k'.repeat(32) } },
    });
    try {
      const error = await other
        .client('orchestratorV1')
        .request({ service: 'asyncMessagingEnt', path: CONVERSATION, onBehalfOf: 'c1' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
    } finally {
      await other.close();
    }
  });
});
