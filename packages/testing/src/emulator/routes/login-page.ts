import type { EmulatorResponse } from '../http.js';

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/**
 * The emulator's stand-in for LivePerson's login page: a user name and password form that posts
 * back to the page, and a cancel button (the user refuses, the app gets `error=access_denied`).
 * Served with headers that keep it out of frames and caches, as a real login page would be. No CSP
 * `form-action`: browsers apply it to the redirect after the post, which goes to the app.
 */
export function loginPage(options: {
  action: string;
  requestId: string;
  accountId: string;
  error?: string;
  status?: number;
}): EmulatorResponse {
  const error = options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : '';
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>LivePerson login (emulator)</title>
<style>body{font-family:sans-serif;max-width:24rem;margin:4rem auto}label,input,button{display:block;margin:.5rem 0}.error{color:#b00}</style>
</head>
<body>
<h1>Log in to LivePerson</h1>
<p>Account ${escapeHtml(options.accountId)} &middot; @lp-auth emulator</p>
${error}
<form method="post" action="${escapeHtml(options.action)}">
<input type="hidden" name="request_id" value="${escapeHtml(options.requestId)}">
<label for="username">User name</label><input id="username" name="username" autocomplete="username" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit" name="action" value="login">Log in</button>
</form>
<form method="post" action="${escapeHtml(options.action)}">
<input type="hidden" name="request_id" value="${escapeHtml(options.requestId)}">
<button type="submit" name="action" value="cancel">Cancel</button>
</form>
</body>
</html>`;
  return {
    status: options.status ?? 200,
    body: html,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'x-frame-options': 'DENY',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    },
  };
}
