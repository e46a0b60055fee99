import { Inject } from '@nestjs/common';
import { CREDENTIAL_KINDS, type CredentialKind } from '@lp-auth/core';

/** Injection token of the wired core (`LpAuth`). */
export const LP_AUTH = Symbol.for('@lp-auth/nestjs:LpAuth');

/** The credential kinds a client can be injected for: the core's list of credential kinds. */
export const LP_CLIENT_KINDS = CREDENTIAL_KINDS;
export type LpClientKind = CredentialKind;

/** Injection token of the client for `kind`. */
export function lpClientToken(kind: LpClientKind): string {
  return `@lp-auth/nestjs:LpClient:${kind}`;
}

/**
 * Injects the `LpAuth` the module built.
 * @example `constructor(@InjectLpAuth() private readonly lp: LpAuth) {}`
 */
export const InjectLpAuth = (): ParameterDecorator & PropertyDecorator => Inject(LP_AUTH);

/**
 * Injects the authorized client of one credential. Injecting a client whose credential is not
 * configured fails at start-up with `config_invalid` saying how to configure it.
 * @example `constructor(@InjectLpClient('appJwt') private readonly skills: LpClient) {}`
 */
export const InjectLpClient = (kind: LpClientKind): ParameterDecorator & PropertyDecorator =>
  Inject(lpClientToken(kind));
