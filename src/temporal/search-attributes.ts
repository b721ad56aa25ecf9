import type { ConnectionLike, OperatorService } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import proto, { type temporal as ProtoTypes } from '@temporalio/proto';
import { SA } from '../../workflows/definitions.js';

// @temporalio/proto is CommonJS without static named exports: take the namespace from its default.
const { temporal } = proto;

/** A client or a native connection: both reach the operator service. */
export type OperatorConnection = ConnectionLike & { operatorService: OperatorService };

const INDEXED: Record<string, ProtoTypes.api.enums.v1.IndexedValueType> = {
  [SearchAttributeType.KEYWORD]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.DATETIME]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  [SearchAttributeType.BOOL]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
};

/**
 * Registers fabu's custom search attributes through the operator service. Idempotent: attributes
 * that already exist are left alone (the dev server's --search-attribute flag only applies to a
 * new database file, so this runs at every start).
 */
export async function ensureSearchAttributes(connection: OperatorConnection, namespace: string): Promise<string[]> {
  const known = await listCustom(connection, namespace);
  const missing = Object.values(SA).filter((key) => !known.has(key.name));
  if (missing.length === 0) return [];
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((key) => [key.name, INDEXED[key.type]!])),
    });
  } catch (err) {
    // Another process registered them first.
    if (!/already exists/i.test(String((err as Error).message))) throw err;
  }
  return missing.map((key) => key.name);
}

const GRPC_UNIMPLEMENTED = 12;

/** Names of registered custom attributes; empty where the server cannot list them (the time-skipping test server). */
async function listCustom(connection: OperatorConnection, namespace: string): Promise<Set<string>> {
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    return new Set(Object.keys(existing.customAttributes ?? {}));
  } catch (err) {
    if ((err as { code?: number }).code === GRPC_UNIMPLEMENTED) return new Set();
    throw err;
  }
}
