import { Controller, Get, UseGuards } from '@nestjs/common';
import { Consumer, ConsumerGuard } from '@lp-auth/nestjs';

/**
 * A brand's own API, for its consumers: `ConsumerGuard` lets a request in only with a valid
 * id_token from the brand's identity provider (the `consumer` option), and `@Consumer('sub')` says
 * who it is. No token is 401 with a `WWW-Authenticate: Bearer` challenge; without the `consumer`
 * option the route answers 500 `config_invalid` naming it.
 */
@Controller('orders')
@UseGuards(ConsumerGuard)
export class OrdersController {
  @Get()
  list(@Consumer('sub') sub: string) {
    return { sub };
  }
}
