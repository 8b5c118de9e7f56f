// CBOR codec: RFC 8949 Appendix A vectors, the IC's conventions, and every rejection path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CborEncoded,
  CborError,
  CborSimple,
  CborTagged,
  decodeCbor,
  encodeCbor,
  type CborValue,
} from '../../src/certification/cbor.ts';
import { fromHex, toHex } from '../../src/certification/_bytes.ts';

const dec = (hex: string): CborValue => decodeCbor(fromHex(hex));
const enc = (v: Parameters<typeof encodeCbor>[0]): string => toHex(encodeCbor(v));
const m = (...entries: [string | bigint, CborValue][]): Map<string | bigint, CborValue> => new Map(entries);
const seq = (n: number): bigint[] => Array.from({ length: n }, (_, i) => BigInt(i + 1));

// RFC 8949 Appendix A (plus a few float32 values computed with Python struct): [diagnostic value as decoded here, hex]. All of these also re-encode
// to the same bytes (preferred serialization), so the encoder is checked with the same table.
const roundTrip: [CborValue, string][] = [
  [0n, '00'], [1n, '01'], [10n, '0a'], [23n, '17'], [24n, '1818'], [25n, '1819'],
  [100n, '1864'], [1000n, '1903e8'], [1000000n, '1a000f4240'],
  [1000000000000n, '1b000000e8d4a51000'],
  [18446744073709551615n, '1bffffffffffffffff'],
  [18446744073709551616n, 'c249010000000000000000'],
  [-18446744073709551616n, '3bffffffffffffffff'],
  [-18446744073709551617n, 'c349010000000000000000'],
  [-1n, '20'], [-10n, '29'], [-100n, '3863'], [-1000n, '3903e7'],
  [-0.0, 'f98000'], [1.1, 'fb3ff199999999999a'], [1.5, 'f93e00'], [65504.25, 'fa477fe040'],
  [100000.5, 'fa47c35040'], [3.4028234663852886e38, 'fa7f7fffff'], [1.0e300, 'fb7e37e43c8800759c'],
  // biome-ignore lint/correctness/noPrecisionLoss: the RFC 8949 vector is written this way
  [5.960464477539063e-8, 'f90001'], [0.00006103515625, 'f90400'], [-4.1, 'fbc010666666666666'],
  [Infinity, 'f97c00'], [NaN, 'f97e00'], [-Infinity, 'f9fc00'],
  [false, 'f4'], [true, 'f5'], [null, 'f6'], [undefined, 'f7'],
  [new CborSimple(16), 'f0'], [new CborSimple(255), 'f8ff'],
  [new CborTagged(0n, '2013-03-21T20:04:00Z'), 'c074323031332d30332d32315432303a30343a30305a'],
  [new CborTagged(1n, 1363896240n), 'c11a514b67b0'],
  [new CborTagged(1n, 1363896240.5), 'c1fb41d452d9ec200000'],
  [new CborTagged(23n, fromHex('01020304')), 'd74401020304'],
  [new CborTagged(24n, fromHex('6449455446')), 'd818456449455446'],
  [new CborTagged(32n, 'http://www.example.com'), 'd82076687474703a2f2f7777772e6578616d706c652e636f6d'],
  [new Uint8Array(), '40'], [fromHex('01020304'), '4401020304'],
  ['', '60'], ['a', '6161'], ['IETF', '6449455446'], ['"\\', '62225c'],
  ['\u00fc', '62c3bc'], ['\u6c34', '63e6b0b4'], ['\ud800\udd51', '64f0908591'],
  [[], '80'], [[1n, 2n, 3n], '83010203'], [[1n, [2n, 3n], [4n, 5n]], '8301820203820405'],
  [seq(25), '98190102030405060708090a0b0c0d0e0f101112131415161718181819'],
  [m(), 'a0'], [m([1n, 2n], [3n, 4n]), 'a201020304'],
  [m(['a', 1n], ['b', [2n, 3n]]), 'a26161016162820203'],
  [['a', m(['b', 'c'])], '826161a161626163'],
  [m(['a', 'A'], ['b', 'B'], ['c', 'C'], ['d', 'D'], ['e', 'E']), 'a56161614161626142616361436164614461656145'],
];

