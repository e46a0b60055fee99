/**
 * Optional OpenTelemetry spans. When `@opentelemetry/api` is installed (it is an optional peer
 * dependency), each LivePerson call and each token request becomes a span of the app's tracer;
 * otherwise nothing is loaded and nothing is recorded. Attributes never hold a secret: URLs are
 * redacted and tokens are never attached.
 */
import { LpAuthError } from '../errors/index.js';

type Attributes = Record<string, string | number | boolean | undefined>;

interface SpanLike {
  isRecording(): boolean;
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
/** The settled answer of {@link otel}: the API, `null` when not installed, undefined until known. */
let loaded: OtelApi | null | undefined;

/** Loads `@opentelemetry/api` once, if installed. */
function otel(): Promise<OtelApi | null> {
  // A variable specifier keeps bundlers and TypeScript from requiring the optional package.
  loading ??= (import(OTEL_MODULE) as Promise<OtelApi>).then(
    (api) => (loaded = api),
    () => (loaded = null),
  );
  return loading;
}

const ignore = (): void => undefined;
let tracer: ReturnType<OtelApi['trace']['getTracer']> | undefined;

/**
 * Runs `fn` inside a CLIENT span named `name` when OpenTelemetry is present; `fn` gets a setter for
 * attributes known only at the end (status code, attempts). A thrown `@lp-auth` error marks the span
 * as failed with its stable code.
 */
export function traced<T>(
  name: string,
  attributes: Attributes | (() => Attributes),
  fn: (set: (key: string, value: string | number | boolean) => void) => Promise<T>,
): Promise<T> {
  // Once OpenTelemetry is known to be absent, a call costs nothing: no await, no attributes built.
  if (loaded === null) return fn(ignore);
  return tracedSpan(name, attributes, fn);
}

async function tracedSpan<T>(
  name: string,
  attributes: Attributes | (() => Attributes),
  fn: (set: (key: string, value: string | number | boolean) => void) => Promise<T>,
): Promise<T> {
  const api = loaded ?? (await otel());
  if (!api) return fn(ignore);
  // One tracer for the process (a ProxyTracer until an SDK registers, then its delegate).
  tracer ??= api.trace.getTracer('@lp-auth/core');
  return tracer.startActiveSpan(name, { kind: api.SpanKind.CLIENT }, async (span) => {
    // Attributes are built (URLs redacted) only for a span that records: with the API alone, or a
    // sampler that drops the span, a call costs no redaction.
    if (span.isRecording()) {
      const given = typeof attributes === 'function' ? attributes() : attributes;
      for (const [key, value] of Object.entries(given)) {
        if (value !== undefined) span.setAttribute(key, value);
      }
    }
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
