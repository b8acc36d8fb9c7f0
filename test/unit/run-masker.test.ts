import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { Masker, MIN_MASKED_BYTES, type MaskedValue } from '../../main/cli/run/masker';

const v = (name: string, value: string | Buffer): MaskedValue => ({
  name,
  value: typeof value === 'string' ? Buffer.from(value, 'utf8') : value,
});

/** Masks `input` fed in the given pieces. */
function maskPieces(values: readonly MaskedValue[], pieces: readonly Buffer[]): Buffer {
  const m = new Masker(values);
  const out = pieces.map((p) => m.push(p));
  out.push(m.end());
  return Buffer.concat(out);
}

function maskWhole(values: readonly MaskedValue[], input: string | Buffer): string {
  return maskPieces(values, [Buffer.from(input)]).toString('utf8');
}

/** Every way of cutting `input` in two, plus one byte at a time: all must equal the whole. */
function assertSplitInvariant(values: readonly MaskedValue[], input: Buffer): Buffer {
  const whole = maskPieces(values, [input]);
  for (let i = 0; i <= input.length; i++) {
    const two = maskPieces(values, [input.subarray(0, i), input.subarray(i)]);
    assert.deepEqual(two, whole, `split at ${i} differs`);
  }
  const bytewise = maskPieces(
    values,
    Array.from({ length: input.length }, (_, i) => input.subarray(i, i + 1)),
  );
  assert.deepEqual(bytewise, whole, 'one byte at a time differs');
  return whole;
}

