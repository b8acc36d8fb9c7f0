import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ListMethodRewriter } from '../fixtures/vault-server/list-method';
import { goDuration, parseDurationSeconds, rfc3339Nano } from '../fixtures/vault-server/time';

/** Feeds `input` one byte at a time, the worst case for a framing parser. */
function byteByByte(input: string): string {
  const r = new ListMethodRewriter();
  const bytes = Buffer.from(input, 'latin1');
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += r.feed(bytes.subarray(i, i + 1)).toString('latin1');
  return out;
}

describe('the LIST method shim', () => {
  test('a LIST request line becomes GET with the marker header, and a client-sent marker is dropped', () => {
    const out = byteByByte('LIST /v1/secret/metadata/ HTTP/1.1\r\nHost: x\r\nX-Vault-List-Method: 1\r\n\r\n');
    assert.equal(out, 'GET /v1/secret/metadata/ HTTP/1.1\r\nX-Vault-List-Method: 1\r\nHost: x\r\n\r\n');
    const get = byteByByte('GET /v1/x HTTP/1.1\r\nx-vault-list-method: 1\r\nHost: x\r\n\r\n');
    assert.equal(get, 'GET /v1/x HTTP/1.1\r\nHost: x\r\n\r\n', 'a plain GET cannot pose as LIST');
  });

  test('a Content-Length body passes through untouched, even one that looks like a LIST line', () => {
    const body = 'LIST /v1/not/a/request HTTP/1.1\r\n\r\n';
    const input = `POST /v1/a HTTP/1.1\r\nContent-Length: ${body.length}\r\n\r\n${body}LIST /v1/b HTTP/1.1\r\n\r\n`;
    assert.equal(
      byteByByte(input),
      `POST /v1/a HTTP/1.1\r\nContent-Length: ${body.length}\r\n\r\n${body}GET /v1/b HTTP/1.1\r\nX-Vault-List-Method: 1\r\n\r\n`,
    );
  });

  test('a chunked body passes through and the next pipelined LIST is still rewritten', () => {
    const chunked =
      'POST /v1/a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{"da\r\n12;ext=1\r\nta":{"v":"piped"}}\r\n0\r\nTrailer: x\r\n\r\n';
    assert.equal(
      byteByByte(`${chunked}LIST /v1/b HTTP/1.1\r\n\r\n`),
      `${chunked}GET /v1/b HTTP/1.1\r\nX-Vault-List-Method: 1\r\n\r\n`,
    );
  });
});

describe('Vault time formats', () => {
  test('timestamps are RFC 3339 with nanoseconds, trailing zeros dropped as Go does', () => {
    assert.equal(rfc3339Nano(1_700_000_000_123_456_789n), '2023-11-14T22:13:20.123456789Z');
    assert.equal(rfc3339Nano(1_700_000_000_120_000_000n), '2023-11-14T22:13:20.12Z');
    assert.equal(rfc3339Nano(1_700_000_000_000_000_000n), '2023-11-14T22:13:20Z');
  });

  test('durations parse as Vault accepts them and print as Go prints them', () => {
    assert.equal(parseDurationSeconds('1h'), 3600);
    assert.equal(parseDurationSeconds('1h30m'), 5400);
    assert.equal(parseDurationSeconds('90'), 90);
    assert.equal(parseDurationSeconds(45), 45);
    assert.equal(parseDurationSeconds('2d'), 172800);
    assert.throws(() => parseDurationSeconds('soon'), /invalid duration/);
    assert.deepEqual([0, 45, 1800, 5400].map(goDuration), ['0s', '45s', '30m0s', '1h30m0s']);
  });
});
