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
const NONCE_LEN = 24;
const TAG_LEN = 16;
const MAC_LEN = 32;
const CHECKSUM_LEN = 32;
const MIN_FILE_LEN = 260;
const MEM_MIN_KIB = 65_536;
const MEM_MAX_KIB = 2_097_152;
const ITER_MIN = 2;
const ITER_MAX = 64;
const MEM_TIMES_ITER_MAX_KIB = 16_384 * 1024; // 16 384 MiB expressed in KiB

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
  records: Map<string, ValueRecord>;
  macInput: Buffer;
  mac: Buffer;
}

interface IndexField {
  name: string;
  valueId: string;
  length: number;
  updatedAt: string;
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
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new VaultDecodeError('corrupt', `bad hex id ${hex}`);
  return Buffer.from(hex, 'hex');
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

  // Step 2: total length and the unkeyed checksum.
  if (file.length < MIN_FILE_LEN) throw new VaultDecodeError('corrupt', `file too short (${file.length})`);
  const body = file.subarray(0, file.length - CHECKSUM_LEN);
  const checksum = file.subarray(file.length - CHECKSUM_LEN);
  if (!Buffer.from(s.crypto_hash_sha256(body)).equals(checksum)) {
    throw new VaultDecodeError('corrupt', 'checksum mismatch');
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

  // Step 4: walk the structure.
  const valuesEnd = file.length - CHECKSUM_LEN - MAC_LEN;
  let off = HEADER_LEN;
  const need = (len: number, what: string): void => {
    if (off + len > valuesEnd) throw new VaultDecodeError('corrupt', `${what} runs past the end of the values`);
  };
  need(KEY_BLOCK_LEN, 'key block');
  const keyNonce = file.subarray(off, off + NONCE_LEN);
  const keyCiphertext = file.subarray(off + NONCE_LEN, off + KEY_BLOCK_LEN);
  off += KEY_BLOCK_LEN;

  need(NONCE_LEN + 4, 'index header');
  const indexNonce = file.subarray(off, off + NONCE_LEN);
  const indexLen = u32(file, off + NONCE_LEN);
  off += NONCE_LEN + 4;
  if (indexLen < TAG_LEN) throw new VaultDecodeError('corrupt', `index length ${indexLen}`);
  need(indexLen, 'index');
  const indexCiphertext = file.subarray(off, off + indexLen);
  off += indexLen;

  need(4, 'value count');
  const count = u32(file, off);
  off += 4;
  const records = new Map<string, ValueRecord>();
  for (let i = 0; i < count; i++) {
    need(16 + NONCE_LEN + 4, `value record ${i}`);
    const valueId = file.subarray(off, off + 16);
    const nonce = file.subarray(off + 16, off + 16 + NONCE_LEN);
    const n = u32(file, off + 16 + NONCE_LEN);
    off += 16 + NONCE_LEN + 4;
    if (n < TAG_LEN) throw new VaultDecodeError('corrupt', `value record ${i} length ${n}`);
    need(n, `value record ${i}`);
    const ciphertext = file.subarray(off, off + n);
    off += n;
    const key = valueId.toString('hex');
    if (records.has(key)) throw new VaultDecodeError('corrupt', `duplicate value id ${key}`);
    records.set(key, { valueId, nonce, ciphertext });
  }
  if (off !== valuesEnd) {
    throw new VaultDecodeError('corrupt', `${valuesEnd - off} bytes left over after the values`);
  }

  return {
    header,
    h: file.subarray(0, HEADER_LEN),
    hStatic: file.subarray(0, H_STATIC_LEN),
    keyNonce,
    keyCiphertext,
    indexNonce,
    indexCiphertext,
    records,
    macInput: file.subarray(0, valuesEnd),
    mac: file.subarray(valuesEnd, valuesEnd + MAC_LEN),
  };
}

function passwordBytes(password: string): Buffer {
  return Buffer.from(password.normalize('NFC'), 'utf8');
}

function hmac(s: Sodium, key: Uint8Array, message: Uint8Array): Uint8Array {
  return s.crypto_auth_hmacsha256(message, key);
}

function aeadOpen(s: Sodium, key: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array, aad: Uint8Array): Buffer | null {
  try {
    return Buffer.from(s.crypto_aead_xchacha20poly1305_ietf_decrypt(null, ciphertext, aad, nonce, key));
  } catch {
    return null;
  }
}

function openVault(s: Sodium, file: Buffer, password: string): OpenedVault {
  const layout = parseLayout(s, file);
  const { header } = layout;

  // Step 5: KEK and the key block.
  const kek = s.crypto_pwhash(
    32,
    passwordBytes(password),
    header.salt,
    header.iterations,
    header.memoryKiB * 1024,
    s.crypto_pwhash_ALG_ARGON2ID13,
  );
  const dk = aeadOpen(s, kek, layout.keyNonce, layout.keyCiphertext, Buffer.concat([LABEL_DATA_KEY, layout.hStatic]));
  if (dk === null) throw new VaultDecodeError('wrong-password', 'the key block does not open');
  if (dk.length !== 32) throw new VaultDecodeError('corrupt', `data key is ${dk.length} bytes`);

  // Step 6: the file MAC, compared in constant time.
  const kMac = hmac(s, dk, LABEL_FILE_MAC);
  const mac = hmac(s, kMac, layout.macInput);
  if (mac.length !== layout.mac.length || !s.memcmp(mac, new Uint8Array(layout.mac))) {
    throw new VaultDecodeError('tampered', 'MAC mismatch');
  }

  // Step 7: the index.
  const indexPlain = aeadOpen(s, dk, layout.indexNonce, layout.indexCiphertext, Buffer.concat([LABEL_INDEX, layout.h]));
  if (indexPlain === null) throw new VaultDecodeError('tampered', 'the index does not open');
  const index = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(indexPlain)) as IndexJson;
  if (index.v !== 1) throw new VaultDecodeError('unsupported', `index version ${String(index.v)}`);
  for (const item of index.items) {
    for (const field of item.fields) {
      if (!layout.records.has(hexId(field.valueId).toString('hex'))) {
        throw new VaultDecodeError('corrupt', `no record for value id ${field.valueId}`);
      }
    }
  }

