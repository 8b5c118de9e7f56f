// `ic0.cost_http_request_v2`: a canister passes the Candid record of an outcall's expected usage and
// reads back the replica's quote; anything but exactly that record traps.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IDL } from '@dfinity/candid';
import { type CallError, Capsule } from '../../src/api/index.ts';
import { wat } from '../support/build.ts';

/** `quote` passes its argument to cost_http_request_v2 and replies the 16-byte quote. */
const QUOTER = `(module
  (import "ic0" "msg_arg_data_size" (func $arg_size (result i32)))
  (import "ic0" "msg_arg_data_copy" (func $arg_copy (param i32 i32 i32)))
  (import "ic0" "msg_reply" (func $reply))
  (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
  (import "ic0" "cost_http_request_v2" (func $cost (param i32 i32 i32)))
  (memory 1)
  (func (export "canister_query quote")
    (call $arg_copy (i32.const 0) (i32.const 0) (call $arg_size))
    (call $cost (i32.const 0) (call $arg_size) (i32.const 1000))
    (call $append (i32.const 1000) (i32.const 16))
    (call $reply)))`;

const PARAMS = IDL.Record({
  request_bytes: IDL.Nat64,
  http_roundtrip_time_ms: IDL.Nat64,
  raw_response_bytes: IDL.Nat64,
  transformed_response_bytes: IDL.Nat64,
  transform_instructions: IDL.Nat64,
});

const USAGE = {
  request_bytes: 1_000n,
  http_roundtrip_time_ms: 2_000n,
  raw_response_bytes: 3_000n,
  transformed_response_bytes: 2_000n,
  transform_instructions: 1_000_000n,
};

async function quoter(costSchedule: 'application' | 'free'): Promise<{ ic: Capsule; quote: (arg: Uint8Array) => Promise<bigint> }> {
  const ic = await Capsule.create({ costSchedule });
  const canisterId = await ic.createCanister();
  await ic.installCode({ canisterId, wasm: await wat(QUOTER) });
  const quote = async (arg: Uint8Array) => {
    const reply = await ic.queryCall({ canisterId, method: 'quote', arg });
    const view = new DataView(reply.buffer, reply.byteOffset);
    return view.getBigUint64(0, true) + (view.getBigUint64(8, true) << 64n);
  };
  return { ic, quote };
}

test('cost_http_request_v2 quotes the replica price of the declared usage on a 13-node subnet', async () => {
  const { ic, quote } = await quoter('application');
  const n = 13n;
  const perNode = 1_000_000n + 50n * 1_000n + 140_000n * n + 800n * n * n + 50n * 3_000n + 300n * 2_000n + 1_000_000n / 13n + (10n * n + 650n) * 2_000n;
  assert.equal(await quote(new Uint8Array(IDL.encode([PARAMS], [USAGE]))), perNode * n);
  await ic.close();
});

test('cost_http_request_v2 quotes zero on a free subnet', async () => {
  const { ic, quote } = await quoter('free');
  assert.equal(await quote(new Uint8Array(IDL.encode([PARAMS], [USAGE]))), 0n);
  await ic.close();
});

test('cost_http_request_v2 traps on a record with a missing or an extra field, or on bytes that are not Candid', async () => {
  const { ic, quote } = await quoter('application');
  const { transform_instructions: _, ...missing } = USAGE;
  const short = IDL.Record({
    request_bytes: IDL.Nat64,
    http_roundtrip_time_ms: IDL.Nat64,
    raw_response_bytes: IDL.Nat64,
    transformed_response_bytes: IDL.Nat64,
  });
  const long = IDL.Record({ ...Object.fromEntries(PARAMS._fields), extra: IDL.Nat64 });
  const bad = [
    new Uint8Array(IDL.encode([short], [missing])),
    new Uint8Array(IDL.encode([long], [{ ...USAGE, extra: 1n }])),
    new TextEncoder().encode('not candid'),
  ];
  for (const arg of bad) {
    await assert.rejects(quote(arg), (error: CallError) => {
      assert.equal(error.rejectCode, 5);
      assert.match(error.rejectMessage, /ic0_cost_http_request_v2: failed to decode the cost parameters/);
      return true;
    });
  }
  await ic.close();
});
