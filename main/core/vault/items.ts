/**
 * The vault's index: the names and metadata of every item, encrypted as one block in the file.
 * Values are never part of the index; each field points at a sealed value record by id.
 */
import { LatchkeyError } from '../errors';
import type { Environment } from '../scope';

/**
 * One field: its name and the hex id of the sealed value record holding its value (a new id for
 * every value written). A pair rather than an object keeps the index small: a vault of 10,000
 * items must open in milliseconds.
 */
export type FieldRecord = readonly [name: string, valueId: string];

/** Where an item came from. Local items are the developer's own (`latchkey set`). */
export type ItemOrigin =
  | { readonly kind: 'local' }
  | {
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
  readonly updatedAt: string;
  readonly fields: readonly FieldRecord[];
  /**
   * A synced item's previous version, kept readable until `until` after a rotation so running
   * processes keep working (`latchkey get --previous`).
   */
  readonly previous?: PreviousVersion;
}

export interface PreviousVersion {
  readonly version: number;
  readonly fields: readonly FieldRecord[];
  /** ISO 8601: when the previous version stops being readable. */
  readonly until: string;
}

export interface IndexDocument {
  readonly v: 1;
  readonly items: readonly ItemRecord[];
  /** Reserved for later parts of the vault (audit chain head, store credentials, refusal records). */
  readonly meta: Readonly<Record<string, unknown>>;
}

/** A 32-digit hex id. The index is MAC-authenticated, so this guards against our own bugs, cheaply. */
function isId(v: unknown): boolean {
  return typeof v === 'string' && v.length === 32;
}

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

function checkFields(fields: unknown): void {
  if (!Array.isArray(fields)) throw bad('fields');
  for (const f of fields as unknown[]) {
    if (!Array.isArray(f) || f.length !== 2 || typeof f[0] !== 'string' || !isId(f[1])) throw bad('field');
  }
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
  if (d.v !== 1 || !Array.isArray(d.items) || typeof d.meta !== 'object' || d.meta === null)
    throw bad('shape');
  for (const raw of d.items as unknown[]) {
    if (typeof raw !== 'object' || raw === null) throw bad('item');
    const it = raw as Record<string, unknown>;
    if (!isId(it.id)) throw bad('item id');
    str(it.project, 'project');
    str(it.name, 'item name');
    if (it.environment !== 'development' && it.environment !== 'staging') throw bad('environment');
    if (!Number.isInteger(it.revision)) throw bad('revision');
    str(it.updatedAt, 'updatedAt');
    const origin = it.origin as Record<string, unknown> | null;
    if (
      typeof origin !== 'object' ||
      origin === null ||
      (origin.kind !== 'local' && origin.kind !== 'store')
    ) {
      throw bad('origin');
    }
    checkFields(it.fields);
    if (it.previous !== undefined) {
      const prev = it.previous as Record<string, unknown> | null;
      if (typeof prev !== 'object' || prev === null || !Number.isInteger(prev.version)) throw bad('previous');
      str(prev.until, 'previous.until');
      checkFields(prev.fields);
    }
  }
  return doc as IndexDocument;
}
