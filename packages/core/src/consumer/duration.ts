const UNIT_SECONDS: Record<string, number> = {
  s: 1,
  sec: 1,
  secs: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hr: 3600,
  hrs: 3600,
  hour: 3600,
  hours: 3600,
  d: 86_400,
  day: 86_400,
  days: 86_400,
  w: 604_800,
  week: 604_800,
  weeks: 604_800,
};

const DURATION = /^(\d+(?:\.\d+)?) ?([a-z]+)?$/i;

/**
 * A duration in milliseconds from a number of seconds or a string such as `'90'`, `'10m'`,
 * `'2 hours'`, `'1d'` (the forms jose's `maxTokenAge` takes). Undefined when `value` is neither
 * a positive finite number nor such a string.
 */
export function durationMs(value: unknown): number | undefined {
  let seconds: number | undefined;
  if (typeof value === 'number') seconds = value;
  else if (typeof value === 'string') {
    const match = DURATION.exec(value.trim());
    const unit = match ? UNIT_SECONDS[(match[2] ?? 's').toLowerCase()] : undefined;
    if (match && unit !== undefined) seconds = Number(match[1]) * unit;
  }
  if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) return undefined;
  return seconds * 1000;
}
