// What a natively implemented system canister is made of: a table of Candid methods, each a plain
// function of the subnet state and the call. Like the management canister, they run inside the round
// that delivers the call and answer at once.
import type { IDL } from '@dfinity/candid';
import { canisterError, HELP, type RoundContext, type UserError } from '../execution/index.ts';
import type { Principal, SubnetState } from '../state/index.ts';

/** The subnet state and the round (for in-process management calls); a query gets a throwaway round. */
export interface SystemContext {
  state: SubnetState;
  round: RoundContext;
}

export interface SystemCall {
  /** The system canister called. */
  canisterId: Principal;
  /** The user (ingress) or canister that called. */
  caller: Principal;
  method: string;
  arg: Uint8Array;
  /** Cycles attached to the call (always 0 for ingress and queries). */
  cycles: bigint;
}

/** A reply value (`null` for `()`) and how many of the attached cycles the method keeps; or an error (a trap). */
export type MethodOutcome = { value: unknown; keptCycles?: bigint } | UserError;

export interface SystemMethod {
  /** Declared `query` in the .did: answered by query calls, and by update calls too (as on the IC). */
  readonly query: boolean;
  /** Argument type, `null` for `()`. */
  readonly arg: IDL.Type | null;
  /** Result type, `null` for `()`. */
  readonly result: IDL.Type | null;
  /** Queries must not change `context.state`. */
  readonly run: (context: SystemContext, call: SystemCall, arg: unknown) => MethodOutcome;
}

export interface SystemCanister {
  readonly id: Principal;
  /** For messages: "cycles ledger", "cycles minting canister", … */
  readonly name: string;
  readonly methods: Readonly<Record<string, SystemMethod>>;
}

/** A method whose handler sees its decoded argument typed (the decoder guarantees the shape). */
export function method<A>(spec: {
  query: boolean;
  arg: IDL.Type | null;
  result: IDL.Type | null;
  run: (context: SystemContext, call: SystemCall, arg: A) => MethodOutcome;
}): SystemMethod {
  return { query: spec.query, arg: spec.arg, result: spec.result, run: (context, call, arg) => spec.run(context, call, arg as A) };
}

/** How a Rust canister (ic-cdk) fails: a trap with its message, reported as IC0503. */
export function canisterTrap(canisterId: Principal, message: string): UserError {
  return canisterError('CanisterCalledTrap', canisterId.toText(), `Canister called \`ic0.trap\` with message: '${message}'`, HELP.trappedExplicitly);
}
