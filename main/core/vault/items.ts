/**
 * The vault's index: the names and metadata of every item, encrypted as one block in the file.
 * Values are never part of the index; each field points at a sealed value record by id.
 */
import { LatchkeyError } from '../errors';
import type { Environment } from '../scope';

export interface FieldRecord {
  readonly name: string;
  /** Hex id of the sealed value record; a new id for every value written. */
  readonly valueId: string;
  /** Length of the value in bytes. */
  readonly length: number;
  readonly updatedAt: string;
}

/** Where an item came from. Local items are the developer's own (`latchkey set`). */
export type ItemOrigin = { readonly kind: 'local' } | {
  readonly kind: 'store';
  readonly store: string;
  readonly path: string;
  readonly version: number;
  /** When the store says this version was created. */
  readonly changedUpstreamAt: string;
};

export interface ItemRecord {
  /** Hex id, random, fixed for the item's life; bound into every value's associated data. */
  readonly id: string;
  readonly project: string;
  readonly environment: Environment;
  readonly name: string;
  readonly origin: ItemOrigin;
  /** Increases with every change of the item. */
  readonly revision: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly fields: readonly FieldRecord[];
}

export interface IndexDocument {
  readonly v: 1;
  readonly items: readonly ItemRecord[];
  /** Reserved for later parts of the vault (audit chain head, store credentials, refusal records). */
  readonly meta: Readonly<Record<string, unknown>>;
}

const HEX32 = /^[0-9a-f]{32}$/;

function bad(what: string): LatchkeyError {
  return new LatchkeyError(
    'VAULT_CORRUPT',
    `the vault index is malformed (${what}); run 'latchkey restore-backup' to return to the previous generation`,
  );
}

function str(v: unknown, what: string): string {
  if (typeof v !== 'string') throw bad(what);
  return v;
}

/** Parses and checks the decrypted index; throws VAULT_CORRUPT on any deviation. */
export function parseIndex(json: Buffer): IndexDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(json.toString('utf8'));
  } catch {
    throw bad('not JSON');
  }
  if (typeof doc !== 'object' || doc === null) throw bad('not an object');
  const d = doc as Record<string, unknown>;
  if (d.v !== 1 || !Array.isArray(d.items) || typeof d.meta !== 'object' || d.meta === null) throw bad('shape');
  for (const raw of d.items as unknown[]) {
    if (typeof raw !== 'object' || raw === null) throw bad('item');
    const it = raw as Record<string, unknown>;
    if (!HEX32.test(str(it.id, 'item id'))) throw bad('item id');
    str(it.project, 'project');
    str(it.name, 'item name');
    if (it.environment !== 'development' && it.environment !== 'staging') throw bad('environment');
    if (!Number.isInteger(it.revision)) throw bad('revision');
    str(it.createdAt, 'createdAt');
    str(it.updatedAt, 'updatedAt');
    const origin = it.origin as Record<string, unknown> | null;
    if (typeof origin !== 'object' || origin === null || (origin.kind !== 'local' && origin.kind !== 'store')) {
      throw bad('origin');
    }
    if (!Array.isArray(it.fields)) throw bad('fields');
    for (const f of it.fields as unknown[]) {
      const fr = f as Record<string, unknown> | null;
      if (typeof fr !== 'object' || fr === null) throw bad('field');
      str(fr.name, 'field name');
      if (!HEX32.test(str(fr.valueId, 'value id'))) throw bad('value id');
      if (!Number.isInteger(fr.length)) throw bad('field length');
    }
  }
  return doc as IndexDocument;
}
