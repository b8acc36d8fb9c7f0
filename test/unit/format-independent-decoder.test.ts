// An independent decoder for the Latchkey vault file, written only from docs/FORMAT.md and using only
// libsodium (no node:crypto, nothing from main/). It proves the document is enough to read a vault.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sodium } from '../helpers/sodium';

type Sodium = Awaited<ReturnType<typeof sodium>>;

const VECTOR_LKV = path.resolve(__dirname, '../../../test/fixtures/vectors/v1-vector.lkv');
const VECTOR_JSON = path.resolve(__dirname, '../../../test/fixtures/vectors/v1-vector.json');

interface VectorJson {
  password: string;
  header: {
    formatVersion: number;
    memoryKiB: number;
    iterations: number;
    parallelism: number;
    salt: string;
    vaultId: string;
    createdMs: number;
    generation: number;
  };
  items: Record<string, string>;
}

// ---------------------------------------------------------------------------------------------
// The decoder (FORMAT.md, "Opening a vault, step by step").

type FailureKind = 'unsupported' | 'corrupt' | 'wrong-password' | 'tampered';

class VaultDecodeError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
  ) {
    super(`${kind}: ${message}`);
  }
}

const MAGIC = Buffer.from('LATCHKEY', 'ascii');
const HEADER_LEN = 76;
const H_STATIC_LEN = 68;
const KEY_BLOCK_LEN = 24 + 32 + 16;
const KEY_BLOCK_END = HEADER_LEN + KEY_BLOCK_LEN; // 148
const HEADER_CHECK_LEN = 32;
const BODY_START = KEY_BLOCK_END + HEADER_CHECK_LEN; // 180: the index starts here
const NONCE_LEN = 24;
const TAG_LEN = 16;
const VALUE_ID_LEN = 16;
const VALUE_ID_PREFIX_LEN = 6; // records are found by the first 6 bytes (48 bits) of their value id
const MAC_LEN = 32;
const MIN_FILE_LEN = 260;
const MEM_MIN_KIB = 65_536;
const MEM_MAX_KIB = 2_097_152;
const ITER_MIN = 2;
const ITER_MAX = 64;
const MEM_TIMES_ITER_MAX_KIB = 16_384 * 1024; // 16 384 MiB-passes expressed in KiB-passes

const LABEL_DATA_KEY = Buffer.from('latchkey v1 data key', 'ascii');
const LABEL_INDEX = Buffer.from('latchkey v1 index', 'ascii');
const LABEL_VALUE = Buffer.from('latchkey v1 value', 'ascii');
const LABEL_FILE_MAC = Buffer.from('latchkey v1 file mac', 'ascii');

interface Header {
  formatVersion: number;
  headerLength: number;
  kdf: number;
  aead: number;
  flags: number;
  memoryKiB: number;
  iterations: number;
  parallelism: number;
  salt: Buffer;
  vaultId: Buffer;
  createdMs: bigint;
  generation: bigint;
}

interface ValueRecord {
  /** Offset of the record (its value id) in the file. */
  offset: number;
  valueId: Buffer;
  nonce: Buffer;
  ciphertext: Buffer;
}

interface Layout {
  header: Header;
  h: Buffer;
  hStatic: Buffer;
  keyNonce: Buffer;
  keyCiphertext: Buffer;
  indexNonce: Buffer;
  indexCiphertext: Buffer;
  /** Offset of the value count. */
  valuesStart: number;
  /** Records keyed by the first 6 bytes of their value id, read as a 48-bit number. */
  records: Map<number, ValueRecord>;
  macInput: Buffer;
  mac: Buffer;
}

interface IndexField {
  name: string;
  valueId: string;
}

interface IndexItem {
  id: string;
  project: string;
  environment: string;
  name: string;
  origin: { kind: string };
  fields: IndexField[];
}

interface IndexJson {
  v: number;
  items: IndexItem[];
  meta: Record<string, unknown>;
}

interface OpenedVault {
  header: Header;
  index: IndexJson;
  readValue(item: IndexItem, field: IndexField): Buffer;
}

function u16(buf: Buffer, off: number): number {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getUint16(off, false);
}
function u32(buf: Buffer, off: number): number {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getUint32(off, false);
}
function u64(buf: Buffer, off: number): bigint {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getBigUint64(off, false);
}

