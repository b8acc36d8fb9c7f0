/**
 * The unlocked vault: the data key, the decrypted index, and the still-sealed value records.
 * Values stay encrypted in memory and are decrypted one at a time, for the request that needs
 * them; the caller disposes the returned Secret. `close()` zeroes the data key.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { LatchkeyError } from '../errors';
import { deriveKey, SALT_BYTES, type KdfParams } from '../crypto/kdf';
import { Secret, wipe } from '../crypto/secret';
import { deriveSubkey } from '../crypto/subkeys';
import { NONCE_BYTES, xchachaOpen, xchachaSeal, xchachaSealChunks } from '../crypto/xchacha20poly1305';
import { pace, turnSpent } from './atomic-write';
import { findLiveCredential } from '../scope';
import {
  AAD_LABELS,
  encodeHeader,
  ID_BYTES,
  indexAad,
  keyBlockAad,
  layoutChunks,
  parseVaultFile,
  valueAad,
  type ParsedVaultFile,
  type VaultHeader,
} from './format';
import { parseIndex, type FieldRecord, type IndexDocument, type ItemRecord } from './items';
import { poolRandomBytes, SealedValues } from './sealed-values';
import { formatFieldRef, formatItemRef, type FieldRef, type ItemRef, type PartialRef } from './ref';

/** Largest single value we store: big enough for certificates and service-account JSON. */
export const MAX_VALUE_BYTES = 64 * 1024;
/** Items stringified per piece when saving (a fraction of a millisecond each). */
const INDEX_SLICE = 200;
/** Bytes MAC'd per call when saving, between checks of the event loop's turn. */
const MAC_SLICE_BYTES = 256 * 1024;

/** Most fields one item may carry. */
export const MAX_FIELDS_PER_ITEM = 100;

function corruptBody(detail: string): LatchkeyError {
  return new LatchkeyError(
    'VAULT_CORRUPT',
    `the vault file fails its integrity check (${detail}); it was altered or damaged — run 'latchkey restore-backup'`,
  );
}

function nowIso(): string {
  return new Date().toISOString();
}

export class Vault {
  #dataKey: Buffer | undefined;
  #header: VaultHeader;
  #keyBlock: { nonce: Buffer; sealed: Buffer };
  #items: Map<string, ItemRecord>;
  /** Synced items by store and path, so a sync of 10,000 items is not 10,000 scans. */
  readonly #byStorePath = new Map<string, string>();
  #values: SealedValues;
  #meta: Record<string, unknown>;
  /** A value's associated data, rewritten in place for each value sealed (see #valueAadFor). */
  #sealAad: Buffer | undefined;

  private constructor(
    dataKey: Buffer,
    header: VaultHeader,
    keyBlock: { nonce: Buffer; sealed: Buffer },
    index: IndexDocument,
    values: SealedValues,
  ) {
    this.#dataKey = dataKey;
    this.#header = header;
    this.#keyBlock = keyBlock;
    this.#items = new Map(index.items.map((i) => [i.id, i]));
    for (const i of index.items)
      if (i.origin.kind === 'store') this.#byStorePath.set(storeKey(i.origin.store, i.origin.path), i.id);
    this.#values = values;
    this.#meta = { ...index.meta };
  }

  /** A new, empty vault with a fresh data key wrapped under the password. Generation 0 until saved. */
  static async create(password: Uint8Array, kdf: KdfParams): Promise<Vault> {
    const header: VaultHeader = {
      kdf,
      salt: randomBytes(SALT_BYTES),
      vaultId: randomBytes(ID_BYTES),
      createdMs: Date.now(),
      generation: 0,
    };
    const dataKey = randomBytes(32);
    const keyBlock = await wrapDataKey(dataKey, password, header);
    return new Vault(dataKey, header, keyBlock, { v: 1, items: [], meta: {} }, new SealedValues());
  }

