// A hash of the whole replicated state: two replicas given the same inputs must agree on it.
// Covers time, id allocation, and per canister (in id order) its system state, heap, stable memory,
// globals, queues and open calls, then the system canisters' state (ledger balances). Field order is
// fixed; every variable-length field is length-prefixed.
import { createHash, type Hash } from 'node:crypto';
import type { CanisterState } from './canister.ts';
import type { CallResult, CanisterMessage } from './messages.ts';
import { canistersInOrder, type SubnetState } from './subnet_state.ts';

function bytes(hash: Hash, value: Uint8Array): void {
  const length = Buffer.alloc(8);
  length.writeBigUInt64BE(BigInt(value.length));
  hash.update(length).update(value);
}

function text(hash: Hash, value: string): void {
  bytes(hash, new TextEncoder().encode(value));
}

function nat(hash: Hash, value: bigint | number): void {
  text(hash, BigInt(value).toString(16));
}

function result(hash: Hash, value: CallResult): void {
  if (value.kind === 'reply') {
    text(hash, 'reply');
    bytes(hash, value.payload);
  } else {
    text(hash, 'reject');
    nat(hash, value.code);
    text(hash, value.message);
  }
}

function message(hash: Hash, value: CanisterMessage): void {
  text(hash, value.kind);
  if (value.kind === 'request') {
    bytes(hash, value.caller.toUint8Array());
    text(hash, value.method);
    bytes(hash, value.arg);
    nat(hash, value.cycles);
    nat(hash, value.deadline);
  } else {
    nat(hash, value.callbackId);
    result(hash, value.result);
    nat(hash, value.refund);
  }
}

function wasmState(hash: Hash, canister: CanisterState): void {
  const wasm = canister.wasm;
  if (!wasm) return text(hash, 'empty');
  bytes(hash, wasm.module.moduleHash);
  bytes(hash, new Uint8Array(wasm.memory.buffer));
  for (const global of wasm.globals) text(hash, String(global.value));
}

function stableMemory(hash: Hash, canister: CanisterState): void {
  nat(hash, canister.stable.sizePages);
  const indices = [...canister.stable.pages.keys()].sort((a, b) => a - b);
  for (const index of indices) {
    nat(hash, index);
    bytes(hash, canister.stable.pages.get(index)!);
  }
}

function canisterState(hash: Hash, canister: CanisterState): void {
  bytes(hash, canister.id.toUint8Array());
  for (const controller of canister.settings.controllers) bytes(hash, controller.toUint8Array());
  text(hash, canister.status.kind);
  for (const value of [canister.cycles, canister.reservedCycles, canister.version, canister.globalTimer, canister.totalChanges]) nat(hash, value);
  bytes(hash, canister.certifiedData);
  wasmState(hash, canister);
  stableMemory(hash, canister);
  for (const queued of canister.inputQueue) message(hash, queued);
  for (const context of canister.callContexts.values()) {
    nat(hash, context.id);
    nat(hash, context.availableCycles);
    text(hash, `${context.responded}${context.deleted}${context.outstandingCalls}`);
  }
  for (const callback of canister.callbacks.values()) nat(hash, callback.id);
  for (const record of canister.logs) bytes(hash, record.content);
}

/** Natively implemented system canisters: ledger accounts in key order, then the block count. */
function systemCanisters(hash: Hash, state: SubnetState): void {
  const ledger = state.systemCanisters.cyclesLedger;
  const keys = [...ledger.balances.keys()].sort();
  for (const key of keys) {
    text(hash, key);
    nat(hash, ledger.balances.get(key)!);
  }
  nat(hash, ledger.nextBlock);
}

/** SHA-256 over the state, as hex. */
export function stateHash(state: SubnetState): string {
  const hash = createHash('sha256');
  nat(hash, state.time);
  nat(hash, state.nextCanisterIndex);
  for (const canister of canistersInOrder(state)) canisterState(hash, canister);
  systemCanisters(hash, state);
  return hash.digest('hex');
}
