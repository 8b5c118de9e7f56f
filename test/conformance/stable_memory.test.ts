// Stable memory, 32- and 64-bit API (ic-ref-test "stable memory", "64 bit stable memory";
// interface spec, 'Stable memory': the 32-bit API exists only for wasm32 and traps above 4 GiB; stable memory
// grows with zeros, is bounded (500 GiB), survives upgrades and is rolled back with a trap).
import assert from 'node:assert/strict';
import { before, describe } from 'node:test';
import { test } from './_sampled_test.ts';
import { prog } from '../universal/program.ts';
import {
  call,
  type Capsule,
  install,
  isText,
  newCapsule,
  query,
  rejects,
  u32,
  u64,
  upgrade,
  WIDTHS,
} from './_harness.ts';

let c: Capsule;
before(async () => {
  c = await newCapsule();
});

const i32 = (n: number) => u32(Uint8Array.from([n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24]));
const MAX_STABLE_PAGES = (500n * 2n ** 30n) / 65536n;

describe('stable memory, 32-bit API (wasm32)', () => {
  test('size, failing writes, grow, grow in a query, 4 GiB limit, write and read', async () => {
    const id = await install(c, 32);
    assert.equal(u32(await query(c, id, prog().stableSize().replyInt())), 0);
    await rejects(call(c, id, prog().stableWrite(0, 'FOO').reply()), 5);
    await rejects(query(c, id, prog().stableWrite(0, 'FOO').reply()), 5);
    assert.equal(u32(await call(c, id, prog().stableGrow(1).replyInt())), 0);
    assert.equal(u32(await call(c, id, prog().stableGrow(1).replyInt())), 1);
    // a query may grow, but nothing persists
    assert.equal(u32(await query(c, id, prog().stableGrow(1).replyInt())), 2);
    assert.equal(u32(await query(c, id, prog().stableSize().replyInt())), 2);
    // beyond 4 GiB the 32-bit grow fails with -1
    assert.equal(u32(await call(c, id, prog().stableGrow(65535).replyInt())), 0xffffffff);
    await call(c, id, prog().stableWrite(0, 'FOO').reply());
    await query(c, id, prog().stableWrite(0, 'BAR').reply());
    await isText(call(c, id, prog().stableRead(0, 3).appendAndReply()), 'FOO');
  });
  test('growing to exactly 4 GiB works, one more page fails', async () => {
    const id = await install(c, 32);
    assert.equal(u32(await call(c, id, prog().stableGrow(65536).replyInt())), 0);
    assert.equal(u32(await call(c, id, prog().stableGrow(1).replyInt())), 0xffffffff);
    assert.equal(u32(await query(c, id, prog().stableSize().replyInt())), 65536);
  });
  test('reading past the end traps', async () => {
    const id = await install(c, 32);
    await call(c, id, prog().stableGrow(1).drop().reply());
    await rejects(query(c, id, prog().stableRead(65535, 2).appendAndReply()), 5);
    await isText(query(c, id, prog().stableRead(65535, 1).appendAndReply()), '\0');
  });
  test('offset + size overflowing 32 bits traps', async () => {
    const id = await install(c, 32);
    await call(c, id, prog().stableGrow(1).drop().reply());
    await rejects(query(c, id, prog().stableRead(0xffffffff, 2).appendAndReply()), 5);
  });
  test('stable_fill and read back', async () => {
    const id = await install(c, 32);
    await call(c, id, prog().stableGrow(2).drop().stableFill(65530, 0x41, 10).reply());
    await isText(query(c, id, prog().stableRead(65528, 14).appendAndReply()), '\0\0AAAAAAAAAA\0\0');
  });
  test('grow with zero pages returns the size', async () => {
    const id = await install(c, 32);
    await call(c, id, prog().stableGrow(3).drop().reply());
    assert.equal(i32(u32(await call(c, id, prog().stableGrow(0).replyInt()))), 3);
  });
});

