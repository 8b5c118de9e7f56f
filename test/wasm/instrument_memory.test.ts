// Memory instrumentation: the write barrier marks the 4 KiB pages a store touches (once
// per page while its dirty byte is set), memory.grow goes to the host, and bulk memory
// operations announce their destination range.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canister, instantiate, newMessage } from './_helpers.ts';

const STORES = (ptr: 'i32' | 'i64') => `(module (memory ${ptr} 4 8)
  (func (export "i32") (param $a ${ptr}) (param $v i32) (i32.store (local.get $a) (local.get $v)))
  (func (export "i64") (param $a ${ptr}) (param $v i64) (i64.store (local.get $a) (local.get $v)))
  (func (export "f32") (param $a ${ptr}) (param $v f32) (f32.store (local.get $a) (local.get $v)))
  (func (export "f64") (param $a ${ptr}) (param $v f64) (f64.store (local.get $a) (local.get $v)))
  (func (export "i32_8") (param $a ${ptr}) (param $v i32) (i32.store8 (local.get $a) (local.get $v)))
  (func (export "i32_16") (param $a ${ptr}) (param $v i32) (i32.store16 (local.get $a) (local.get $v)))
  (func (export "i64_8") (param $a ${ptr}) (param $v i64) (i64.store8 (local.get $a) (local.get $v)))
  (func (export "i64_16") (param $a ${ptr}) (param $v i64) (i64.store16 (local.get $a) (local.get $v)))
  (func (export "i64_32") (param $a ${ptr}) (param $v i64) (i64.store32 (local.get $a) (local.get $v)))
  (func (export "offset") (param $a ${ptr}) (param $v i32) (i32.store offset=0x3000 (local.get $a) (local.get $v)))
  (func (export "v128") (param $a ${ptr}) (v128.store (local.get $a) (v128.const i64x2 -1 -1)))
  (func (export "lane") (param $a ${ptr}) (v128.store16_lane 3 (local.get $a) (v128.const i16x8 0 1 2 3 4 5 6 7)))
  (func (export "load") (param $a ${ptr}) (result i64) (i64.load (local.get $a))))`;

for (const ptr of ['i32', 'i64'] as const) {
  const A = (n: number) => (ptr === 'i64' ? BigInt(n) : n);
  const V = (n: number) => BigInt(n);

  test(`${ptr} memory: each store kind marks the page it writes, once`, async () => {
    const host = instantiate(await canister(STORES(ptr)));
    const view = new DataView(host.memory.buffer);
    const e = host.exports;
    e['i32'](A(0x1000), 0x11223344);
    assert.deepEqual(host.markedPages, [1]);
    assert.equal(view.getUint32(0x1000, true), 0x11223344);
    e['i32'](A(0x1ffc), 5); // last 4 bytes of page 1: no new mark
    assert.deepEqual(host.markedPages, [1]);
    assert.equal(host.dirty[1], 1);
    assert.equal(host.dirty[0], 0);

    const cases: [string, number, unknown, number][] = [
      ['i64', 0x2000, V(7), 2], ['f32', 0x3000, 1.5, 3], ['f64', 0x4000, 2.5, 4], ['i32_8', 0x5fff, 9, 5],
      ['i32_16', 0x6000, 9, 6], ['i64_8', 0x7000, V(9), 7], ['i64_16', 0x8000, V(9), 8], ['i64_32', 0x9000, V(9), 9],
    ];
    for (const [name, address, value, page] of cases) {
      newMessage(host);
      e[name](A(address), value);
      assert.deepEqual(host.markedPages, [page], name);
    }
    assert.equal(view.getFloat64(0x4000, true), 2.5);
  });

  test(`${ptr} memory: a store across a page boundary marks both pages`, async () => {
    const host = instantiate(await canister(STORES(ptr)));
    host.exports['i64'](A(0x1ffc), V(-1));
    assert.deepEqual(host.markedPages, [1, 2]);
    newMessage(host);
    host.dirty[1] = 1; // first page already dirty in this message: only the second is marked
    host.exports['i32'](A(0x1ffe), 1);
    assert.deepEqual(host.markedPages, [2]);
    newMessage(host);
    host.exports['v128'](A(0x2ff8));
    assert.deepEqual(host.markedPages, [2, 3]);
    newMessage(host);
    host.exports['lane'](A(0x3fff));
    assert.deepEqual(host.markedPages, [3, 4]);
    assert.equal(new DataView(host.memory.buffer).getUint16(0x3fff, true), 3);
  });

  test(`${ptr} memory: the memarg offset is part of the address`, async () => {
    const host = instantiate(await canister(STORES(ptr)));
    host.exports['offset'](A(0x10), 1);
    assert.deepEqual(host.markedPages, [3]);
    assert.equal(new DataView(host.memory.buffer).getUint32(0x3010, true), 1);
  });

  test(`${ptr} memory: loads mark nothing; out-of-bounds stores still trap`, async () => {
    const host = instantiate(await canister(STORES(ptr)));
    host.exports['load'](A(0x100));
    assert.deepEqual(host.markedPages, []);
    assert.throws(() => host.exports['i32'](A(4 * 65536 - 2), 1), WebAssembly.RuntimeError);
  });
}

