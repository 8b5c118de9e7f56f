// Finding a natively implemented system canister and running one of its methods: decode the Candid
// argument, run, encode the reply. Update calls run in the round that delivers them (scheduler/routing.ts);
// query calls run against the current state and change nothing (api/replica.ts).
import { IDL } from '@dfinity/candid';
import { canisterError, type ExecutionEnvironment, HELP, rejectOf, UserError } from '../execution/index.ts';
import { type CallResult, getCanister, type Principal, principalKey, type SubnetState, touchSystemCanisters } from '../state/index.ts';
import { cyclesLedger } from './cycles_ledger.ts';
import { cyclesMintingCanister } from './cycles_minting.ts';
import { icpLedger } from './icp_ledger.ts';
import { canisterTrap, type SystemCall, type SystemCanister, type SystemContext, type SystemMethod } from './method.ts';
import { registry } from './registry.ts';

const SYSTEM_CANISTERS = new Map<string, SystemCanister>([registry, cyclesMintingCanister, cyclesLedger, icpLedger].map((canister) => [principalKey(canister.id), canister]));

/**
 * The natively implemented system canister at `id`, if any. A real canister installed at that id (say,
 * the real cycles ledger wasm, created with `specified_id`) takes precedence and is run as any canister.
 */
export function systemCanisterAt(state: SubnetState, id: Principal): SystemCanister | undefined {
  const canister = SYSTEM_CANISTERS.get(principalKey(id));
  return canister && !getCanister(state, id) ? canister : undefined;
}

/** The reply of an update call, and the attached cycles that go back to the caller. */
export type SystemOutcome = { kind: 'reply'; payload: Uint8Array; refund: bigint } | { kind: 'reject'; error: UserError; refund: bigint };

const types = (t: IDL.Type | null): IDL.Type[] => (t === null ? [] : [t]);

function decodeArg(canister: SystemCanister, spec: SystemMethod, bytes: Uint8Array): unknown {
  // @dfinity/candid reads `bytes.buffer` from offset 0, so a view into a larger buffer is copied first.
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
  try {
    const values = IDL.decode(types(spec.arg), whole);
    return spec.arg === null ? null : values[0];
  } catch (error) {
    return canisterTrap(canister.id, `failed to decode call arguments: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function noMethod(canister: SystemCanister, kind: 'update' | 'query', method: string): UserError {
  return canisterError('CanisterMethodNotFound', canister.id.toText(), `Canister has no ${kind} method '${method}'.`, HELP.methodNotFound);
}

/** Runs a method; `query` calls see only query methods. Returns the reply bytes and the cycles kept. */
function run(context: SystemContext, canister: SystemCanister, call: SystemCall, kind: 'update' | 'query'): { payload: Uint8Array; kept: bigint } | UserError {
  const spec = Object.hasOwn(canister.methods, call.method) ? canister.methods[call.method] : undefined;
  if (!spec || (kind === 'query' && !spec.query)) return noMethod(canister, kind, call.method);
  const arg = decodeArg(canister, spec, call.arg);
  if (arg instanceof UserError) return arg;
  const outcome = spec.run(context, call, arg);
  if (outcome instanceof UserError) return outcome;
  const payload = new Uint8Array(IDL.encode(types(spec.result), spec.result === null ? [] : [outcome.value]));
  return { payload, kept: outcome.keptCycles ?? 0n };
}

/** An update call (ingress or from a canister) to `canister`; cycles not kept are refunded. */
export function handleSystemCall(context: SystemContext, canister: SystemCanister, call: SystemCall): SystemOutcome {
  touchSystemCanisters(context.state.systemCanisters);
  const result = run(context, canister, call, 'update');
  if (result instanceof UserError) return { kind: 'reject', error: result, refund: call.cycles };
  return { kind: 'reply', payload: result.payload, refund: call.cycles - result.kept };
}

/** A query call to `canister`: answered from the current state, which it does not change. */
export function systemQuery(state: SubnetState, env: ExecutionEnvironment, canister: SystemCanister, call: Omit<SystemCall, 'cycles' | 'canisterId'>): CallResult {
  const context: SystemContext = { state, round: { env, outbox: [], ingressResults: [] } };
  const result = run(context, canister, { ...call, canisterId: canister.id, cycles: 0n }, 'query');
  return result instanceof UserError ? rejectOf(result) : { kind: 'reply', payload: result.payload };
}
