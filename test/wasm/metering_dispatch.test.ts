// Metering charges what runs: a br_table dispatch over many nested blocks (how compilers lower a
// `match`) pays for the arm it takes, not for every arm after the dispatch.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Capsule } from '../../src/api/index.ts';
import { wat } from '../support/build.ts';

const ARMS = 40;
const ARM_WORK = 50;

function dispatchModule(): string {
  const blocks = Array.from({ length: ARMS }, (_, i) => `(block $a${i}`).join(' ');
  const arm = Array.from({ length: ARM_WORK }, () => '(local.set $x (i64.add (local.get $x) (i64.const 1)))').join(' ');
  const labels = Array.from({ length: ARMS }, (_, i) => `$a${i}`).join(' ');
  let body = `${blocks} (br_table ${labels} (local.get $k))`;
  for (let i = 0; i < ARMS; i++) body += `) ${arm} (br $done)`;
  return `(module
    (import "ic0" "msg_reply" (func $reply))
    (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
    (import "ic0" "performance_counter" (func $counter (param i32) (result i64)))
    (memory 1)
    (func $dispatch (param $k i32) (result i64) (local $x i64) (block $done ${body}) (local.get $x))
    (func (export "canister_update run")
      (drop (call $dispatch (i32.const 0)))
      (i64.store (i32.const 0) (call $counter (i32.const 0)))
      (call $append (i32.const 0) (i32.const 8)) (call $reply)))`;
}

test('a br_table dispatch is charged for the arm it runs', async () => {
  const ic = await Capsule.create({ costSchedule: 'free' });
  const canisterId = await ic.createCanister();
  await ic.installCode({ canisterId, wasm: await wat(dispatchModule()) });
  const reply = await ic.updateCall({ canisterId, method: 'run' });
  const instructions = new DataView(reply.buffer, reply.byteOffset).getBigUint64(0, true);
  const oneArm = BigInt(ARM_WORK * 4);
  assert.ok(instructions >= oneArm, `at least one arm's work is charged (${instructions})`);
  assert.ok(instructions < oneArm * 3n, `only about one arm is charged, not ${ARMS}: ${instructions}`);
});
