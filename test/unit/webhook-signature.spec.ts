import { signWebhook, verifyWebhook, webhookHeaders } from '../../src/channels/webhook-signature.js';

const SECRET = 'a-secret-of-16-chars+';
const BODY = JSON.stringify({ idempotencyKey: 'N7-2026-0001:publish#1:ningbo-fabu', title: '关于台风“梅花”的通报' });
const NOW = 1_790_000_000;

describe(verifyWebhook.name, () => {
  const signed = webhookHeaders(SECRET, 'N7-2026-0001:publish#1:ningbo-fabu', BODY, NOW);

  it('accepts what fabu signed, with headers in any case and as a Headers object', () => {
    expect(verifyWebhook(SECRET, signed, BODY, { now: NOW })).toBe(true);
    const lower = Object.fromEntries(Object.entries(signed).map(([k, v]) => [k.toLowerCase(), v]));
    expect(verifyWebhook(SECRET, lower, BODY, { now: NOW + 10 })).toBe(true);
    expect(verifyWebhook(SECRET, new Headers(signed), BODY, { now: NOW })).toBe(true);
  });

  it('signs HMAC-SHA256 over "<timestamp>.<body>" as v1=<hex>', () => {
    expect(signed['X-Fabu-Signature']).toBe(signWebhook(SECRET, NOW, BODY));
    expect(signWebhook(SECRET, NOW, BODY)).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(signWebhook(SECRET, NOW + 1, BODY)).not.toBe(signWebhook(SECRET, NOW, BODY));
  });

  it('refuses a tampered body', () => {
    expect(verifyWebhook(SECRET, signed, BODY.replace('梅花', '烟花'), { now: NOW })).toBe(false);
  });

  it('refuses another secret', () => {
    expect(verifyWebhook('another-secret-of-16', signed, BODY, { now: NOW })).toBe(false);
  });

  it('refuses a stale or future timestamp outside the tolerance', () => {
    expect(verifyWebhook(SECRET, signed, BODY, { now: NOW + 301 })).toBe(false);
    expect(verifyWebhook(SECRET, signed, BODY, { now: NOW - 301 })).toBe(false);
    expect(verifyWebhook(SECRET, signed, BODY, { now: NOW + 3600, toleranceSeconds: 7200 })).toBe(true);
  });

  it('refuses a replayed signature under a fresh timestamp', () => {
    const replayed = { ...signed, 'X-Fabu-Timestamp': String(NOW + 60) };
    expect(verifyWebhook(SECRET, replayed, BODY, { now: NOW + 60 })).toBe(false);
  });

  it('refuses missing or malformed headers', () => {
    const { 'X-Fabu-Signature': _signature, ...unsigned } = signed;
    expect(verifyWebhook(SECRET, unsigned, BODY, { now: NOW })).toBe(false);
    expect(verifyWebhook(SECRET, { ...signed, 'X-Fabu-Signature': 'v1=00' }, BODY, { now: NOW })).toBe(false);
    expect(verifyWebhook(SECRET, { ...signed, 'X-Fabu-Timestamp': 'yesterday' }, BODY, { now: NOW })).toBe(false);
  });
});
