/**
 * Optional OpenTelemetry spans. When `@opentelemetry/api` is installed (it is an optional peer
 * dependency), each LivePerson call and each token request becomes a span of the app's tracer;
 * otherwise nothing is loaded and nothing is recorded. Attributes never hold a secret: URLs are
 * redacted and tokens are never attached.
 */
import { LpAuthError } from '../errors/index.js';

type Attributes = Record<string, string | number | boolean | undefined>;

interface SpanLike {
  setAttribute(key: string, value: string | number | boolean): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  recordException(exception: { name: string; message: string }): unknown;
  end(): void;
}

interface OtelApi {
  trace: {
    getTracer(
      name: string,
      version?: string,
    ): {
      startActiveSpan<T>(
        name: string,
        options: { kind?: number; attributes?: Attributes },
        fn: (span: SpanLike) => T,
      ): T;
    };
  };
  SpanKind: { CLIENT: number };
  SpanStatusCode: { ERROR: number };
}

const OTEL_MODULE = '@opentelemetry/api';
let loading: Promise<OtelApi | null> | undefined;

/** Loads `@opentelemetry/api` once, if installed. */
function otel(): Promise<OtelApi | null> {
  // A variable specifier keeps bundlers and TypeScript from requiring the optional package.
  loading ??= (import(OTEL_MODULE) as Promise<OtelApi>).catch(() => null);
  return loading;
}

/**
 * Runs `fn` inside a CLIENT span named `name` when OpenTelemetry is present; `fn` gets a setter for
 * attributes known only at the end (status code, attempts). A thrown `@lp-auth` error marks the span
 * as failed with its stable code.
 */
export async function traced<T>(
  name: string,
  attributes: Attributes,
  fn: (set: (key: string, value: string | number | boolean) => void) => Promise<T>,
): Promise<T> {
  const api = await otel();
  if (!api) return fn(() => undefined);
  const clean = Object.fromEntries(
    Object.entries(attributes).filter(([, v]) => v !== undefined),
  ) as Attributes;
  return api.trace
    .getTracer('@lp-auth/core')
    .startActiveSpan(name, { kind: api.SpanKind.CLIENT, attributes: clean }, async (span) => {
      try {
        return await fn((key, value) => span.setAttribute(key, value));
      } catch (error) {
        const code = error instanceof LpAuthError ? error.code : 'unknown';
        span.setAttribute('lp_auth.error.code', code);
        span.recordException({ name: error instanceof Error ? error.name : 'Error', message: code });
        span.setStatus({ code: api.SpanStatusCode.ERROR, message: code });
        throw error;
      } finally {
        span.end();
      }
    });
}
