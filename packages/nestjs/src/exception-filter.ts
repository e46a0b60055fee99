import { Catch, Inject, Optional, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { isLpAuthError, type LpAuthError } from '@lp-auth/core';
import { httpErrorResponse, type HttpErrorResponseOptions } from '@lp-auth/core/adapter';

/**
 * What `@Catch` matches: Nest tests `exception instanceof` each listed type, and this one answers
 * with `isLpAuthError` (brand and code), so that an error from another copy of `@lp-auth/core` in
 * the app is caught too, where `@Catch(AnyLpAuthError)` would let it fall through to a bare 500.
 */
const AnyLpAuthError = {
  [Symbol.hasInstance]: (value: unknown): boolean => isLpAuthError(value),
} as unknown as abstract new () => LpAuthError;

/** Injection token of the module's `errorResponse` options (validated). */
export const LP_ERROR_RESPONSE_OPTIONS = Symbol.for('@lp-auth/nestjs:errorResponse');

/**
 * Answers `@lp-auth` errors with the status, headers (`WWW-Authenticate` for consumer tokens) and JSON
 * body the core assigns, through Nest's HTTP adapter so that it works on Express and Fastify alike.
 * Registered by `LpAuthModule`, with its `errorResponse` option (`expose`, `format`); other errors
 * keep Nest's own handling.
 */
@Catch(AnyLpAuthError)
export class LpAuthExceptionFilter implements ExceptionFilter<LpAuthError> {
  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Optional()
    @Inject(LP_ERROR_RESPONSE_OPTIONS)
    private readonly options: HttpErrorResponseOptions = {},
  ) {}

  catch(error: LpAuthError, host: ArgumentsHost): void {
    const { httpAdapter } = this.adapterHost;
    const reply = host.switchToHttp().getResponse<unknown>();
    const { status, headers, body } = httpErrorResponse(error, this.options ?? {});
    for (const [name, value] of Object.entries(headers)) httpAdapter.setHeader(reply, name, value);
    httpAdapter.reply(reply, body, status);
  }
}