  // Step 8: a field's value.
  const readValue = (item: IndexItem, field: IndexField): Buffer => {
    const valueId = hexId(field.valueId);
    const record = layout.records.get(valueId.toString('hex'));
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

function rechecksum(s: Sodium, file: Buffer): Buffer {
  const copy = Buffer.from(file);
  const body = copy.subarray(0, copy.length - CHECKSUM_LEN);
  Buffer.from(s.crypto_hash_sha256(body)).copy(copy, copy.length - CHECKSUM_LEN);
  return copy;
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
    assert.equal(found.field.length, value.length, `${ref}: field length is the value's byte length`);
  }
});

test('the independent decoder rejects the vector with a wrong password (key block does not open) while the checksum is intact', async () => {
  const s = await sodium();
  const { file, json } = loadVector();
  // The checksum is intact: the key-free part of the decoder accepts the file.
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

test('the independent decoder detects a flipped bit through the checksum', async () => {
  const s = await sodium();
  const { file, json } = loadVector();
  const positions = [
    3, // magic
    20, // Argon2id iterations
    75, // generation, last header byte
    100, // key block
    file.length - 200, // a value record
    file.length - 40, // mac
    file.length - 1, // checksum itself
  ];
  for (const pos of positions) {
    const damaged = flipBit(file, pos, pos % 8);
    assert.equal(failureKind(() => parseLayout(s, damaged)), 'corrupt', `bit flipped at offset ${pos}`);
    assert.equal(failureKind(() => openVault(s, damaged, json.password)), 'corrupt', `bit flipped at offset ${pos}`);
  }
  // Truncation and trailing bytes are damage too.
  assert.equal(failureKind(() => parseLayout(s, file.subarray(0, file.length - 1))), 'corrupt');
  assert.equal(failureKind(() => parseLayout(s, Buffer.concat([file, Buffer.from([0])]))), 'corrupt');
});

test('the independent decoder checks the MAC', async () => {
  const s = await sodium();
  const { file, json } = loadVector();
  const indexCiphertextStart = HEADER_LEN + KEY_BLOCK_LEN + NONCE_LEN + 4;
  const positions = [
    HEADER_LEN - 1, // generation: not in the key block's AAD, so the password still opens it
    indexCiphertextStart + 10, // index ciphertext
    file.length - CHECKSUM_LEN - MAC_LEN - 5, // the last value record's tag
  ];
  for (const pos of positions) {
    const edited = rechecksum(s, flipBit(file, pos, 3));
    // The recomputed checksum hides the edit from the unkeyed check ...
    assert.doesNotThrow(() => parseLayout(s, edited), `offset ${pos} passes the checksum`);
    // ... but the key block still opens and the keyed MAC catches it.
    const err = failure(() => openVault(s, edited, json.password));
    assert.equal(err.kind, 'tampered', `byte edited at offset ${pos}`);
    assert.match(err.message, /MAC mismatch/, `byte edited at offset ${pos}`);
  }
  // The original still opens, so it is the edit that was caught.
  assert.doesNotThrow(() => openVault(s, file, json.password));
});
