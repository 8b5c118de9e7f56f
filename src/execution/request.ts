// What one message execution runs and under which limits. The policy that follows from the kind of
// execution (reply size, freezing limit, memory limit, whether the journal stays open) lives here once.
import { type CanisterState, type Closure, MAX_QUERY_RESPONSE, MAX_REPLICATED_RESPONSE } from '../state/index.ts';
import type { ApiContext } from './context.ts';
import { freezingLimit } from './cycles.ts';
import type { ExecutionEnvironment, ExecutionLimits } from './system_api.ts';

export type Entry = { kind: 'export'; name: string } | { kind: 'closure'; closure: Closure };

export interface ExecutionRequest {
  canister: CanisterState;
  context: ApiContext;
  entry: Entry;
  env: ExecutionEnvironment;
  limits: ExecutionLimits;
  /** Whether this call context was already answered by an earlier execution. */
  responded: boolean;
  availableCycles: bigint;
  instructionsBeforeContext: bigint;
  /** Enforced on memory growth (update, init, post_upgrade; interface spec, section 'Canister settings'), else undefined. */
  wasmMemoryLimit: bigint | undefined;
  /** Keep the journal open instead of discarding it on success (queries, and upgrade steps). */
  keepJournal: boolean;
}

/** What differs between one execution and the next of the same kind. */
export interface ExecutionBudget {
  instructions: bigint;
  /** Cycles taken up front for this execution; 0 where the caller charges afterwards. */
  prepaid?: bigint;
  responded: boolean;
  availableCycles?: bigint;
  instructionsBeforeContext?: bigint;
}

interface Policy {
  maxReplySize: number;
  /** Withdrawals must leave the canister above its freezing limit (replicated executions that may spend). */
  frozenBelow: boolean;
  keepJournal: boolean;
  /** The canister's wasm_memory_limit applies to memory growth. */
  memoryLimited: boolean;
}

const REPLICATED_INSTALL: Policy = { maxReplySize: MAX_REPLICATED_RESPONSE, frozenBelow: false, keepJournal: true, memoryLimited: false };
const NON_REPLICATED: Policy = { maxReplySize: MAX_QUERY_RESPONSE, frozenBelow: false, keepJournal: true, memoryLimited: false };

function policyOf(context: ApiContext): Policy {
  switch (context.kind) {
    case 'start':
    case 'preUpgrade':
      return REPLICATED_INSTALL;
    case 'init':
      return { ...REPLICATED_INSTALL, memoryLimited: true };
    case 'update':
      return { maxReplySize: MAX_REPLICATED_RESPONSE, frozenBelow: true, keepJournal: false, memoryLimited: true };
    case 'replicatedQuery':
      // Replicated queries keep only cycles and the response: the caller rolls memory back.
      return { maxReplySize: MAX_REPLICATED_RESPONSE, frozenBelow: true, keepJournal: true, memoryLimited: false };
    case 'nonReplicatedQuery':
    case 'transformQuery':
    case 'compositeQuery':
      return NON_REPLICATED;
    case 'callback':
      if (context.composite) return NON_REPLICATED;
      return { maxReplySize: MAX_REPLICATED_RESPONSE, frozenBelow: true, keepJournal: false, memoryLimited: false };
    case 'cleanup':
      if (context.composite) return NON_REPLICATED;
      return { maxReplySize: 0, frozenBelow: false, keepJournal: false, memoryLimited: false };
    case 'inspectMessage':
      return { maxReplySize: 0, frozenBelow: false, keepJournal: true, memoryLimited: false };
    case 'systemTask':
      return { maxReplySize: 0, frozenBelow: true, keepJournal: false, memoryLimited: false };
  }
}

/** The request to run `entry` of `canister` in `context`, with the limits that kind of execution has. */
export function requestFor(canister: CanisterState, context: ApiContext, entry: Entry, env: ExecutionEnvironment, budget: ExecutionBudget): ExecutionRequest {
  const policy = policyOf(context);
  return {
    canister,
    context,
    entry,
    env,
    limits: {
      instructions: budget.instructions,
      maxReplySize: policy.maxReplySize,
      freezingLimit: policy.frozenBelow ? freezingLimit(env, canister) : 0n,
      prepaid: budget.prepaid ?? 0n,
    },
    responded: budget.responded,
    availableCycles: budget.availableCycles ?? 0n,
    instructionsBeforeContext: budget.instructionsBeforeContext ?? 0n,
    wasmMemoryLimit: policy.memoryLimited ? canister.settings.wasmMemoryLimit : undefined,
    keepJournal: policy.keepJournal,
  };
}