function hexId(hex: string): Buffer {
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new VaultDecodeError('corrupt', `bad hex id ${hex}`);
  return Buffer.from(hex, 'hex');
}

/** The lookup key of a value id: its first 6 bytes as a 48-bit big-endian number. */
function valueIdKey(valueId: Buffer): number {
  return valueId.readUIntBE(0, VALUE_ID_PREFIX_LEN);
}

/** Steps 1–4: everything that needs no key. */
function parseLayout(s: Sodium, file: Buffer): Layout {
  // Step 1: magic, version, header length.
  if (file.length < MAGIC.length + 4 || !file.subarray(0, 8).equals(MAGIC)) {
    throw new VaultDecodeError('corrupt', 'not a Latchkey vault (magic)');
  }
  const formatVersion = u16(file, 8);
  if (formatVersion !== 1) throw new VaultDecodeError('unsupported', `format version ${formatVersion}`);
  const headerLength = u16(file, 10);
  if (headerLength !== HEADER_LEN) throw new VaultDecodeError('corrupt', `header length ${headerLength}`);

  // Step 2: total length and the unkeyed header check, SHA256(header || key block).
  if (file.length < MIN_FILE_LEN) throw new VaultDecodeError('corrupt', `file too short (${file.length})`);
  const headerCheck = file.subarray(KEY_BLOCK_END, BODY_START);
  if (!Buffer.from(s.crypto_hash_sha256(file.subarray(0, KEY_BLOCK_END))).equals(headerCheck)) {
    throw new VaultDecodeError('corrupt', 'header check mismatch');
  }

  // Step 3: algorithm ids, flags, KDF parameter ranges (before any KDF runs).
  const header: Header = {
    formatVersion,
    headerLength,
    kdf: file[12]!,
    aead: file[13]!,
    flags: u16(file, 14),
    memoryKiB: u32(file, 16),
    iterations: u32(file, 20),
    parallelism: u32(file, 24),
    salt: Buffer.from(file.subarray(28, 44)),
    vaultId: Buffer.from(file.subarray(44, 60)),
    createdMs: u64(file, 60),
    generation: u64(file, 68),
  };
  if (header.kdf !== 1) throw new VaultDecodeError('corrupt', `KDF id ${header.kdf}`);
  if (header.aead !== 1) throw new VaultDecodeError('corrupt', `AEAD id ${header.aead}`);
  if (header.flags !== 0) throw new VaultDecodeError('corrupt', `flags ${header.flags}`);
  if (header.memoryKiB < MEM_MIN_KIB || header.memoryKiB > MEM_MAX_KIB) {
    throw new VaultDecodeError('corrupt', `Argon2id memory ${header.memoryKiB} KiB out of range`);
  }
  if (header.iterations < ITER_MIN || header.iterations > ITER_MAX) {
    throw new VaultDecodeError('corrupt', `Argon2id iterations ${header.iterations} out of range`);
  }
  if (header.parallelism !== 1) throw new VaultDecodeError('corrupt', `Argon2id parallelism ${header.parallelism}`);
  if (header.memoryKiB * header.iterations > MEM_TIMES_ITER_MAX_KIB) {
    throw new VaultDecodeError('corrupt', 'Argon2id memory × iterations too large');
  }

  // Step 4: walk the structure from offset 180; the values must end exactly 32 bytes before the end.
  const valuesEnd = file.length - MAC_LEN;
  let off = BODY_START;
  const need = (len: number, what: string): void => {
    if (off + len > valuesEnd) throw new VaultDecodeError('corrupt', `${what} runs past the end of the values`);
  };

  need(NONCE_LEN + 4, 'index header');
  const indexNonce = file.subarray(off, off + NONCE_LEN);
  const indexLen = u32(file, off + NONCE_LEN);
  off += NONCE_LEN + 4;
  if (indexLen < TAG_LEN) throw new VaultDecodeError('corrupt', `index length ${indexLen}`);
  need(indexLen, 'index');
  const indexCiphertext = file.subarray(off, off + indexLen);
  off += indexLen;

  const valuesStart = off;
  need(4, 'value count');
  const count = u32(file, off);
  off += 4;
  const records = new Map<number, ValueRecord>();
  for (let i = 0; i < count; i++) {
    const offset = off;
    need(VALUE_ID_LEN + NONCE_LEN + 4, `value record ${i}`);
    const valueId = file.subarray(off, off + VALUE_ID_LEN);
    const nonce = file.subarray(off + VALUE_ID_LEN, off + VALUE_ID_LEN + NONCE_LEN);
    const n = u32(file, off + VALUE_ID_LEN + NONCE_LEN);
    off += VALUE_ID_LEN + NONCE_LEN + 4;
    if (n < TAG_LEN) throw new VaultDecodeError('corrupt', `value record ${i} length ${n}`);
    need(n, `value record ${i}`);
    const ciphertext = file.subarray(off, off + n);
    off += n;
    const key = valueIdKey(valueId);
    if (records.has(key)) {
      throw new VaultDecodeError('corrupt', `two records share the value id prefix ${valueId.subarray(0, VALUE_ID_PREFIX_LEN).toString('hex')}`);
    }
    records.set(key, { offset, valueId, nonce, ciphertext });
  }
  if (off !== valuesEnd) {
    throw new VaultDecodeError('corrupt', `${valuesEnd - off} bytes left over after the values`);
  }

  return {
    header,
    h: file.subarray(0, HEADER_LEN),
    hStatic: file.subarray(0, H_STATIC_LEN),
    keyNonce: file.subarray(HEADER_LEN, HEADER_LEN + NONCE_LEN),
    keyCiphertext: file.subarray(HEADER_LEN + NONCE_LEN, KEY_BLOCK_END),
    indexNonce,
    indexCiphertext,
    valuesStart,
    records,
    macInput: file.subarray(0, valuesEnd),
    mac: file.subarray(valuesEnd),
  };
}

