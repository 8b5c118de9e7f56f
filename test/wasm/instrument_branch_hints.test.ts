// Branch hints: the instrumented module carries a `metadata.code.branch_hint` section, before the
// code, that marks exactly the `if`s guarding the injected slow paths (instruction_limit, the
// write barrier's mark-store helper) as unlikely, so V8 compiles those calls out of line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canister } from './_helpers.ts';

// Loops, if/else arms, blocks closed by a br_table (their charges go in before earlier barriers),
// narrow and offset stores, and a function without slow paths besides its entry.
const SOURCE = `(module
  (memory 1)
  (func (export "fill") (param $n i32) (local $i i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (if (i32.and (local.get $i) (i32.const 1))
        (then (i64.store offset=8 (local.get $i) (i64.extend_i32_u (local.get $i))))
        (else (i32.store8 (local.get $i) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next))))
  (func (export "dispatch") (param $k i32) (result i32)
    (block $c (block $b (block $a
      (i32.store (i32.const 64) (local.get $k))
      (br_table $a $b $c (local.get $k)))
      (i32.store16 (i32.const 128) (i32.const 1))
      (return (i32.const 10)))
      (f64.store (i32.const 256) (f64.const 1.5))
      (return (i32.const 20)))
    (i32.const 30))
  (func (export "plain") (result i32) (i32.const 7)))`;

/** Reads the sections, the function bodies and the branch hints of a module. */
function decode(bytes: Uint8Array) {
  let at = 8;
  const u32 = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++]!;
      value |= (byte & 0x7f) << shift;
      if (byte < 0x80) return value >>> 0;
    }
  };
  const order: string[] = [];
  const bodies: Uint8Array[] = [];
  const hints = new Map<number, { offset: number; payload: number[] }[]>();
  while (at < bytes.length) {
    const id = bytes[at++]!;
    const end = u32() + at;
    if (id === 0) {
      const length = u32();
      const name = new TextDecoder().decode(bytes.subarray(at, at + length));
      at += length;
      order.push(name);
      if (name === 'metadata.code.branch_hint') {
        for (let functions = u32(); functions > 0; functions--) {
          const index = u32();
          const list: { offset: number; payload: number[] }[] = [];
          for (let count = u32(); count > 0; count--) {
            const offset = u32();
            const size = u32();
            list.push({ offset, payload: [...bytes.subarray(at, at + size)] });
            at += size;
          }
          hints.set(index, list);
        }
      }
    } else {
      order.push(String(id));
      if (id === 10) {
        for (let count = u32(); count > 0; count--) {
          const size = u32();
          bodies.push(bytes.subarray(at, at + size));
          at += size;
        }
      }
    }
    at = end;
  }
  return { order, bodies, hints };
}

const INJECTED_IMPORTS = 4;
const LIMIT_PATH = [0x04, 0x40, 0x10, 0x00]; // if; call instruction_limit; (reload the counter's copy;) end

/** Offsets of the slow paths in a body: `if` blocks that only call instruction_limit or the mark-store helper. */
function slowPaths(body: Uint8Array, markStore: number): number[] {
  const found: number[] = [];
  const at = (i: number, pattern: number[]) => pattern.every((byte, k) => body[i + k] === byte);
  for (let i = 0; i < body.length; i++) {
    // if; local.get a; i32.const size (1..16); call mark_store; end
    const barrier = at(i, [0x04, 0x40, 0x20]) && body[i + 4] === 0x41 && at(i + 6, [0x10, markStore, 0x0b]);
    const limit = at(i, LIMIT_PATH) && (body[i + 4] === 0x0b || (body[i + 4] === 0x23 && body[i + 6] === 0x21 && body[i + 8] === 0x0b));
    if (limit || barrier) found.push(i);
  }
  return found;
}

test('every injected slow path is hinted unlikely, and no other branch is', async () => {
  const { instrumented } = await canister(SOURCE);
  const { bodies, hints } = decode(instrumented);
  const markStore = INJECTED_IMPORTS + bodies.length - 1; // appended after the original functions
  let barriers = 0;
  for (let i = 0; i < bodies.length - 1; i++) {
    const expected = slowPaths(bodies[i]!, markStore);
    const hinted = hints.get(INJECTED_IMPORTS + i) ?? [];
    assert.deepEqual(hinted.map((h) => h.offset), expected, `function ${i}`);
    assert.ok(hinted.every((h) => h.payload.length === 1 && h.payload[0] === 0), 'unlikely');
    barriers += expected.filter((offset) => bodies[i]![offset + 2] === 0x20).length;
  }
  assert.equal(barriers, 5, 'one write barrier per store');
  assert.ok([...hints.values()].flat().length > 10);
});

test('the branch hint section comes before the code section', async () => {
  const { order } = decode((await canister(SOURCE)).instrumented);
  assert.equal(order[order.indexOf('10') - 1], 'metadata.code.branch_hint');
});

test('a pure test before an if is charged in its arms: fib checks the counter twice, not at its entry', async () => {
  const { instrumented } = await canister(`(module
    (func $fib (export "fib") (param $n i32) (result i32)
      (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
        (then (local.get $n))
        (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1))) (call $fib (i32.sub (local.get $n) (i32.const 2))))))))`);
  const { bodies, hints } = decode(instrumented);
  const fib = bodies[0]!;
  assert.equal(fib[0], 0, 'no locals');
  assert.equal(fib[1], 0x20, 'starts with local.get, not a charge');
  assert.equal(hints.get(INJECTED_IMPORTS)?.length, 2);
});