describe('stable memory, 64-bit API with the 32-bit API (wasm32)', () => {
  test('mixing the APIs, growing beyond 4 GiB, 32-bit API traps on large memory', async () => {
    const id = await install(c, 32);
    assert.equal(u64(await query(c, id, prog().stableSize64().replyInt64())), 0n);
    await rejects(call(c, id, prog().stableWrite64(0, 'FOO').reply()), 5);
    await rejects(query(c, id, prog().stableWrite64(0, 'FOO').reply()), 5);
    assert.equal(u64(await call(c, id, prog().stableGrow64(1).replyInt64())), 0n);
    assert.equal(u64(await call(c, id, prog().stableGrow64(1).replyInt64())), 1n);
    assert.equal(u64(await query(c, id, prog().stableGrow64(1).replyInt64())), 2n);
    assert.equal(u32(await query(c, id, prog().stableSize().replyInt())), 2);
    assert.equal(u64(await query(c, id, prog().stableSize64().replyInt64())), 2n);
    await call(c, id, prog().stableWrite64(0, 'FOO').reply());
    await query(c, id, prog().stableWrite64(0, 'BAR').reply());
    await isText(call(c, id, prog().stableRead64(0, 3).appendAndReply()), 'FOO');
    await isText(call(c, id, prog().stableRead(0, 3).appendAndReply()), 'FOO');
    await call(c, id, prog().stableWrite(0, 'BAR').reply());
    await isText(call(c, id, prog().stableRead64(0, 3).appendAndReply()), 'BAR');
    // beyond 4 GiB with the 64-bit API
    assert.equal(u64(await call(c, id, prog().stableGrow64(65535).replyInt64())), 2n);
    assert.equal(u64(await query(c, id, prog().stableSize64().replyInt64())), 65537n);
    // the 32-bit API traps once stable memory exceeds 4 GiB
    await rejects(query(c, id, prog().stableSize().replyInt()), 5);
    await rejects(query(c, id, prog().stableGrow(1).replyInt()), 5);
    await rejects(query(c, id, prog().stableWrite(0, 'BAZ').reply()), 5);
    await rejects(query(c, id, prog().stableRead(0, 3).appendAndReply()), 5);
    // the 64-bit API keeps working
    assert.equal(u64(await call(c, id, prog().stableGrow64(1).replyInt64())), 65537n);
    assert.equal(u64(await query(c, id, prog().stableSize64().replyInt64())), 65538n);
    await isText(call(c, id, prog().stableRead64(0, 3).appendAndReply()), 'BAR');
    await call(c, id, prog().stableWrite64(0, 'BAZ').reply());
    await isText(call(c, id, prog().stableRead64(0, 3).appendAndReply()), 'BAZ');
  });
});