function passwordBytes(password: string): Buffer {
  return Buffer.from(password.normalize('NFC'), 'utf8');
}

function hmac(s: Sodium, key: Uint8Array, message: Uint8Array): Uint8Array {
  return s.crypto_auth_hmacsha256(message, key);
}

function fileMac(s: Sodium, dk: Uint8Array, macInput: Uint8Array): Uint8Array {
  return hmac(s, hmac(s, dk, LABEL_FILE_MAC), macInput);
}

function aeadOpen(s: Sodium, key: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array, aad: Uint8Array): Buffer | null {
  try {
    return Buffer.from(s.crypto_aead_xchacha20poly1305_ietf_decrypt(null, ciphertext, aad, nonce, key));
  } catch {
    return null;
  }
}

/** Step 5: the KEK from the password, then the data key from the key block. */
function openDataKey(s: Sodium, layout: Layout, password: string): Buffer {
  const { header } = layout;
  const kek = s.crypto_pwhash(
    32,
    passwordBytes(password),
    header.salt,
    header.iterations,
    header.memoryKiB * 1024,
    s.crypto_pwhash_ALG_ARGON2ID13,
  );
  const dk = aeadOpen(s, kek, layout.keyNonce, layout.keyCiphertext, Buffer.concat([LABEL_DATA_KEY, layout.hStatic]));
  // The header check is intact (step 2), so a key block that does not open means a wrong password
  // (or a deliberate edit of the header or key block with the header check recomputed).
  if (dk === null) throw new VaultDecodeError('wrong-password', 'the key block does not open');
  if (dk.length !== 32) throw new VaultDecodeError('corrupt', `data key is ${dk.length} bytes`);
  return dk;
}

/** Step 8's lookup: by the first 6 bytes of the value id, then the full id must match. */
function findRecord(layout: Layout, valueId: Buffer): ValueRecord | undefined {
  const record = layout.records.get(valueIdKey(valueId));
  return record?.valueId.equals(valueId) ? record : undefined;
}