  /**
   * Opens a vault file with the password. Damage is VAULT_CORRUPT and found before the KDF runs;
   * a key block that does not open under an intact file is WRONG_PASSWORD.
   */
  static async open(file: Buffer, password: Uint8Array): Promise<Vault> {
    const parsed = parseVaultFile(file);
    const kek = await deriveKey(password, parsed.header.salt, parsed.header.kdf);
    try {
      return Vault.openWithKek(parsed, kek);
    } finally {
      wipe(kek);
    }
  }

  /**
   * The part of open() after the KDF: unwrap the data key with the key-encryption key, check the
   * MAC, decrypt the index. Separate so tests can check thousands of altered files with one KDF.
   */
  static openWithKek(parsed: ParsedVaultFile, kek: Buffer): Vault {
    const dataKey = xchachaOpen(
      kek,
      parsed.keyBlock.nonce,
      parsed.keyBlock.sealed,
      keyBlockAad(parsed.headerBytes),
    );
    if (dataKey === undefined) {
      throw new LatchkeyError('WRONG_PASSWORD', 'the password does not open this vault; try again');
    }
    try {
      return Vault.fromParsed(parsed, dataKey);
    } catch (error) {
      wipe(dataKey);
      throw error;
    }
  }

  /**
   * The same vault as written since by someone else (a direct-mode `latchkey set` while an agent
   * holds it open), opened with this vault's data key — no password needed, since a password
   * change re-wraps the same key. Refuses a file of another vault.
   */
  reopen(file: Buffer): Vault {
    const parsed = parseVaultFile(file);
    if (!parsed.header.vaultId.equals(this.#header.vaultId)) {
      throw new LatchkeyError('VAULT_CHANGED', 'the vault file was replaced by another vault; unlock again');
    }
    const dataKey = Buffer.from(this.#key());
    try {
      return Vault.fromParsed(parsed, dataKey);
    } catch (error) {
      wipe(dataKey);
      throw error;
    }
  }

  private static fromParsed(parsed: ParsedVaultFile, dataKey: Buffer): Vault {
    const macKey = deriveSubkey(dataKey, 'fileMac');
    const mac = createHmac('sha256', macKey).update(parsed.macInput).digest();
    wipe(macKey);
    if (!timingSafeEqual(mac, parsed.mac)) throw corruptBody('message authentication code mismatch');
    const indexJson = xchachaOpen(
      dataKey,
      parsed.index.nonce,
      parsed.index.sealed,
      indexAad(parsed.headerBytes),
    );
    if (indexJson === undefined) throw corruptBody('index does not decrypt');
    const index = parseIndex(indexJson);
    const values = new SealedValues(parsed.values);
    for (const item of index.items) {
      for (const [, valueId] of item.fields)
        if (!values.has(valueId)) throw corruptBody('a value record is missing');
      for (const [, valueId] of item.previous?.fields ?? []) {
        if (!values.has(valueId)) throw corruptBody('a value record is missing');
      }
    }
    const system = index.meta.system;
    if (typeof system === 'object' && system !== null) {
      for (const entry of Object.values(system as Record<string, unknown>)) {
        if (!Array.isArray(entry) || typeof entry[1] !== 'string' || !values.has(entry[1])) {
          throw corruptBody('a stored credential is missing');
        }
      }
    }
    return new Vault(
      dataKey,
      parsed.header,
      { nonce: Buffer.from(parsed.keyBlock.nonce), sealed: Buffer.from(parsed.keyBlock.sealed) },
      index,
      values,
    );
  }

  get generation(): number {
    return this.#header.generation;
  }

  get vaultId(): string {
    return this.#header.vaultId.toString('hex');
  }

  get kdf(): KdfParams {
    return this.#header.kdf;
  }

  get createdAt(): string {
    return new Date(this.#header.createdMs).toISOString();
  }

  get itemCount(): number {
    return this.#items.size;
  }

  /** Metadata other parts of Latchkey keep inside the encrypted index. */
  get meta(): Readonly<Record<string, unknown>> {
    return this.#meta;
  }

  setMeta(key: string, value: unknown): void {
    this.#meta[key] = value;
  }

  #key(): Buffer {
    if (this.#dataKey === undefined)
      throw new LatchkeyError('INTERNAL', 'the vault was used after it was closed');
    return this.#dataKey;
  }

  /** Items matching a filter, sorted by ref. Names and metadata only. */
  list(filter: PartialRef = { project: '' }): ItemRecord[] {
    const out: ItemRecord[] = [];
    for (const item of this.#items.values()) {
      if (filter.project && item.project !== filter.project) continue;
      if (filter.environment && item.environment !== filter.environment) continue;
      if (filter.item && item.name !== filter.item) continue;
      out.push(item);
    }
    return out.sort((a, b) => compareItems(a, b));
  }

  /** The item at a ref: the local one when a local item shadows a synced one. */
  findItem(ref: ItemRef): ItemRecord | undefined {
    let found: ItemRecord | undefined;
    for (const item of this.#items.values()) {
      if (item.project === ref.project && item.environment === ref.environment && item.name === ref.item) {
        if (item.origin.kind === 'local') return item;
        found = item;
      }
    }
    return found;
  }

  #require(ref: FieldRef, previous: boolean): { item: ItemRecord; field: FieldRecord } {
    const item = this.findItem(ref);
    if (previous) {
      const prev = item?.previous;
      const field =
        prev && Date.parse(prev.until) > Date.now() ? prev.fields.find(([n]) => n === ref.field) : undefined;
      if (item === undefined || field === undefined) {
        throw new LatchkeyError(
          'ITEM_NOT_FOUND',
          `${formatFieldRef(ref)} has no previous version in its grace period; the current one is all there is`,
        );
      }
      return { item, field };
    }
    const field = item?.fields.find(([name]) => name === ref.field);
    if (item === undefined || field === undefined) {
      throw new LatchkeyError(
        'ITEM_NOT_FOUND',
        `there is no ${formatFieldRef(ref)} in the vault; 'latchkey ls ${ref.project}' shows what there is`,
      );
    }
    return { item, field };
  }

  /**
   * Decrypts one field (or, with `previous`, the field's value before the last rotation while its
   * grace period lasts). The caller disposes the Secret as soon as it has used it.
   */
  readField(ref: FieldRef, options: { previous?: boolean } = {}): Secret {
    const { item, field } = this.#require(ref, options.previous === true);
    const plain = this.#open(item.id, field[1]);
    if (plain === undefined) throw corruptBody(`the value of ${formatFieldRef(ref)} does not decrypt`);
    return new Secret(plain);
  }

  #open(itemId: string, valueId: string): Buffer | undefined {
    const record = this.#values.get(valueId);
    if (record === undefined) throw corruptBody('a value record is missing');
    return xchachaOpen(
      this.#key(),
      record.nonce,
      record.sealed,
      valueAad(this.#header.vaultId, Buffer.from(itemId, 'hex'), Buffer.from(valueId, 'hex')),
    );
  }

  /** Seals a value for an item; returns the new value id (hex). */
  #seal(itemId: string, bytes: Uint8Array): string {
    const valueId = this.#values.newValueId();
    const nonce = poolRandomBytes(NONCE_BYTES);
    const sealed = xchachaSeal(this.#key(), nonce, bytes, this.#valueAadFor(itemId, valueId));
    const hex = valueId.toString('hex');
    this.#values.set(hex, { nonce, sealed });
    return hex;
  }

  /**
   * `valueAad(vaultId, itemId, valueId)`, written into one buffer this vault reuses (the cipher
   * copies it at once), so sealing thousands of values does not allocate an AAD for each.
   */
  #valueAadFor(itemId: string, valueId: Buffer): Buffer {
    const vaultId = this.#header.vaultId;
    const aad = (this.#sealAad ??= Buffer.concat([AAD_LABELS.value, vaultId, Buffer.alloc(2 * ID_BYTES)]));
    const at = AAD_LABELS.value.length + vaultId.length;
    if (
      aad.length !== at + 2 * ID_BYTES ||
      valueId.length !== ID_BYTES ||
      itemId.length !== 2 * ID_BYTES ||
      aad.write(itemId, at, ID_BYTES, 'hex') !== ID_BYTES
    ) {
      return valueAad(vaultId, Buffer.from(itemId, 'hex'), valueId);
    }
    valueId.copy(aad, at + ID_BYTES);
    return aad;
  }

  /**
   * Stores a value for a field of a local item, creating the item if needed. The value is sealed at
   * once; the Secret is not disposed here (the caller owns it). Refuses live production credentials.
   */
  setField(ref: FieldRef, value: Secret): void {
    const bytes = value.reveal();
    if (bytes.length === 0 || bytes.length > MAX_VALUE_BYTES) {
      throw new LatchkeyError(
        'INVALID_VALUE',
        `the value for ${formatFieldRef(ref)} is ${bytes.length} bytes; values must be 1 to ${MAX_VALUE_BYTES} bytes`,
      );
    }
    const live = findLiveCredential(bytes);
    if (live !== undefined) {
      throw new LatchkeyError(
        'PRODUCTION_REFUSED',
        `the value for ${formatFieldRef(ref)} looks like a live production credential (rule ${live.rule}: ${live.description}); ` +
          `store the development or sandbox credential instead`,
      );
    }
    const now = nowIso();
    const existing = this.#localItem(ref);
    const item: ItemRecord = existing ?? {
      id: poolRandomBytes(ID_BYTES).toString('hex'),
      project: ref.project,
      environment: ref.environment,
      name: ref.item,
      origin: { kind: 'local' },
      revision: 0,
      updatedAt: now,
      fields: [],
    };
    const others = item.fields.filter(([name]) => name !== ref.field);
    if (others.length >= MAX_FIELDS_PER_ITEM) {
      throw new LatchkeyError(
        'INVALID_VALUE',
        `${formatItemRef(ref)} already has ${MAX_FIELDS_PER_ITEM} fields`,
      );
    }
    const valueId = this.#seal(item.id, bytes);
    const replaced = item.fields.find(([name]) => name === ref.field);
    if (replaced) this.#values.delete(replaced[1]);
    const field: FieldRecord = [ref.field, valueId];
    this.#items.set(item.id, {
      ...item,
      revision: item.revision + 1,
      updatedAt: now,
      fields: [...others, field].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
    });
  }