test('memory.grow goes through the host, which enforces the maximum', async () => {
  for (const ptr of ['i32', 'i64'] as const) {
    const host = instantiate(await canister(`(module (memory ${ptr} 1 3)
      (func (export "grow") (param ${ptr}) (result ${ptr}) (memory.grow (local.get 0)))
      (func (export "size") (result ${ptr}) (memory.size)))`));
    const n = (x: number) => (ptr === 'i64' ? BigInt(x) : x);
    assert.equal(host.exports['grow'](n(1)), n(1));
    assert.equal(host.exports['size'](), n(2));
    assert.equal(host.memory.buffer.byteLength, 2 * 65536);
    assert.equal(host.exports['grow'](n(5)), n(-1));
    assert.deepEqual(host.grows, [n(1), n(5)]);
  }
});

test('memory.fill, memory.copy and memory.init announce their destination range, then run', async () => {
  for (const ptr of ['i32', 'i64'] as const) {
    const host = instantiate(await canister(`(module (memory ${ptr} 1)
      (data $d "hello")
      (func (export "fill") (memory.fill (${ptr}.const 100) (i32.const 7) (${ptr}.const 50)))
      (func (export "copy") (memory.copy (${ptr}.const 300) (${ptr}.const 100) (${ptr}.const 20)))
      (func (export "init") (memory.init $d (${ptr}.const 500) (i32.const 1) (i32.const 4))))`));
    const n = (x: number) => (ptr === 'i64' ? BigInt(x) : x);
    host.exports['fill']();
    host.exports['copy']();
    host.exports['init']();
    assert.deepEqual(host.ranges, [[n(100), n(50)], [n(300), n(20)], [n(500), n(4)]]);
    const bytes = new Uint8Array(host.memory.buffer);
    assert.equal(bytes[149], 7);
    assert.equal(bytes[319], 7);
    assert.equal(new TextDecoder().decode(bytes.subarray(500, 504)), 'ello');
    assert.deepEqual(host.markedPages, []);
  }
});

test('atomic stores, read-modify-write and cmpxchg are write-barriered', async () => {
  const host = instantiate(await canister(`(module (memory 4)
    (func (export "store") (i32.atomic.store (i32.const 0x1000) (i32.const 5)))
    (func (export "rmw") (result i64) (i64.atomic.rmw.add (i32.const 0x2000) (i64.const 3)))
    (func (export "cmpxchg") (result i32) (i32.atomic.rmw.cmpxchg (i32.const 0x3000) (i32.const 0) (i32.const 9)))
    (func (export "load") (result i32) (i32.atomic.load (i32.const 0x3000))))`, { threads: true }));
  host.exports['store']();
  host.exports['rmw']();
  assert.equal(host.exports['cmpxchg'](), 0);
  assert.equal(host.exports['load'](), 9);
  assert.deepEqual(host.markedPages, [1, 2, 3]);
});