function openVault(s: Sodium, file: Buffer, password: string): OpenedVault {
  const layout = parseLayout(s, file);
  const { header } = layout;

  // Step 5: KEK and the key block.
  const dk = openDataKey(s, layout, password);

  // Step 6: the file MAC (the last 32 bytes), compared in constant time.
  const mac = fileMac(s, dk, layout.macInput);
  if (mac.length !== layout.mac.length || !s.memcmp(mac, new Uint8Array(layout.mac))) {
    throw new VaultDecodeError('tampered', 'MAC mismatch');
  }

  // Step 7: the index.
  const indexPlain = aeadOpen(s, dk, layout.indexNonce, layout.indexCiphertext, Buffer.concat([LABEL_INDEX, layout.h]));
  if (indexPlain === null) throw new VaultDecodeError('tampered', 'the index does not open');
  const raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(indexPlain)) as {
    v: number;
    items: (Omit<IndexItem, 'fields'> & { fields: [string, string][] })[];
    meta: Record<string, unknown>;
  };
  // Fields are [name, value id] pairs in the file.
  const index: IndexJson = {
    ...raw,
    items: raw.items.map((item) => ({ ...item, fields: item.fields.map(([name, valueId]) => ({ name, valueId })) })),
  };
  if (index.v !== 1) throw new VaultDecodeError('unsupported', `index version ${String(index.v)}`);
  for (const item of index.items) {
    for (const field of item.fields) {
      if (findRecord(layout, hexId(field.valueId)) === undefined) {
        throw new VaultDecodeError('corrupt', `no record for value id ${field.valueId}`);
      }
    }
  }

  // Step 8: a field's value.
  const readValue = (item: IndexItem, field: IndexField): Buffer => {
    const valueId = hexId(field.valueId);
    const record = findRecord(layout, valueId);
    if (record === undefined) throw new VaultDecodeError('corrupt', `no record for value id ${field.valueId}`);
    const aad = Buffer.concat([LABEL_VALUE, header.vaultId, hexId(item.id), valueId]);
    const value = aeadOpen(s, dk, record.nonce, record.ciphertext, aad);
    if (value === null) throw new VaultDecodeError('tampered', `value ${field.valueId} does not open`);
    return value;
  };

  return { header, index, readValue };
}

/** `lk://<project>/<environment>/<name>/<field name>`; a local item overrides a synced one. */
function resolveRef(index: IndexJson, ref: string): { item: IndexItem; field: IndexField } | undefined {
  const candidates: { item: IndexItem; field: IndexField }[] = [];
  for (const item of index.items) {
    for (const field of item.fields) {
      if (`lk://${item.project}/${item.environment}/${item.name}/${field.name}` === ref) candidates.push({ item, field });
    }
  }
  return candidates.find((c) => c.item.origin.kind === 'local') ?? candidates[0];
}

// ---------------------------------------------------------------------------------------------
// Helpers for the tests.

function loadVector(): { file: Buffer; json: VectorJson } {
  return {
    file: readFileSync(VECTOR_LKV),
    json: JSON.parse(readFileSync(VECTOR_JSON, 'utf8')) as VectorJson,
  };
}

function flipBit(file: Buffer, offset: number, bit = 0): Buffer {
  const copy = Buffer.from(file);
  copy[offset] = copy[offset]! ^ (1 << bit);
  return copy;
}

/** Recomputes the header check over an edited header or key block (what a deliberate editor would do). */
function recomputeHeaderCheck(s: Sodium, file: Buffer): Buffer {
  const copy = Buffer.from(file);
  Buffer.from(s.crypto_hash_sha256(copy.subarray(0, KEY_BLOCK_END))).copy(copy, KEY_BLOCK_END);
  return copy;
}

/** Recomputes the MAC with the real data key (only someone holding the password can do this). */
function recomputeMac(s: Sodium, file: Buffer, password: string): Buffer {
  const copy = Buffer.from(file);
  const layout = parseLayout(s, copy);
  const dk = openDataKey(s, layout, password);
  Buffer.from(fileMac(s, dk, layout.macInput)).copy(copy, copy.length - MAC_LEN);
  return copy;
}

/** A sodium whose crypto_pwhash counts its calls, to show a check ran before any key was derived. */
function countingKdf(s: Sodium): { s: Sodium; calls: () => number } {
  let calls = 0;
  const counted = new Proxy(s, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (prop === 'crypto_pwhash' && typeof value === 'function') {
        return (...args: unknown[]): unknown => {
          calls++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return value;
    },
  });
  return { s: counted, calls: () => calls };
}

/** The records in file order (sorted by offset). */
function recordsInOrder(layout: Layout): ValueRecord[] {
  return [...layout.records.values()].sort((a, b) => a.offset - b.offset);
}

