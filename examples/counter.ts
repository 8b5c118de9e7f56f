// Runnable example of the library API: `node examples/counter.ts` (Node 24; `npx node examples/counter.ts`).
import { IDL } from '@dfinity/candid';
import wabtInit from 'wabt';
import { Capsule } from '../src/api/index.ts';

// A tiny canister in WebAssembly text: `inc` increments a counter, `get` reads it.
const wat = `(module
  (import "ic0" "msg_reply" (func $reply))
  (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
  (memory 1)
  (global $count (mut i64) (i64.const 0))
  ;; Replies with Candid (nat64): "DIDL" 00 01 78 followed by 8 bytes.
  (data (i32.const 0) "DIDL\\00\\01\\78")
  (func $reply_count (i64.store (i32.const 7) (global.get $count)) (call $append (i32.const 0) (i32.const 15)) (call $reply))
  (func (export "canister_update inc") (global.set $count (i64.add (global.get $count) (i64.const 1))) (call $reply_count))
  (func (export "canister_query get") (call $reply_count)))`;

const wabt = await wabtInit();
const wasm = wabt.parseWat('counter.wat', wat).toBinary({}).buffer;

const ic = await Capsule.create();
const canisterId = await ic.createCanister();
await ic.installCode({ canisterId, wasm });
await ic.updateCall({ canisterId, method: 'inc' });
await ic.updateCall({ canisterId, method: 'inc' });
const reply = await ic.queryCall({ canisterId, method: 'get' });
console.log(`${canisterId.toText()} counted to`, IDL.decode([IDL.Nat64], reply)[0]);
console.log('cycles left:', await ic.getCycleBalance(canisterId));
await ic.close();
