// Test helpers for the execution layer: a canister instantiated from WAT, a round to run it in,
// and an ingress request to one of its methods.
import { APPLICATION_SUBNET_COSTS, type CanisterState, canisterIdFromIndex, defaultSettings, DEFAULT_QUEUE_CAPACITY, DEFAULT_SUBNET_MEMORY_CAPACITY, DEFAULT_SUBNET_MEMORY_RESERVATION, INSTRUCTION_LIMITS, MANAGEMENT_CANISTER, newCanister, Principal, type Request } from '../../src/state/index.ts';
import { type ExecutionEnvironment, instantiate, type RoundContext } from '../../src/execution/index.ts';
import { parseCanisterModule } from '../../src/wasm/index.ts';
import { wat } from '../support/build.ts';

export const CANISTER_ID = canisterIdFromIndex(7n);
export const USER = Principal.fromText('2vxsx-fae');

export function environment(): ExecutionEnvironment {
  return {
    time: 1_700_000_000_000_000_000n,
    subnetId: Principal.fromUint8Array(new Uint8Array([1, 2, 3])),
    subnetSize: 13,
    rootKeyDer: new Uint8Array(0),
    costs: APPLICATION_SUBNET_COSTS,
    cyclesMintingCanister: MANAGEMENT_CANISTER,
    instructionLimits: INSTRUCTION_LIMITS,
    queueCapacity: DEFAULT_QUEUE_CAPACITY,
    subnetMemory: { available: DEFAULT_SUBNET_MEMORY_CAPACITY - DEFAULT_SUBNET_MEMORY_RESERVATION, reservation: DEFAULT_SUBNET_MEMORY_RESERVATION },
  };
}

export function round(): RoundContext {
  return { env: environment(), outbox: [], ingressResults: [] };
}

/** A running canister with `cycles` whose code is the WAT module `source`. */
export async function watCanister(source: string, cycles = 10n ** 13n): Promise<CanisterState> {
  const canister = newCanister(CANISTER_ID, defaultSettings([USER]), cycles, 0n);
  canister.wasm = instantiate(parseCanisterModule(await wat(source)));
  return canister;
}

/** An ingress request from USER to `method` with no argument. */
export function ingress(method: string, messageId = 'message-1'): Request {
  return {
    kind: 'request',
    caller: USER,
    receiver: CANISTER_ID,
    method,
    arg: new Uint8Array(0),
    cycles: 0n,
    origin: { kind: 'ingress', messageId, sender: USER },
    deadline: 0n,
  };
}