  #localItem(ref: ItemRef): ItemRecord | undefined {
    for (const item of this.#items.values()) {
      if (
        item.origin.kind === 'local' &&
        item.project === ref.project &&
        item.environment === ref.environment &&
        item.name === ref.item
      ) {
        return item;
      }
    }
    return undefined;
  }

  /** Removes a field of a local item (the item too when it was its last field), or a whole local item. */
  remove(ref: ItemRef & { field?: string }): { removedFields: number } {
    const item = this.#localItem(ref);
    const notFound = (): LatchkeyError =>
      new LatchkeyError(
        'ITEM_NOT_FOUND',
        `there is no local item ${ref.field ? formatFieldRef(ref as FieldRef) : formatItemRef(ref)} to remove; ` +
          `'latchkey ls ${ref.project}' shows what there is`,
      );
    if (item === undefined) throw notFound();
    const going = ref.field === undefined ? item.fields : item.fields.filter(([name]) => name === ref.field);
    if (going.length === 0) throw notFound();
    for (const [, valueId] of going) this.#values.delete(valueId);
    const left = item.fields.filter((f) => !going.includes(f));
    if (left.length === 0) this.#items.delete(item.id);
    else
      this.#items.set(item.id, { ...item, fields: left, revision: item.revision + 1, updatedAt: nowIso() });
    return { removedFields: going.length };
  }

  /** Items synced from `store`, by store path. */
  storeItems(store: string): Map<string, ItemRecord> {
    return new Map(this.storeItemEntries(store));
  }

  /**
   * The entries of `storeItems(store)` (a store path and its item), produced as the caller goes
   * rather than copied into a map first. Items may be removed (`removeStoreItem`) meanwhile.
   */
  *storeItemEntries(store: string): Generator<[path: string, item: ItemRecord], void, undefined> {
    for (const item of this.#items.values()) {
      if (item.origin.kind !== 'store' || item.origin.store !== store) continue;
      // The one item a path is indexed under: the one a map by path would have kept.
      if (this.#byStorePath.get(storeKey(store, item.origin.path)) === item.id) {
        yield [item.origin.path, item];
      }
    }
  }

  /**
   * Puts one synced item's version into the vault. A new version replaces the fields; the replaced
   * fields stay readable as `previous` until `graceUntil`. Values must already have passed the
   * production checks (the sync engine does them); this only seals and records.
   */
  upsertStoreItem(input: {
    store: string;
    path: string;
    ref: ItemRef;
    version: number;
    changedUpstreamAt: string;
    fields: readonly (readonly [string, Secret])[];
    graceUntil: string;
  }): 'added' | 'updated' | 'unchanged' {
    const existingId = this.#byStorePath.get(storeKey(input.store, input.path));
    const existing = existingId === undefined ? undefined : this.#items.get(existingId);
    if (existing && existing.origin.kind === 'store' && existing.origin.version === input.version)
      return 'unchanged';
    const now = nowIso();
    const id = existing?.id ?? poolRandomBytes(ID_BYTES).toString('hex');
    const fields: FieldRecord[] = input.fields
      .map(([name, value]): FieldRecord => [name, this.#seal(id, value.reveal())])
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    if (existing?.previous) for (const [, v] of existing.previous.fields) this.#values.delete(v);
    const previous =
      existing && existing.origin.kind === 'store'
        ? { previous: { version: existing.origin.version, fields: existing.fields, until: input.graceUntil } }
        : {};
    this.#items.set(id, {
      id,
      project: input.ref.project,
      environment: input.ref.environment,
      name: input.ref.item,
      origin: {
        kind: 'store',
        store: input.store,
        path: input.path,
        version: input.version,
        changedUpstreamAt: input.changedUpstreamAt,
      },
      revision: (existing?.revision ?? 0) + 1,
      updatedAt: now,
      fields,
      ...previous,
    });
    this.#byStorePath.set(storeKey(input.store, input.path), id);
    return existing ? 'updated' : 'added';
  }

  /** Removes a synced item and every value it holds (current and previous). */
  removeStoreItem(store: string, path: string): boolean {
    const key = storeKey(store, path);
    const id = this.#byStorePath.get(key);
    const item = id === undefined ? undefined : this.#items.get(id);
    if (!item) return false;
    for (const [, v] of item.fields) this.#values.delete(v);
    for (const [, v] of item.previous?.fields ?? []) this.#values.delete(v);
    this.#items.delete(item.id);
    this.#byStorePath.delete(key);
    return true;
  }

  /** Forgets previous versions whose grace period is over. Returns how many were dropped. */
  prunePrevious(now = Date.now()): number {
    let dropped = 0;
    for (const item of this.#items.values()) {
      if (item.previous && Date.parse(item.previous.until) <= now) {
        for (const [, v] of item.previous.fields) this.#values.delete(v);
        const { previous: _gone, ...rest } = item;
        this.#items.set(item.id, rest);
        dropped++;
      }
    }
    return dropped;
  }

  /**
   * Secrets Latchkey keeps for itself (store tokens), sealed like any value under a private item
   * id and listed only in the index's `meta.system`.
   */
  setSystemSecret(key: string, value: Secret): void {
    this.deleteSystemSecret(key);
    const itemId = poolRandomBytes(ID_BYTES).toString('hex');
    const valueId = this.#seal(itemId, value.reveal());
    this.#meta.system = { ...this.#systemIndex(), [key]: [itemId, valueId] };
  }

  readSystemSecret(key: string): Secret | undefined {
    const entry = Object.hasOwn(this.#systemIndex(), key) ? this.#systemIndex()[key] : undefined;
    if (entry === undefined) return undefined;
    const plain = this.#open(entry[0], entry[1]);
    if (plain === undefined) throw corruptBody('a stored credential does not decrypt');
    return new Secret(plain);
  }

  deleteSystemSecret(key: string): void {
    const index = this.#systemIndex();
    if (!Object.hasOwn(index, key)) return;
    const entry = index[key];
    if (entry) this.#values.delete(entry[1]);
    const { [key]: _gone, ...rest } = index;
    this.#meta.system = rest;
  }

  #systemIndex(): Record<string, [string, string]> {
    const raw = this.#meta.system;
    return typeof raw === 'object' && raw !== null ? (raw as Record<string, [string, string]>) : {};
  }

  /** Wraps the data key under a new password (new salt, given or current parameters). Values are untouched. */
  async changePassword(newPassword: Uint8Array, kdf: KdfParams = this.#header.kdf): Promise<void> {
    const header: VaultHeader = { ...this.#header, kdf, salt: randomBytes(SALT_BYTES) };
    this.#keyBlock = await wrapDataKey(this.#key(), newPassword, header);
    this.#header = header;
  }

  /**
   * The next generation of the file, as chunks to write in order. The work is sliced (the index
   * is stringified, sealed and MAC'd piece by piece, yielding in between) so an agent serving its
   * socket never stalls on a large vault. The generation counter only moves when the caller
   * commits (`markSaved`) so a failed write can be retried.
   */
  async serialize(): Promise<{ chunks: Buffer[]; generation: number }> {
    const key = this.#key();
    const generation = this.#header.generation + 1;
    const headerBytes = encodeHeader({ ...this.#header, generation });
    // The same bytes as JSON.stringify({ v: 1, items, meta }), produced a few hundred items at a time.
    const items = [...this.#items.values()];
    const json: Buffer[] = [Buffer.from('{"v":1,"items":[')];
    for (let i = 0; i < items.length; i += INDEX_SLICE) {
      if (turnSpent()) await pace();
      const slice = JSON.stringify(items.slice(i, i + INDEX_SLICE));
      json.push(Buffer.from(`${i === 0 ? '' : ','}${slice.slice(1, -1)}`, 'utf8'));
    }
    json.push(Buffer.from(`],"meta":${JSON.stringify(this.#meta)}}`, 'utf8'));
    const indexNonce = randomBytes(NONCE_BYTES);
    const sealed = await xchachaSealChunks(key, indexNonce, json, indexAad(headerBytes), pace);
    const chunks = layoutChunks({
      headerBytes,
      keyBlock: this.#keyBlock,
      index: { nonce: indexNonce, sealed },
      records: await this.#values.records(),
    });
    const macKey = deriveSubkey(key, 'fileMac');
    try {
      const hmac = createHmac('sha256', macKey);
      for (const chunk of chunks) {
        for (let at = 0; at < chunk.length; at += MAC_SLICE_BYTES) {
          if (turnSpent()) await pace();
          hmac.update(chunk.length <= MAC_SLICE_BYTES ? chunk : chunk.subarray(at, at + MAC_SLICE_BYTES));
        }
      }
      chunks.push(hmac.digest());
      return { chunks, generation };
    } finally {
      wipe(macKey);
    }
  }

  /** Records that generation `generation` is now on disk. */
  markSaved(generation: number): void {
    this.#header = { ...this.#header, generation };
  }

  /** The audit-chain key for this vault (derived from the data key). */
  deriveAuditKey(): Buffer {
    return deriveSubkey(this.#key(), 'audit');
  }

  /** Zeroes the data key and forgets every sealed value. The object is unusable afterwards. */
  close(): void {
    wipe(this.#dataKey);
    this.#dataKey = undefined;
    this.#values.clear();
    this.#items.clear();
    this.#byStorePath.clear();
  }
}

async function wrapDataKey(
  dataKey: Buffer,
  password: Uint8Array,
  header: VaultHeader,
): Promise<{ nonce: Buffer; sealed: Buffer }> {
  const kek = await deriveKey(password, header.salt, header.kdf);
  try {
    const nonce = randomBytes(NONCE_BYTES);
    return { nonce, sealed: xchachaSeal(kek, nonce, dataKey, keyBlockAad(encodeHeader(header))) };
  } finally {
    wipe(kek);
  }
}

function storeKey(store: string, path: string): string {
  return `${store}\u0000${path}`;
}

function compareItems(a: ItemRecord, b: ItemRecord): number {
  const ka = `${a.project}/${a.environment}/${a.name}/${a.origin.kind}`;
  const kb = `${b.project}/${b.environment}/${b.name}/${b.origin.kind}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