// Appendix A items that decode to a value whose preferred encoding differs (floats with an
// integral value are written as integers by the encoder's `number` rule; indefinite lengths).
const decodeOnly: [CborValue, string][] = [
  [0, 'f90000'], [1, 'f93c00'], [65504, 'f97bff'], [100000, 'fa47c35000'], [-4, 'f9c400'],
  [Infinity, 'fa7f800000'], [NaN, 'fa7fc00000'], [-Infinity, 'faff800000'],
  [Infinity, 'fb7ff0000000000000'], [NaN, 'fb7ff8000000000000'], [-Infinity, 'fbfff0000000000000'],
  [fromHex('0102030405'), '5f42010243030405ff'], ['streaming', '7f657374726561646d696e67ff'],
  [[], '9fff'], [[1n, [2n, 3n], [4n, 5n]], '9f018202039f0405ffff'],
  [[1n, [2n, 3n], [4n, 5n]], '9f01820203820405ff'], [[1n, [2n, 3n], [4n, 5n]], '83018202039f0405ff'],
  [[1n, [2n, 3n], [4n, 5n]], '83019f0203ff820405'],
  [seq(25), '9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff'],
  [m(['a', 1n], ['b', [2n, 3n]]), 'bf61610161629f0203ffff'],
  [['a', m(['b', 'c'])], '826161bf61626163ff'],
  [m(['Fun', true], ['Amt', -2n]), 'bf6346756ef563416d7421ff'],
];

test('RFC 8949 Appendix A: decoding and preferred re-encoding', () => {
  for (const [value, hex] of roundTrip) {
    assert.deepStrictEqual(dec(hex), value, `decode ${hex}`);
    assert.equal(enc(value), hex, `encode ${hex}`);
  }
});

test('RFC 8949 Appendix A: floats and indefinite lengths decode', () => {
  for (const [value, hex] of decodeOnly) assert.deepStrictEqual(dec(hex), value, `decode ${hex}`);
  assert.ok(Object.is(dec('f98000'), -0));
});

test('integers always decode to bigint; numbers encode as integers when safe', () => {
  assert.equal(dec('1b0000000000000001'), 1n); // non-shortest heads are well-formed
  assert.equal(typeof dec('00'), 'bigint');
  assert.equal(enc(1685570400000000000n), '1b1764595927e9c000');
  assert.equal(enc(5), '05');
  assert.equal(enc(-0), 'f98000');
  assert.equal(enc(2 ** 60), 'fa5d800000'); // beyond 2^53: a (shortest) float, not an integer
  assert.equal(enc(2n ** 70n), 'c249400000000000000000');
});

test('tag 55799 is written on request and transparent on input', () => {
  const bytes = encodeCbor({ a: 1n }, { selfDescribe: true });
  assert.equal(toHex(bytes), 'd9d9f7a1616101');
  assert.deepStrictEqual(decodeCbor(bytes), m(['a', 1n]));
  assert.deepStrictEqual(dec('a1616101'), m(['a', 1n]));
  assert.deepStrictEqual(dec('82d9d9f701d9d9f7d9d9f702'), [1n, 2n]);
});

test('maps keep order, are prototype-safe, and plain objects skip undefined fields', () => {
  const decoded = dec('a2695f5f70726f746f5f5f01616202') as Map<string, CborValue>;
  assert.deepStrictEqual([...decoded.keys()], ['__proto__', 'b']);
  assert.equal(enc({ b: 1n, a: undefined, c: [undefined] }), 'a2616201616381f7');
  assert.equal(enc(new Map([['z', 1n], ['a', 2n]])), 'a2617a01616102');
});

