import { ConfigError } from '../errors/index.js';
import type {
  AuthorizeContext,
  AuthorizeResult,
  Credential,
  OutgoingRequest,
  RefusedAnswer,
  Rejection,
} from '../http/credential.js';
import type { ConsumerJwsCache } from './consumer-jws.js';

/** Send API 401 `errorCode`s (LivePerson): the AppJWT is invalid, the ConsumerJWS is invalid. */
export const INVALID_APP_JWT = 40102;
export const INVALID_CONSUMER_JWS = 40103;

/** The `errorCode` of a Send API error body (`{"kind":"resp","code":401,"body":{…,"errorCode":40103}}`). */
export function sendApiErrorCode(text: string): number | undefined {
  try {
    const parsed = JSON.parse(text) as { body?: { errorCode?: unknown }; errorCode?: unknown };
    const code = parsed?.body?.errorCode ?? parsed?.errorCode;
    const n = typeof code === 'string' ? Number(code) : code;
    return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/** The {@link Rejection.name} of the ConsumerJWS. */
const CONSUMER_JWS = 'consumerJws';

/** What {@link SendApiCredential.authorize} applied: the AppJWT (`token`) and the consumer's JWS. */
export interface SendApiAuthorization extends AuthorizeResult {
  consumerJws: string;
}

/**
 * The Send API's two tokens for one call made for a consumer: the application's AppJWT in
 * `Authorization` (raw, as the AppJWT credential sends it to `asyncMessagingEnt`) and the
 * consumer's ConsumerJWS in `X-LP-ON-BEHALF`. The consumer is the call's `onBehalfOf`
 * ({@link AuthorizeContext.onBehalfOf}); `createLpAuth` gives this credential to the appJwt client
 * for such calls, so `lp.clients.appJwt.request({ …, onBehalfOf })` uses it.
 *
 * A Send API 401 says which token it refused: `errorCode` 40103 the ConsumerJWS (fetched again
 * from the IdP), 40102 (or no code) the AppJWT (refreshed). {@link SendApiCredential.rejection}
 * names that token, and the client replaces each at most once per call.
 */
export class SendApiCredential implements Credential {
  readonly kind = 'sendApi';
  readonly refreshable: boolean;
  readonly #appJwt: Credential;
  readonly #consumerJws: ConsumerJwsCache;

  /** `appJwt` stays its owner's to close; `consumerJws` is closed with this credential. */
  constructor(appJwt: Credential, consumerJws: ConsumerJwsCache) {
    this.#appJwt = appJwt;
    this.#consumerJws = consumerJws;
    this.refreshable = appJwt.refreshable;
  }

  async authorize(request: OutgoingRequest, context: AuthorizeContext): Promise<SendApiAuthorization> {
    const { onBehalfOf: consumer, rejected, rejectedName, service, signal } = context;
    if (typeof consumer !== 'string' || consumer === '') {
      throw new ConfigError('onBehalfOf', 'must be a non-empty string: the consumer id (ext_consumer_id).');
    }
    // A refused token is replaced; the other one is used as it is.
    const jwsRefused = rejectedName === CONSUMER_JWS;
    const { token } = await this.#appJwt.authorize(request, {
      service,
      signal,
      ...(jwsRefused || rejected === undefined ? {} : { rejected, rejectedName }),
    });
    const jws = await this.#consumerJws.get(consumer, {
      rejected: jwsRefused ? rejected : undefined,
      signal,
    });
    request.headers.set('x-lp-on-behalf', jws);
    return { token, consumerJws: jws };
  }

  /** 40103: the ConsumerJWS; 40102 or no code: the AppJWT; any other 401 is final. */
  rejection(answer: RefusedAnswer, applied: AuthorizeResult): Rejection | undefined {
    const code = sendApiErrorCode(answer.text);
    if (code === INVALID_CONSUMER_JWS) {
      return { name: CONSUMER_JWS, token: (applied as Partial<SendApiAuthorization>).consumerJws };
    }
    if ((code === INVALID_APP_JWT || code === undefined) && this.refreshable) {
      return { name: this.#appJwt.kind, token: applied.token };
    }
    return undefined;
  }

  /** Forgets this process's ConsumerJWS tokens and the AppJWT. */
  async invalidate(): Promise<void> {
    await this.#consumerJws.delete();
    await this.#appJwt.invalidate();
  }

  /** Closes the ConsumerJWS cache (the AppJWT credential is closed by its owner). */
  async close(): Promise<void> {
    this.#consumerJws.close();
  }
}