function failure(fn: () => unknown): VaultDecodeError {
  try {
    fn();
  } catch (err) {
    if (err instanceof VaultDecodeError) return err;
    throw err;
  }
  assert.fail('expected the decoder to refuse the file');
}

function failureKind(fn: () => unknown): FailureKind {
  return failure(fn).kind;
}

// ---------------------------------------------------------------------------------------------

test('an independent libsodium decoder written from docs/FORMAT.md opens the checked-in v1 vector and reads every item', async () => {
  const s = await sodium();
  const { file, json } = loadVector();
  const vault = openVault(s, file, json.password);

  assert.deepEqual(
    {
      formatVersion: vault.header.formatVersion,
      memoryKiB: vault.header.memoryKiB,
      iterations: vault.header.iterations,
      parallelism: vault.header.parallelism,
      salt: vault.header.salt.toString('hex'),
      vaultId: vault.header.vaultId.toString('hex'),
      createdMs: Number(vault.header.createdMs),
      generation: Number(vault.header.generation),
    },
    json.header,
  );
  assert.equal(vault.header.headerLength, 76);
  assert.equal(vault.header.kdf, 1);
  assert.equal(vault.header.aead, 1);
  assert.equal(vault.header.flags, 0);

  assert.equal(vault.index.v, 1);
  assert.equal(typeof vault.index.meta, 'object');
  for (const item of vault.index.items) {
    assert.ok(['development', 'staging'].includes(item.environment), `environment ${item.environment}`);
    assert.ok(['local', 'store'].includes(item.origin.kind), `origin ${item.origin.kind}`);
  }

  const refsInIndex = vault.index.items
    .flatMap((item) => item.fields.map((f) => `lk://${item.project}/${item.environment}/${item.name}/${f.name}`))
    .sort();
  assert.deepEqual(refsInIndex, Object.keys(json.items).sort(), 'the index holds exactly the refs the JSON lists');

  for (const [ref, expected] of Object.entries(json.items)) {
    const found = resolveRef(vault.index, ref);
    assert.ok(found, `ref ${ref} is in the index`);
    const value = vault.readValue(found.item, found.field);
    assert.equal(value.toString('utf8'), expected, ref);
    assert.ok(value.equals(Buffer.from(expected, 'utf8')), `${ref} byte for byte`);
  }
});

test('the independent decoder rejects the vector with a wrong password (key block does not open) while the header check is intact', async () => {
  const s = await sodium();
  const { file, json } = loadVector();
  // The header check is intact: the key-free part of the decoder accepts the file.
  assert.doesNotThrow(() => parseLayout(s, file));
  assert.equal(
    failureKind(() => openVault(s, file, `${json.password}!`)),
    'wrong-password',
  );
  assert.equal(
    failureKind(() => openVault(s, file, 'Correct horse battery staple')),
    'wrong-password',
  );
});

