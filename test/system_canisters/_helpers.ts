// Shared helpers of the system canister tests: Candid calls to the cycles ledger, the CMC and the
// registry through the library API, and principals of local identities.
import { IDL } from '@dfinity/candid';
import { Capsule, Principal } from '../../src/api/index.ts';
import * as CL from '../../src/system_canisters/candid/cycles_ledger.ts';
import { CYCLES_LEDGER } from '../../src/system_canisters/index.ts';

export { CL };
export const SEED = new Uint8Array(32).fill(5);
/** Two local identities: self-authenticating principals of fixed (fake) public keys. */
export const ALICE = Principal.selfAuthenticating(new Uint8Array(44).fill(1));
export const BOB = Principal.selfAuthenticating(new Uint8Array(44).fill(2));
export const CREATION_FEE = 500_000_000_000n;

export function newCapsule(): Promise<Capsule> {
  return Capsule.create({ seed: SEED, time: 1_700_000_000_000_000_000n, costSchedule: 'application' });
}

export function encode(type: IDL.Type | null, value?: unknown): Uint8Array {
  return new Uint8Array(IDL.encode(type ? [type] : [], type ? [value] : []));
}

export function decode<T>(type: IDL.Type, bytes: Uint8Array): T {
  return IDL.decode([type], bytes.slice())[0] as T;
}

export async function update<T>(c: Capsule, canisterId: Principal, method: string, arg: Uint8Array, result: IDL.Type, sender?: Principal): Promise<T> {
  return decode<T>(result, await c.updateCall({ canisterId, method, arg, sender }));
}

export async function query<T>(c: Capsule, canisterId: Principal, method: string, arg: Uint8Array, result: IDL.Type, sender?: Principal): Promise<T> {
  return decode<T>(result, await c.queryCall({ canisterId, method, arg, sender }));
}

export function balance(c: Capsule, owner: Principal, subaccount: [] | [Uint8Array] = []): Promise<bigint> {
  return query<bigint>(c, CYCLES_LEDGER, 'icrc1_balance_of', encode(CL.Account, { owner, subaccount }), IDL.Nat);
}

export type Variant<T = unknown> = { Ok: T } | { Err: Record<string, unknown> };

export function createArgs(amount: bigint, creation: unknown[] = []) {
  return encode(CL.CreateCanisterArgs, { from_subaccount: [], created_at_time: [], amount, creation_args: creation });
}

export function createViaLedger(c: Capsule, sender: Principal, amount: bigint, creation: unknown[] = []) {
  return update<Variant<{ block_id: bigint; canister_id: Principal }>>(c, CYCLES_LEDGER, 'create_canister', createArgs(amount, creation), CL.CreateCanisterResult, sender);
}

export function withdraw(c: Capsule, sender: Principal, to: Principal, amount: bigint) {
  const arg = encode(CL.WithdrawArgs, { amount, from_subaccount: [], to, created_at_time: [] });
  return update<Variant<bigint>>(c, CYCLES_LEDGER, 'withdraw', arg, CL.WithdrawResult, sender);
}