for (const width of WIDTHS) {
  describe(`stable memory, 64-bit API (wasm${width})`, () => {
    test('size starts at zero', async () => {
      const id = await install(c, width);
      assert.equal(u64(await query(c, id, prog().stableSize64().replyInt64())), 0n);
    });
    test('writing to empty stable memory traps', async () => {
      const id = await install(c, width);
      await rejects(call(c, id, prog().stableWrite64(0, 'FOO').reply()), 5);
    });
    test('grow returns the old size and new pages are zero', async () => {
      const id = await install(c, width);
      assert.equal(u64(await call(c, id, prog().stableGrow64(2).replyInt64())), 0n);
      assert.equal(u64(await call(c, id, prog().stableGrow64(3).replyInt64())), 2n);
      await isText(query(c, id, prog().stableRead64(5 * 65536 - 4, 4).appendAndReply()), '\0\0\0\0');
    });
    test('write then read across a page boundary', async () => {
      const id = await install(c, width);
      await call(c, id, prog().stableGrow64(2).drop().stableWrite64(65534, 'ABCD').reply());
      await isText(query(c, id, prog().stableRead64(65534, 4).appendAndReply()), 'ABCD');
    });
    test('writes in a query do not persist', async () => {
      const id = await install(c, width);
      await call(c, id, prog().stableGrow64(1).drop().stableWrite64(0, 'FOO').reply());
      await isText(query(c, id, prog().stableWrite64(0, 'BAR').stableRead64(0, 3).appendAndReply()), 'BAR');
      await isText(query(c, id, prog().stableRead64(0, 3).appendAndReply()), 'FOO');
    });
    test('grow in a query does not persist', async () => {
      const id = await install(c, width);
      assert.equal(u64(await query(c, id, prog().stableGrow64(7).replyInt64())), 0n);
      assert.equal(u64(await query(c, id, prog().stableSize64().replyInt64())), 0n);
    });
    test('a trap rolls back stable writes and growth', async () => {
      const id = await install(c, width);
      await call(c, id, prog().stableGrow64(1).drop().stableWrite64(0, 'FOO').reply());
      await rejects(call(c, id, prog().stableWrite64(0, 'BAR').stableGrow64(10).drop().trap('no')), 5);
      await isText(query(c, id, prog().stableRead64(0, 3).appendAndReply()), 'FOO');
      assert.equal(u64(await query(c, id, prog().stableSize64().replyInt64())), 1n);
    });
    test('reading past the end traps', async () => {
      const id = await install(c, width);
      await call(c, id, prog().stableGrow64(1).drop().reply());
      await rejects(query(c, id, prog().stableRead64(65535, 2).appendAndReply()), 5);
    });
    test('offset + size overflowing 64 bits traps', async () => {
      const id = await install(c, width);
      await call(c, id, prog().stableGrow64(1).drop().reply());
      await rejects(query(c, id, prog().stableRead64(2n ** 64n - 1n, 2).appendAndReply()), 5);
      await rejects(query(c, id, prog().stableWrite64(2n ** 64n - 1n, 'xy').reply()), 5);
    });
    test('zero-length reads and writes at the end are fine', async () => {
      const id = await install(c, width);
      await call(c, id, prog().stableGrow64(1).drop().reply());
      await isText(query(c, id, prog().stableWrite64(65536, '').stableRead64(65536, 0).appendAndReply()), '');
    });
    test('growing beyond the maximum stable memory returns -1', async () => {
      const id = await install(c, width);
      assert.equal(u64(await call(c, id, prog().stableGrow64(MAX_STABLE_PAGES + 1n).replyInt64())), 2n ** 64n - 1n);
      assert.equal(u64(await query(c, id, prog().stableSize64().replyInt64())), 0n);
    });
    test('growing to the maximum stable memory works (sparse)', async () => {
      const id = await install(c, width);
      assert.equal(u64(await call(c, id, prog().stableGrow64(MAX_STABLE_PAGES).replyInt64())), 0n);
      assert.equal(u64(await call(c, id, prog().stableGrow64(1).replyInt64())), 2n ** 64n - 1n);
      await call(c, id, prog().stableWrite64(MAX_STABLE_PAGES * 65536n - 3n, 'END').reply());
      await isText(query(c, id, prog().stableRead64(MAX_STABLE_PAGES * 65536n - 3n, 3).appendAndReply()), 'END');
    });
    test('stable_fill64 and read back 1 MiB', async () => {
      const id = await install(c, width);
      await call(c, id, prog().stableGrow64(20).drop().stableFill64(100, 0x42, 1 << 20).reply());
      const r = await query(c, id, prog().stableRead64(100, 1 << 20).appendAndReply());
      assert.equal(r.length, 1 << 20);
      assert.ok(r.every((b) => b === 0x42));
    });
    test('stable memory survives an upgrade', async () => {
      const id = await install(c, width, prog().stableGrow64(1).drop().stableWrite64(10, 'KEEP'));
      await upgrade(c, id, width);
      await isText(query(c, id, prog().stableRead64(10, 4).appendAndReply()), 'KEEP');
    });
    test('stable memory is readable in pre_upgrade and post_upgrade', async () => {
      const id = await install(c, width, prog().stableGrow64(1).drop().stableWrite64(0, 'A').setPreUpgrade(prog().pushInt64(1).stableRead64(0, 1).stableWrite64()));
      await upgrade(c, id, width, prog().pushInt64(2).stableRead64(0, 2).stableWrite64());
      await isText(query(c, id, prog().stableRead64(0, 4).appendAndReply()), 'AAAA');
    });
    if (width === 64) {
      test('the 32-bit stable API is not available to wasm64 modules', async () => {
        const id = await install(c, width);
        // The wasm64 UC cannot import stable_size (module validation rejects such imports).
        await rejects(query(c, id, prog().stableSize().replyInt()), 5);
      });
    }
  });
}
