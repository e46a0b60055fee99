/**
 * "Log in with LivePerson" in a real browser: Debian's Chromium, driven by playwright-core, against
 * the example app and the emulator's login page. What the HTTP-only tests cannot show: that the
 * redirects, the SameSite cookies across the two ports and the HTML forms work as a browser sees them.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createLpAuth, randomToken, silentLogger, type LpAuth } from '@lp-auth/core';
import { startEmulator, type Emulator } from '@lp-auth/testing';
import { createApp } from '../src/app.js';

// Only Debian's Chromium (`apt-get install chromium`; scripts/setup.sh installs it under CI), never a
// browser downloaded by Playwright: CI machines fetch nothing but npm packages and Debian's.
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox', // root in a container: Chromium's sandbox needs user namespaces we do not have
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

// A developer machine without Chromium skips these tests with one line; under CI they must run, so a
// missing browser fails there (in beforeAll) instead of passing silently.
const runInBrowser = existsSync(CHROMIUM) || Boolean(process.env.CI);
if (!runInBrowser) {
  process.stderr.write(`browser-login: skipped, ${CHROMIUM} is missing (apt-get install chromium)\n`);
}
const describeInBrowser = runInBrowser ? describe : describe.skip;

describeInBrowser('example-express: Log in with LivePerson in Chromium', () => {
  let emu: Emulator;
  let lp: LpAuth;
  let server: Server;
  let base: string;
  // Another origin on this machine that auto-submits a logout form to the app (a CSRF page).
  let hostile: Server;
  let hostilePort: number;
  let scratch: string;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`CI is set but ${CHROMIUM} is missing: run scripts/setup.sh`);
    // The app listens first: its port is part of the redirect URI registered with (emulated) Sentinel.
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const redirectUri = `${base}/auth/callback`;

    emu = await startEmulator({ credentials: { appAuthorization: { redirectUris: [redirectUri] } } });
    const { clientId, clientSecret } = emu.credentials.appAuthorization;
    lp = createLpAuth({
      ...emu.lpAuthOptions(),
      logger: silentLogger,
      credentials: emu.lpAuthCredentials(),
      appAuthorization: { clientId, clientSecret, redirectUri, cookieSecret: randomToken(32) },
    });
    server.on('request', createApp(lp).app);

    hostile = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(
        `<!doctype html><title>Win a prize</title><form method="post" action="${base}/auth/logout"></form>` +
          '<script>document.forms[0].submit()</script>',
      );
    });
    await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
    hostilePort = (hostile.address() as AddressInfo).port;

    // A fresh profile per run (launchPersistentContext is how Playwright takes --user-data-dir), so no
    // cookie of an earlier run can log the user in.
    scratch = mkdtempSync(join(tmpdir(), 'lp-auth-browser-'));
    context = await chromium.launchPersistentContext(join(scratch, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    page = context.pages()[0] ?? (await context.newPage());
  }, 60_000);

  afterAll(async () => {
    // Each part closes even if setup stopped half-way, so a failed setup never leaves Jest hanging.
    await context?.close();
    if (server) await new Promise((resolve) => server.close(resolve));
    if (hostile) await new Promise((resolve) => hostile.close(resolve));
    await lp?.close();
    await emu?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  test('logs in on the emulator, calls LivePerson as the user, survives a cross-site logout, and logs out', async () => {
    const { username, password, userId } = emu.credentials.login;

    await page.goto(`${base}/`);
    await page.getByRole('link', { name: 'Log in with LivePerson' }).click();

    // On the emulator's login page: a wrong password first, which the page refuses and shows.
    await page.waitForURL((url) => url.origin === emu.url && url.pathname.endsWith('/authorize/login'));
    await expect(page.getByRole('heading', { name: 'Log in to LivePerson' }).isVisible()).resolves.toBe(true);
    await page.getByLabel('User name').fill(username);
    await page.getByLabel('Password').fill(`${password}-wrong`);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/\S/);

    await page.getByLabel('User name').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();

    // Back on the app, logged in: Sentinel's redirect, the callback and the session cookie all worked.
    await page.waitForURL(`${base}/`);
    await expect(page.locator('body').textContent()).resolves.toContain(
      `Logged in to LivePerson as user ${userId}.`,
    );
    const screenshot = join(scratch, 'logged-in.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(existsSync(screenshot)).toBe(true);
    if (process.env.LP_AUTH_KEEP_SCREENSHOT) {
      process.stderr.write(`browser-login: screenshot at ${screenshot}\n`);
      scratch = ''; // kept for a person to look at
    }

    // A call to LivePerson as this user, through the app's /me.
    await page.getByRole('link', { name: 'What LivePerson says about me' }).click();
    await page.waitForURL(`${base}/me`);
    const me = JSON.parse((await page.locator('body').textContent()) ?? '') as Record<string, unknown>;
    expect(me).toMatchObject({ userId, skills: expect.any(Number) });
    expect(emu.appAuthorization.liveSessions()).toBe(1);

    // Another origin's page auto-submits a POST to the logout route: from 127.0.0.1 on another port
    // (same site, so SameSite=Lax still sends the session cookie) and from localhost (another site).
    for (const hostileOrigin of [`http://127.0.0.1:${hostilePort}`, `http://localhost:${hostilePort}`]) {
      const refused = page.waitForResponse((res) => res.url() === `${base}/auth/logout`, { timeout: 15_000 });
      await page.goto(`${hostileOrigin}/`);
      expect({ hostileOrigin, status: (await refused).status() }).toEqual({ hostileOrigin, status: 403 });
      expect(emu.appAuthorization.liveSessions()).toBe(1);
      await page.goto(`${base}/`);
      await expect(page.locator('body').textContent()).resolves.toContain(
        `Logged in to LivePerson as user ${userId}.`,
      );
    }

    // The app's own logout button still works.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(`${base}/`);
    await expect(page.getByRole('link', { name: 'Log in with LivePerson' }).isVisible()).resolves.toBe(true);

    // Logged out for real: the session is revoked at Sentinel and /me refuses the browser.
    expect(emu.appAuthorization.liveSessions()).toBe(0);
    const after = await page.evaluate(async () => (await fetch('/me')).status);
    expect(after).toBe(401);
  });
});
