import { Controller, Get, Header, UnauthorizedException } from '@nestjs/common';
import { LpUser } from '@lp-auth/nestjs';
import type { UserSession } from '@lp-auth/core';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * "Log in with LivePerson" (application authorization): `LpAuthModule` already serves
 * `/auth/login`, the callback and `/auth/logout` when `appAuthorization` is configured, and
 * `@LpUser()` is the logged-in user; these pages use it.
 */
@Controller()
export class LoginController {
  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  home(@LpUser() user: UserSession | undefined) {
    const body = user
      ? `<p>Logged in to LivePerson as user ${escapeHtml(user.user.id)}.</p>
<p><a href="/me">What LivePerson says about me</a></p>
<form method="post" action="/auth/logout"><button>Log out</button></form>`
      : '<p><a href="/auth/login?returnTo=/">Log in with LivePerson</a></p>';
    return `<!doctype html><meta charset="utf-8"><title>@lp-auth example</title>
<h1>@lp-auth NestJS example</h1>${body}`;
  }

  @Get('me')
  async me(@LpUser() user: UserSession | undefined) {
    if (!user)
      throw new UnauthorizedException({ error: 'login_required', login: '/auth/login?returnTo=/me' });
    // A call to LivePerson as this user: their access token, refreshed (and rotated) as needed.
    const { data } = await user.client.request<unknown[]>({
      service: 'accountConfigReadOnly',
      path: '/api/account/{accountId}/configuration/le-users/skills',
    });
    return {
      userId: user.user.id,
      isAdmin: user.user.isAdmin,
      skills: Array.isArray(data) ? data.length : 0,
    };
  }
}