describe('masking injected values in child output', () => {
  test('a value is replaced by <redacted:NAME>', () => {
    assert.equal(maskWhole([v('API_KEY', 'sk_test_123')], 'key=sk_test_123\n'), 'key=<redacted:API_KEY>\n');
  });

  test('a value split at every possible position between two chunks is still masked', () => {
    const out = assertSplitInvariant(
      [v('TOKEN', 'hunter2-hunter2')],
      Buffer.from('before hunter2-hunter2 after'),
    );
    assert.equal(out.toString(), 'before <redacted:TOKEN> after');
  });

  test('several values, each several times, in any split', () => {
    const values = [v('A', 'alpha-secret'), v('B', 'bravo-secret'), v('C', 'charlie!')];
    const input = Buffer.from('alpha-secret bravo-secret charlie! alpha-secretalpha-secret|charlie!charlie!');
    const out = assertSplitInvariant(values, input);
    assert.equal(
      out.toString(),
      '<redacted:A> <redacted:B> <redacted:C> <redacted:A><redacted:A>|<redacted:C><redacted:C>',
    );
  });

  test('the longest value wins when one is a prefix of another', () => {
    const values = [v('SHORT', 'secret'), v('LONG', 'secret-and-more')];
    assert.equal(maskWhole(values, 'x secret-and-more y'), 'x <redacted:LONG> y');
    assert.equal(maskWhole(values, 'x secret-and-less y'), 'x <redacted:SHORT>-and-less y');
    assertSplitInvariant(values, Buffer.from('secret-and-more secret-and- secret'));
  });

  test('overlapping occurrences are masked as one run with no fragment left between labels', () => {
    const values = [v('A', 'abcdef'), v('B', 'defghi')];
    const out = assertSplitInvariant(values, Buffer.from('xxabcdefghiyy'));
    assert.equal(out.toString(), 'xx<redacted:A><redacted:B>yy');
    // A value that overlaps itself: the whole run goes, with as few labels as cover it.
    assert.equal(maskWhole([v('R', 'aaaa')], '-aaaaaa-'), '-<redacted:R><redacted:R>-');
    assert.equal(maskWhole([v('R', 'abab')], 'ababab'), '<redacted:R><redacted:R>');
  });

  test('a value wholly inside a longer one gets only the longer label', () => {
    const values = [v('OUTER', 'xx-inner-yy'), v('INNER', 'inner')];
    assert.equal(maskWhole(values, 'xx-inner-yy and inner'), '<redacted:OUTER> and <redacted:INNER>');
  });

  test(`values shorter than ${MIN_MASKED_BYTES} bytes are not masked`, () => {
    const m = new Masker([v('TINY', 'abc')]);
    assert.ok(m.empty);
    assert.equal(maskWhole([v('TINY', 'abc'), v('OK', 'abcd')], 'abc abcd'), 'abc <redacted:OK>');
  });

  test('two names with the same value are labelled with the first name', () => {
    assert.equal(
      maskWhole([v('FIRST', 'same-value'), v('SECOND', 'same-value')], 'same-value'),
      '<redacted:FIRST>',
    );
  });

  test('binary data with NUL and 0xff bytes passes through, and binary values are masked', () => {
    const secret = Buffer.from([0x00, 0xff, 0x10, 0x80, 0x00, 0x7f]);
    const input = Buffer.concat([Buffer.from([0xff, 0x00, 0xff]), secret, Buffer.from([0x00, 0x00]), secret]);
    const out = assertSplitInvariant([v('BIN', secret)], input);
    assert.deepEqual(
      out,
      Buffer.concat([
        Buffer.from([0xff, 0x00, 0xff]),
        Buffer.from('<redacted:BIN>'),
        Buffer.from([0, 0]),
        Buffer.from('<redacted:BIN>'),
      ]),
    );
    const noise = randomBytes(4096);
    assert.deepEqual(maskPieces([v('X', 'not-in-there-ever')], [noise]), noise);
  });

  test('a UTF-8 value split in the middle of a multibyte character is masked', () => {
    const value = 'pässwörd-€-😀';
    const input = Buffer.from(`«${value}» and ${value}`, 'utf8');
    const out = assertSplitInvariant([v('UNI', value)], input);
    assert.equal(out.toString('utf8'), '«<redacted:UNI>» and <redacted:UNI>');
  });

  test('a very long line (8 MiB, no newline) is masked with a bounded hold-back', () => {
    const secret = 'needle-in-a-haystack-0123456789';
    const filler = Buffer.alloc(1024 * 1024, 'x');
    const m = new Masker([v('S', secret)]);
    const started = Date.now();
    let outLength = 0;
    let held = 0;
    for (let i = 0; i < 8; i++) {
      const piece = Buffer.concat([filler, Buffer.from(secret.slice(0, 10))]);
      const out = m.push(piece);
      outLength += out.length;
      held += piece.length - out.length;
      const rest = m.push(Buffer.from(secret.slice(10)));
      assert.ok(rest.toString().endsWith('<redacted:S>'));
      outLength += rest.length;
    }
    outLength += m.end().length;
    assert.equal(held, 8 * 10, 'only the possible start of a value is held back');
    assert.equal(outLength, 8 * (filler.length + '<redacted:S>'.length));
    assert.ok(Date.now() - started < 5000, 'masking 8 MiB took too long');
  });

  test('output that merely starts like a value is released as soon as it cannot be one', () => {
    const m = new Masker([v('S', 'secret-value')]);
    assert.equal(m.push(Buffer.from('Password: ')).toString(), 'Password: ');
    assert.equal(m.push(Buffer.from('prompt secr')).toString(), 'prompt ');
    assert.equal(m.push(Buffer.from('et')).toString(), '');
    assert.equal(m.push(Buffer.from('ary')).toString(), 'secretary');
    assert.equal(m.end().toString(), '');
  });

  test('random values and text over a small alphabet: no value survives, and any split gives the same output', () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const word = (min: number, max: number): string =>
      Array.from({ length: min + rand(max - min + 1) }, () => 'xyz'[rand(3)]).join('');
    for (let round = 0; round < 150; round++) {
      const values = Array.from({ length: 1 + rand(4) }, (_, i) => v(`V${i}`, word(4, 9)));
      const input = Buffer.from(
        Array.from({ length: 30 }, () =>
          rand(3) === 0 ? values[rand(values.length)]!.value.toString() : word(0, 5),
        ).join(''),
      );
      const whole = maskPieces(values, [input]);
      for (const value of values)
        assert.ok(!whole.includes(Buffer.from(value.value)), `round ${round}: a value survived`);
      const cut = rand(input.length + 1);
      const cut2 = cut + rand(input.length - cut + 1);
      assert.deepEqual(
        maskPieces(values, [input.subarray(0, cut), input.subarray(cut, cut2), input.subarray(cut2)]),
        whole,
        `round ${round}`,
      );
    }
  });
});