function rejects(hex: string, kind: CborError['kind'], pattern?: RegExp): void {
  assert.throws(
    () => dec(hex),
    (e: unknown) => e instanceof CborError && e.kind === kind && (!pattern || pattern.test(e.message)),
    `${hex} should fail with ${kind}`,
  );
}

test('malformed input is rejected with a typed error naming the problem', () => {
  rejects('', 'truncated', /empty input/);
  rejects('18', 'truncated');
  rejects('5a00000010', 'truncated', /declared length 16/);
  rejects('9b00000000ffffffff00', 'truncated', /declared length/);
  rejects('0000', 'trailing', /1 bytes after/);
  rejects('1c', 'malformed', /reserved additional information 28/);
  rejects('1f', 'malformed', /indefinite length is not allowed for major type 0/);
  rejects('ff', 'malformed', /break outside/);
  rejects('f818', 'malformed', /simple value 24 below 32/);
  rejects('5f4101610200ff', 'malformed', /bad chunk/);
  rejects('5f5f4101ffff', 'malformed', /bad chunk/);
  rejects('7f4161ff', 'malformed', /bad chunk/);
  assert.equal(dec('7f6161ff'), 'a');
  rejects('9f01', 'truncated');
  rejects('62c328', 'invalid-utf8');
  rejects('7f61c361bcff', 'invalid-utf8'); // chunks may not split a code point
  rejects('a2616101616102', 'duplicate-key', /"a"/);
  rejects('a1400102', 'unsupported', /map key/);
  rejects('c26161', 'unsupported', /bignum tag 2/);
});

test('depth and size limits', () => {
  const deep = (n: number): Uint8Array => fromHex('81'.repeat(n) + '00');
  assert.deepStrictEqual(decodeCbor(deep(3), { maxDepth: 3 }), [[[0n]]]);
  assert.throws(() => decodeCbor(deep(4), { maxDepth: 3 }), (e: unknown) => e instanceof CborError && e.kind === 'too-deep');
  assert.doesNotThrow(() => decodeCbor(deep(128)));
  assert.throws(() => decodeCbor(deep(129)), /nesting deeper than 128/);
  assert.throws(() => decodeCbor(new Uint8Array(11), { maxBytes: 10 }), (e: unknown) => e instanceof CborError && e.kind === 'too-large');
});

test('encoder rejects values without a CBOR form', () => {
  assert.throws(() => encodeCbor(new Date() as never), /instance of Date/);
  assert.throws(() => encodeCbor('\ud800'), /lone surrogate/);
  assert.throws(() => encodeCbor((() => 1) as never), /type function/);
  const cyclic: unknown[] = [];
  cyclic.push(cyclic);
  assert.throws(() => encodeCbor(cyclic as never), (e: unknown) => e instanceof CborError && e.kind === 'too-deep');
});

test('large values cross the writer growth boundary intact', () => {
  const blob = new Uint8Array(100_000).map((_, i) => i & 0xff);
  const back = decodeCbor(encodeCbor([blob, 'x'.repeat(70_000), 2n ** 63n])) as CborValue[];
  assert.deepStrictEqual(back[0], blob);
  assert.equal((back[1] as string).length, 70_000);
  assert.equal(back[2], 2n ** 63n);
});

test('an item encoded already is written as is, wherever it stands', () => {
  const inner = encodeCbor([1n, 'two', new Uint8Array([3])]);
  const value = { a: [1n, 'two', new Uint8Array([3])], b: 5n };
  assert.equal(toHex(encodeCbor({ a: new CborEncoded(inner), b: 5n }, { selfDescribe: true })), toHex(encodeCbor(value, { selfDescribe: true })));
  assert.deepStrictEqual(decodeCbor(encodeCbor([new CborEncoded(inner)])), [[1n, 'two', new Uint8Array([3])]]);
});
