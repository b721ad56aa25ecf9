import { createHash } from 'node:crypto';

/**
 * Where documents' bytes are kept, content-addressed by their SHA-256 (hex). The metadata (kind,
 * version, name, who uploaded it) is in PostgreSQL whichever store is used; the store only keeps
 * bytes, so a second upload of the same content costs nothing.
 */
export interface DocumentStore {
  /** Keeps the bytes under their hash; the same content again changes nothing. Refuses bytes that do not hash to `sha256`. */
  put(sha256: string, bytes: Buffer): Promise<void>;
  /** The bytes kept under the hash, or null. */
  get(sha256: string): Promise<Buffer | null>;
  has(sha256: string): Promise<boolean>;
}

/** Nest token of the configured {@link DocumentStore}. */
export const DOCUMENT_STORE = Symbol('DOCUMENT_STORE');

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** What every adapter checks before it writes: the key is a SHA-256 and the bytes are its content. */
export function checkContent(sha256: string, bytes: Buffer): void {
  if (!SHA256_HEX.test(sha256)) throw new Error(`not a SHA-256 in hex: ${sha256}`);
  const actual = sha256Hex(bytes);
  if (actual !== sha256) throw new Error(`content hashes to ${actual}, not ${sha256}`);
}
