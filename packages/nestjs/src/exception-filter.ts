import { Catch, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { httpErrorResponse, LpAuthError } from '@lp-auth/core';

/**
 * Answers `@lp-auth` errors with the status, headers (`WWW-Authenticate` for consumer tokens) and JSON
 * body the core assigns, through Nest's HTTP adapter so that it works on Express and Fastify alike.
 * Registered by `LpAuthModule`; other errors keep Nest's own handling.
 */
@Catch(LpAuthError)
export class LpAuthExceptionFilter implements ExceptionFilter<LpAuthError> {
  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  catch(error: LpAuthError, host: ArgumentsHost): void {
    const { httpAdapter } = this.adapterHost;
    const reply = host.switchToHttp().getResponse<unknown>();
    const { status, headers, body } = httpErrorResponse(error);
    for (const [name, value] of Object.entries(headers)) httpAdapter.setHeader(reply, name, value);
    httpAdapter.reply(reply, body, status);
  }
}