test('the independent decoder catches a flipped bit in the header or key block by the header check before any key is derived, and one in the index, values or MAC by the MAC', async () => {
  const s = await sodium();
  const { file, json } = loadVector();
  const layout = parseLayout(s, file);
  const records = recordsInOrder(layout);
  const first = records[0]!;
  const last = records[records.length - 1]!;

  // Bytes 0–11 are read before the header check: not a vault, another version, or damaged.
  const counting = countingKdf(s);
  assert.match(failure(() => openVault(counting.s, flipBit(file, 3, 3), json.password)).message, /magic/);
  assert.equal(failureKind(() => openVault(counting.s, flipBit(file, 9, 1), json.password)), 'unsupported');
  assert.match(failure(() => openVault(counting.s, flipBit(file, 11, 2), json.password)).message, /header length/);
  assert.equal(counting.calls(), 0, 'no key is derived for a damaged magic, version or header length');

  // The rest of the header, the key block and the header check itself: the header check.
  const headerAndKeyBlock = [
    12, // KDF id
    14, // flags
    20, // Argon2id iterations
    30, // salt
    50, // vault id
    62, // created
    HEADER_LEN - 1, // generation, last header byte
    HEADER_LEN, // key block nonce
    100, // key block ciphertext
    KEY_BLOCK_END - 1, // key block tag, last byte
    KEY_BLOCK_END, // the header check itself
    BODY_START - 1,
  ];
  for (const pos of headerAndKeyBlock) {
    const damaged = flipBit(file, pos, pos % 8);
    const err = failure(() => openVault(counting.s, damaged, json.password));
    assert.equal(err.kind, 'corrupt', `bit flipped at offset ${pos}`);
    assert.match(err.message, /header check mismatch/, `bit flipped at offset ${pos}`);
  }
  assert.equal(counting.calls(), 0, 'the header check fails before any key is derived');

  // The index, the values and the MAC: after the key is derived, by the MAC (the structure walk,
  // which checks only lengths and value-id prefixes, lets these through).
  const body = [
    BODY_START, // index nonce
    BODY_START + NONCE_LEN + 4 + 3, // index ciphertext
    layout.valuesStart - 1, // index tag, last byte
    first.offset, // a value id (its 6-byte prefix)
    first.offset + VALUE_ID_LEN - 1, // a value id (beyond the prefix)
    first.offset + VALUE_ID_LEN + 5, // a value nonce
    file.length - MAC_LEN - 5, // the last value record's tag
    last.offset + VALUE_ID_LEN + NONCE_LEN + 4, // the last value record's ciphertext
    file.length - MAC_LEN, // mac, first byte
    file.length - 1, // mac, last byte
  ];
  for (const pos of body) {
    const damaged = flipBit(file, pos, pos % 8);
    assert.doesNotThrow(() => parseLayout(s, damaged), `offset ${pos} passes the key-free checks`);
    const err = failure(() => openVault(s, damaged, json.password));
    assert.equal(err.kind, 'tampered', `bit flipped at offset ${pos}`);
    assert.match(err.message, /MAC mismatch/, `bit flipped at offset ${pos}`);
  }

  // Truncation anywhere, and trailing bytes, are found by the structure walk (or the minimum
  // length), before any key is derived.
  const walked = countingKdf(s);
  for (const len of [file.length - 1, file.length - MAC_LEN, layout.valuesStart + 10, MIN_FILE_LEN]) {
    const err = failure(() => openVault(walked.s, file.subarray(0, len), json.password));
    assert.equal(err.kind, 'corrupt', `truncated to ${len} bytes`);
    assert.match(err.message, /runs past the end|left over/, `truncated to ${len} bytes`);
  }
  assert.equal(failureKind(() => openVault(walked.s, file.subarray(0, BODY_START + 10), json.password)), 'corrupt');
  const extended = failure(() => openVault(walked.s, Buffer.concat([file, Buffer.from([0])]), json.password));
  assert.equal(extended.kind, 'corrupt');
  assert.match(extended.message, /left over/);
  assert.equal(walked.calls(), 0, 'truncation is found before any key is derived');
});

test('the independent decoder checks the MAC, and a recomputed header check does not get an edited header past the key block', async () => {
  const s = await sodium();
  const { file, json } = loadVector();
  const layout = parseLayout(s, file);
  const last = recordsInOrder(layout)[layout.records.size - 1]!;

  // Edits to the body need nothing recomputed before the key: the MAC, keyed from the data key, catches them.
  const bodyEdits = [
    BODY_START + NONCE_LEN + 4 + 10, // index ciphertext
    last.offset + VALUE_ID_LEN + 2, // the last value record's nonce
    file.length - MAC_LEN - 5, // the last value record's tag
  ];
  for (const pos of bodyEdits) {
    const edited = flipBit(file, pos, 3);
    assert.doesNotThrow(() => parseLayout(s, edited), `offset ${pos} passes the header check`);
    const err = failure(() => openVault(s, edited, json.password));
    assert.equal(err.kind, 'tampered', `byte edited at offset ${pos}`);
    assert.match(err.message, /MAC mismatch/, `byte edited at offset ${pos}`);
  }

  // The generation is outside the key block's AAD: with the header check recomputed the key block
  // still opens, and the MAC (which covers the whole header) catches the edit.
  const newGeneration = recomputeHeaderCheck(s, flipBit(file, HEADER_LEN - 1, 3));
  assert.doesNotThrow(() => parseLayout(s, newGeneration));
  const generationErr = failure(() => openVault(s, newGeneration, json.password));
  assert.equal(generationErr.kind, 'tampered');
  assert.match(generationErr.message, /MAC mismatch/);

  // An edit of H_static (or the key block) with the header check recomputed passes the key-free
  // checks, but the key block no longer opens: reported as a wrong password (or tampering).
  const headerEdits = [
    30, // salt: another KEK
    50, // vault id: in the key block's AAD
    62, // created: in the key block's AAD
    HEADER_LEN + 3, // key block nonce
  ];
  for (const pos of headerEdits) {
    const edited = recomputeHeaderCheck(s, flipBit(file, pos, 3));
    assert.doesNotThrow(() => parseLayout(s, edited), `offset ${pos} passes the recomputed header check`);
    const err = failure(() => openVault(s, edited, json.password));
    assert.equal(err.kind, 'wrong-password', `byte edited at offset ${pos}`);
    assert.match(err.message, /key block does not open/, `byte edited at offset ${pos}`);
  }

  // The original still opens, so it is the edit that was caught.
  assert.doesNotThrow(() => openVault(s, file, json.password));
});

