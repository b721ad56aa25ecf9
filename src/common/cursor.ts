import { FabuException } from './problem.js';

/** A keyset position: the sort value of the last item (null sorts last), then its id. */
export interface Cursor {
  d: string | null;
  i: string;
}

/** An opaque `nextCursor` for `?cursor=` (architecture.md: lists are `{ items, nextCursor }`). */
export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

/** The position a cursor names; one this API did not issue is a 400 naming `cursor`. */
export function decodeCursor(s: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString()) as Cursor;
    if (typeof c.i === 'string' && (c.d === null || typeof c.d === 'string')) return c;
  } catch {
    // fall through
  }
  throw new FabuException('VALIDATION_FAILED', 'cursor is not one this API issued', [
    { path: 'cursor', message: 'invalid cursor' },
  ]);
}
