/** The user name and password typed into the emulator's login page. */
export interface EmulatorLoginUser {
  username: string;
  password: string;
}

export interface LoginThroughEmulatorOptions {
  /** Press "Cancel" instead of logging in (the app then gets `error=access_denied`). Default false. */
  cancel?: boolean;
}

/**
 * Plays the browser's part of the authorization-code flow against the emulator, over plain HTTP:
 * follows the authorize redirect to the login page, posts its form, and returns where Sentinel
 * sends the browser back to (the app's redirect URI with `code` and `state`, or with `error`).
 * Redirects are followed by hand so that the caller sees the callback URL instead of requesting it.
 *
 * @example
 * ```ts
 * const back = await loginThroughEmulator(await auth.authorizationUrl({ state, pkce }), emu.credentials.login);
 * const code = back.searchParams.get('code');
 * ```
 * @throws Error when a step answers something a browser would not get past (the message says which)
 */
export async function loginThroughEmulator(
  authorizeUrl: string | URL,
  user: EmulatorLoginUser,
  options: LoginThroughEmulatorOptions = {},
): Promise<URL> {
  const first = await fetch(authorizeUrl, { redirect: 'manual' });
  const toLogin = locationOf(first, authorizeUrl);
  if (!toLogin.pathname.endsWith('/authorize/login')) return toLogin; // an error sent back to the app
  const page = await fetch(toLogin);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`the login page answered ${page.status}: ${html.slice(0, 200)}`);
  const requestId = /name="request_id" value="([^"]+)"/.exec(html)?.[1];
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  if (!requestId || !action) throw new Error('the login page has no login form');
  const form = new URLSearchParams({ request_id: requestId });
  if (options.cancel) form.set('action', 'cancel');
  else {
    form.set('username', user.username);
    form.set('password', user.password);
    form.set('action', 'login');
  }
  const posted = await fetch(new URL(action.replaceAll('&amp;', '&'), toLogin), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
  });
  return locationOf(posted, toLogin);
}

function locationOf(response: Response, base: string | URL): URL {
  const location = response.headers.get('location');
  void response.body?.cancel();
  if (response.status !== 302 || !location) {
    throw new Error(`expected a 302 redirect from ${new URL(base).pathname}, got ${response.status}`);
  }
  return new URL(location, base);
}
