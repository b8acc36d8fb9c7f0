/**
 * FrameDecoder keeps its own copy of an unfinished frame: callers zero every chunk once it has been
 * pushed (frames may carry a password), so a frame split across reads must survive that.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeFrame, FrameDecoder, parseFrameBody } from '../../main/core/agent/frames';

/** Pushes `bytes` cut at `cuts`, zeroing each chunk after the push as the agent and client do. */
function decodeInPieces(bytes: Buffer, cuts: number[]): Record<string, unknown>[] {
  const decoder = new FrameDecoder(16 * 1024 * 1024);
  const got: Record<string, unknown>[] = [];
  let from = 0;
  for (const to of [...cuts, bytes.length]) {
    const chunk = Buffer.from(bytes.subarray(from, to));
    for (const body of decoder.push(chunk)) got.push(parseFrameBody(body));
    chunk.fill(0);
    from = to;
  }
  assert.equal(decoder.buffered, 0);
  return got;
}

test('a frame split across chunks that the caller zeroes is decoded intact', () => {
  const big = 'v'.repeat(200_000);
  const frame = encodeFrame({ id: 1, ok: true, result: { value: big } }, 16 * 1024 * 1024);
  for (const cuts of [[2], [4], [10], [65_536], [65_536, 131_072], [1, 2, 3, 150_000]]) {
    assert.deepEqual(
      decodeInPieces(frame, cuts),
      [{ id: 1, ok: true, result: { value: big } }],
      String(cuts),
    );
  }
});

test('two whole frames and the start of a third in one chunk, the rest later', () => {
  const frames = [1, 2, 3].map((id) =>
    encodeFrame({ id, method: 'status', params: { pad: 'x'.repeat(id * 50) } }),
  );
  const all = Buffer.concat(frames);
  const cut = frames[0]!.length + frames[1]!.length + 7;
  assert.deepEqual(
    decodeInPieces(all, [cut]).map((f) => f.id),
    [1, 2, 3],
  );
});
