// How fabu signs a webhook delivery, and how a receiver checks it. Pure: no I/O, no clock unless given.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Fabu-Signature';
export const TIMESTAMP_HEADER = 'X-Fabu-Timestamp';
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

/**
 * `v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`. The timestamp is signed with the body so
 * that a captured request cannot be replayed later with a fresh timestamp.
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The headers of one delivery attempt (the Idempotency-Key stays the same on every attempt). */
export function webhookHeaders(
  secret: string,
  idempotencyKey: string,
  body: string,
  timestamp: number,
): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    [IDEMPOTENCY_HEADER]: idempotencyKey,
    [TIMESTAMP_HEADER]: String(timestamp),
    [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
  };
}

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderSource, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  const value = key === undefined ? undefined : headers[key];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * What a receiver runs on the raw body, before parsing it: true when the signature is the
 * secret's over this timestamp and body, and the timestamp is within `toleranceSeconds` of `now`
 * (unix seconds; default the wall clock). Compared in constant time.
 */
export function verifyWebhook(
  secret: string,
  headers: HeaderSource,
  body: string,
  options: { toleranceSeconds?: number; now?: number } = {},
): boolean {
  const { toleranceSeconds = 300, now = Math.floor(Date.now() / 1000) } = options;
  const timestamp = header(headers, TIMESTAMP_HEADER);
  const signature = header(headers, SIGNATURE_HEADER);
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(now - Number(timestamp)) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, Number(timestamp), body));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
