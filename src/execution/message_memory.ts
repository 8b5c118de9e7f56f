// The subnet's guaranteed-response message memory: every outstanding guaranteed-response call holds a
// slot for the largest response, and `call_perform` fails (SYS_TRANSIENT) once the slots would exceed
// the capacity (the replica's bound on in-flight messages, 15 GiB by default).
import { type CanisterState, MAX_INTER_CANISTER_PAYLOAD } from '../state/index.ts';

/** A response slot: the largest payload plus the message's own record (the replica's MAX_RESPONSE_COUNT_BYTES). */
export const RESPONSE_SLOT_BYTES = BigInt(MAX_INTER_CANISTER_PAYLOAD) + 16n;

/**
 * The round's view of the subnet's message memory. `used` is measured from the canisters' callbacks at
 * the first call of a round and then kept up to date as executions commit calls and responses free them.
 */
export interface MessageMemory {
  capacity: bigint;
  measure: () => bigint;
  used?: bigint;
}

/** Bytes the committed guaranteed-response callbacks of `canisters` hold. */
export function guaranteedResponseMemory(canisters: Iterable<CanisterState>): bigint {
  let slots = 0n;
  for (const canister of canisters) for (const callback of canister.callbacks.values()) if (callback.deadline === 0n) slots += 1n;
  return slots * RESPONSE_SLOT_BYTES;
}

/** Whether one more guaranteed-response call fits, besides the `pending` ones the execution has made so far. */
export function hasRoomForCall(memory: MessageMemory | undefined, pending: number): boolean {
  if (!memory) return true;
  memory.used ??= memory.measure();
  return memory.used + BigInt(pending + 1) * RESPONSE_SLOT_BYTES <= memory.capacity;
}

/** Committed calls take their slots; consumed responses give theirs back. */
export function adjustMessageMemory(memory: MessageMemory | undefined, slots: number): void {
  if (memory?.used !== undefined) memory.used += BigInt(slots) * RESPONSE_SLOT_BYTES;
}
