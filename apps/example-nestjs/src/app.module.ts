import {
  Body,
  Controller,
  Get,
  HttpCode,
  Module,
  Param,
  Post,
  Put,
  type DynamicModule,
} from '@nestjs/common';
import { InjectLpAuth, LpAuthModule } from '@lp-auth/nestjs';
import type { LpAuth } from '@lp-auth/core';
import { exampleCalls, type ExampleCalls } from 'example-runner';
import { LoginController } from './login.controller.js';
import { OrdersController } from './orders.controller.js';

/** The example's routes on NestJS: the same as every framework's example, over the shared calls. */
@Controller()
export class ExampleController {
  private readonly calls: ExampleCalls;

  constructor(@InjectLpAuth() private readonly lp: LpAuth) {
    this.calls = exampleCalls(lp);
  }

  @Get('health')
  health() {
    return { ok: true, clients: Object.keys(this.lp.clients) };
  }

  @Get('skills')
  skills() {
    return this.calls.skills();
  }

  @Put('context/v1/:namespace/:session')
  putContextV1(
    @Param('namespace') namespace: string,
    @Param('session') session: string,
    @Body() body: unknown,
  ) {
    return this.calls.putContextV1(namespace, session, body);
  }

  @Get('context/v2/:namespace/:session')
  contextV2(@Param('namespace') namespace: string, @Param('session') session: string) {
    return this.calls.contextV2(namespace, session);
  }

  @Get('users')
  users() {
    return this.calls.users();
  }

  @Post('agent-session')
  @HttpCode(200)
  agentSession() {
    return this.calls.agentSession();
  }

  @Post('consumers/:consumerId/messages')
  @HttpCode(200)
  messageConsumer(@Param('consumerId') consumerId: string, @Body() body: { text?: unknown } | undefined) {
    return this.calls.messageConsumer(consumerId, body?.text);
  }
}

/**
 * The app module around an `LpAuth` built by the caller (the runner, or the test): the LivePerson
 * calls, `GET /orders` for the brand's consumers (with the `consumer` option), and the login pages
 * (with `appAuthorization`).
 */
export function appModule(lp: LpAuth): DynamicModule {
  @Module({
    imports: [LpAuthModule.forRoot({ lp })],
    controllers: [ExampleController, OrdersController, ...(lp.appAuthorization ? [LoginController] : [])],
  })
  class AppModule {}
  return { module: AppModule };
}
