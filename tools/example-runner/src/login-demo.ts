import { loginThroughEmulator, type Emulator } from '@lp-auth/testing';

/** The command that runs this example again with `--serve`: `npm start -- --serve` under npm. */
function serveCommand(): string {
  const script = process.env.npm_lifecycle_event;
  if (script === 'start') return 'npm start -- --serve';
  if (script) return `npm run ${script} -- --serve`;
  return `node ${process.argv[1] ?? 'main.js'} --serve`;
}

const cookiesOf = (res: Response) =>
  res.headers
    .getSetCookie()
    .map((line) => line.split(';')[0]!)
    .filter((pair) => !pair.endsWith('='))
    .join('; ');

/**
 * "Log in with LivePerson", as far as a script can take it: prints where `/auth/login` sends the
 * browser (open it to log in by hand), then, against the emulator, plays the browser (login page,
 * callback, `/me`, logout) and prints each step. Prints no code, token, cookie or password.
 * Resolves with the number of failed steps.
 */
export async function demonstrateLogin(
  appUrl: string,
  emulator: Emulator | undefined,
  serve: boolean,
): Promise<number> {
  const start = await fetch(`${appUrl}/auth/login?returnTo=/me`, { redirect: 'manual' });
  const authorize = start.headers.get('location');
  if (start.status !== 302 || !authorize) {
    console.log(`- appAuthorization  GET /auth/login → ${start.status} (expected a redirect to LivePerson)`);
    return 1;
  }
  // state and the PKCE challenge belong to this one attempt (and its cookie), so they are left out.
  const shown = new URL(authorize);
  for (const name of ['state', 'code_challenge']) shown.searchParams.delete(name);
  // Without --serve the app is gone a moment after this line: point at the command that keeps it up.
  const where = serve
    ? `open ${appUrl}/ in a browser (or ${appUrl}/auth/login)`
    : `run \`${serveCommand()}\` and open http://127.0.0.1:${process.env.PORT ?? 3000}/ in a browser (this run exits)`;
  console.log(
    `\nLog in with LivePerson: ${where}; /auth/login sends you to\n  ${shown}&state=…&code_challenge=…`,
  );
  if (!emulator) return 0;

  const back = await loginThroughEmulator(authorize, emulator.credentials.login);
  const callback = await fetch(back, { redirect: 'manual', headers: { cookie: cookiesOf(start) } });
  const session = cookiesOf(callback);
  console.log(
    `- appAuthorization  emulator login page → callback → ${callback.status} to ${callback.headers.get('location')}`,
  );
  const me = await fetch(`${appUrl}/me`, { headers: { cookie: session } });
  console.log(`- appAuthorization  GET /me → ${me.status} ${await me.text()}`);
  const out = await fetch(`${appUrl}/auth/logout`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: session },
  });
  console.log(`- appAuthorization  POST /auth/logout → ${out.status}`);
  return [callback.status === 302, me.status === 200, out.status === 302].filter((ok) => !ok).length;
}