test('the independent decoder finds records by the first 6 bytes of their value id and rejects two records sharing them', async () => {
  const s = await sodium();
  const { file, json } = loadVector();
  const layout = parseLayout(s, file);
  const records = recordsInOrder(layout);
  const first = records[0]!;
  const firstEnd = first.offset + VALUE_ID_LEN + NONCE_LEN + 4 + first.ciphertext.length;
  const withCount = (buf: Buffer, count: number): Buffer => {
    const copy = Buffer.from(buf);
    copy.writeUInt32BE(count, layout.valuesStart);
    return copy;
  };

  // A copy of the first record whose value id differs only after the first 6 bytes: damaged,
  // found by the structure walk before any key is derived.
  const twin = Buffer.from(file.subarray(first.offset, firstEnd));
  twin[VALUE_ID_LEN - 1] = twin[VALUE_ID_LEN - 1]! ^ 0xff;
  const withTwin = withCount(
    Buffer.concat([file.subarray(0, firstEnd), twin, file.subarray(firstEnd)]),
    records.length + 1,
  );
  const counting = countingKdf(s);
  const twinErr = failure(() => openVault(counting.s, withTwin, json.password));
  assert.equal(twinErr.kind, 'corrupt');
  assert.match(twinErr.message, /share the value id prefix/);
  assert.equal(counting.calls(), 0);

  // A copy whose value id differs within the first 6 bytes is merely a record no field points to:
  // allowed and ignored (with the MAC recomputed, as Latchkey would write it).
  const stranger = Buffer.from(twin);
  stranger[0] = stranger[0]! ^ 0xff;
  const withStranger = recomputeMac(
    s,
    withCount(Buffer.concat([file.subarray(0, firstEnd), stranger, file.subarray(firstEnd)]), records.length + 1),
    json.password,
  );
  const vault = openVault(s, withStranger, json.password);
  for (const [ref, expected] of Object.entries(json.items)) {
    const found = resolveRef(vault.index, ref);
    assert.ok(found, ref);
    assert.equal(vault.readValue(found.item, found.field).toString('utf8'), expected, ref);
  }

  // An index naming a value id without a record (record removed, MAC recomputed): damaged.
  const withoutFirst = recomputeMac(
    s,
    withCount(Buffer.concat([file.subarray(0, first.offset), file.subarray(firstEnd)]), records.length - 1),
    json.password,
  );
  const missingErr = failure(() => openVault(s, withoutFirst, json.password));
  assert.equal(missingErr.kind, 'corrupt');
  assert.match(missingErr.message, new RegExp(`no record for value id ${first.valueId.toString('hex')}`));

  // A record found by its prefix whose full value id differs from the index's is not that value's
  // record either (MAC recomputed, so only the lookup can catch it).
  const renamed = Buffer.from(file);
  renamed[first.offset + VALUE_ID_LEN - 1] = renamed[first.offset + VALUE_ID_LEN - 1]! ^ 0xff;
  const renamedErr = failure(() => openVault(s, recomputeMac(s, renamed, json.password), json.password));
  assert.equal(renamedErr.kind, 'corrupt');
  assert.match(renamedErr.message, /no record for value id/);
});
