// LEB128 reading and writing at the edges the rewriter relies on: 5-byte u32s, 64-bit
// offsets beyond 2^53, signed constants, size prefixes on LEB length boundaries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Reader } from '../../src/wasm/_reader.ts';
import { Writer } from '../../src/wasm/_writer.ts';
import { dirtyMemoryPages } from '../../src/wasm/instrumentation_contract.ts';

const bytes = (w: Writer) => [...w.finish()];

test('u32 round-trips, including the 5-byte maximum', () => {
  for (const v of [0, 1, 127, 128, 16383, 16384, 2 ** 28, 2 ** 32 - 1]) {
    const w = new Writer();
    w.u32(v);
    assert.equal(new Reader(w.finish()).u32(), v);
  }
  assert.deepEqual((() => { const w = new Writer(); w.u32(2 ** 32 - 1); return bytes(w); })(), [0xff, 0xff, 0xff, 0xff, 0x0f]);
});

test('u64 reads numbers below 2^49 and bigints above', () => {
  const r = (b: number[]) => new Reader(new Uint8Array(b)).u64();
  assert.equal(r([0xe5, 0x8e, 0x26]), 624485);
  assert.equal(r([0x80, 0x80, 0x80, 0x80, 0x10]), 2 ** 32);
  assert.equal(r([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), 2n ** 64n - 1n);
  assert.throws(() => r([0x80, 0x80]), /unexpected end/);
});

test('signed constants encode like the spec examples', () => {
  const s = (v: number | bigint) => { const w = new Writer(); w.s64(v); return bytes(w); };
  assert.deepEqual(s(0), [0x00]);
  assert.deepEqual(s(-1), [0x7f]);
  assert.deepEqual(s(63), [0x3f]);
  assert.deepEqual(s(64), [0xc0, 0x00]);
  assert.deepEqual(s(-123456), [0xc0, 0xbb, 0x78]);
  assert.deepEqual(s(2 ** 40), s(2n ** 40n));
  assert.deepEqual(s(2n ** 64n - 1n), [0x7f]); // wraps to -1 as an i64
  assert.deepEqual(s(-(2n ** 63n)), [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f]);
});

test('size prefixes are minimal at every LEB length boundary', () => {
  for (const size of [0, 127, 128, 16383, 16384, 2_097_152]) {
    const w = new Writer(8);
    w.u8(0xaa);
    const mark = w.beginSized();
    for (let i = 0; i < size; i++) w.u8(i & 0xff);
    w.endSized(mark);
    const out = w.finish();
    const r = new Reader(out, 1);
    assert.equal(r.u32(), size);
    assert.equal(out.length - r.pos, size);
    assert.equal(r.pos - 1, size < 128 ? 1 : size < 16384 ? 2 : size < 2_097_152 ? 3 : 4);
    if (size > 0) assert.equal(out[r.pos + size - 1], (size - 1) & 0xff);
  }
});

test('insert moves the following bytes', () => {
  const w = new Writer(4);
  w.bytes([1, 2, 3, 4, 5]);
  w.insert(2, new Uint8Array([9, 9, 0]), 2);
  assert.deepEqual(bytes(w), [1, 2, 9, 9, 3, 4, 5]);
});

test('the dirty map covers the declared maximum, capped at 4 GiB (memory32) or 16 GiB (memory64)', () => {
  assert.equal(dirtyMemoryPages(false, undefined), 16);
  assert.equal(dirtyMemoryPages(true, undefined), 64);
  assert.equal(dirtyMemoryPages(true, 2 ** 40), 64);
  assert.equal(dirtyMemoryPages(false, 100), 1);
  assert.equal(dirtyMemoryPages(false, 0), 0);
});
