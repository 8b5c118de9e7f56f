// A hash of the whole replicated state: two replicas given the same inputs must agree on it, and a
// state restored from disk must hash like the live one it came from. Every field of the subnet and
// of each canister is hashed by construction (canonical_hash.ts walks them all, so a field added
// later is covered); only the fields listed below are left out or hashed in another form.
import { createHash, type Hash } from 'node:crypto';
import type { CanisterState, WasmState } from './canister.ts';
import { hashBytes, hashFields, hashValue } from './canonical_hash.ts';
import type { SubnetState } from './subnet_state.ts';

/** Subnet fields outside the replicated state, and why. */
export const UNHASHED_SUBNET_FIELDS = {
  config: 'configuration (from the seed and options), checked when a state directory opens',
  canisters: 'hashed one by one in id order below',
} as const satisfies Partial<Record<keyof SubnetState, string>>;

/** Canister fields outside the replicated state, or hashed in another form, and why. */
export const UNHASHED_CANISTER_FIELDS = {
  wasm: 'a live instance: hashed as its replicated parts (module hash, heap, globals)',
  dirty: 'what persistence has not yet written: bookkeeping, not state',
} as const satisfies Partial<Record<keyof CanisterState, string>>;

const SUBNET_SKIP: ReadonlySet<string> = new Set(Object.keys(UNHASHED_SUBNET_FIELDS));
const CANISTER_SKIP: ReadonlySet<string> = new Set(Object.keys(UNHASHED_CANISTER_FIELDS));

function hashWasm(hash: Hash, wasm: WasmState | undefined, path: string): void {
  if (!wasm) return hashValue(hash, undefined, path);
  hashBytes(hash, wasm.module.moduleHash);
  // A view of the heap (live or evicted): hashBytes feeds it in slices, so no copy of a multi-GiB heap is made.
  hashBytes(hash, wasm.heap());
  hashValue(hash, wasm.globalValues(), `${path}.globals`);
}

function hashCanister(hash: Hash, canister: CanisterState): void {
  const path = `canister ${canister.id.toText()}`;
  hashFields(hash, canister, path, CANISTER_SKIP);
  hashWasm(hash, canister.wasm, `${path}.wasm`);
}

/** SHA-256 over the replicated state, as hex. */
export function stateHash(state: SubnetState): string {
  const hash = createHash('sha256');
  hashFields(hash, state, 'state', SUBNET_SKIP);
  // Map keys are principal bytes in hex: their string order is the bytewise order of the ids.
  const keys = [...state.canisters.keys()].sort();
  hashValue(hash, keys.length, 'state.canisters');
  for (const key of keys) hashCanister(hash, state.canisters.get(key)!);
  return hash.digest('hex');
}
