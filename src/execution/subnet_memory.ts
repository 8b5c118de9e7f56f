// The subnet's memory as executions see it: what canisters may still take, shared by every execution of
// a round (the replica's subnet available memory). Growth beyond a canister's memory allocation takes
// from it; a memory.grow that does not fit traps, a stable grow returns -1, and a committed execution
// takes what it grew.
import { type CanisterState, memoryUsage, WASM_PAGE_SIZE } from '../state/index.ts';
import type { ApiContext } from './context.ts';
import { UserError } from './errors.ts';
import type { Journal } from './journal.ts';

export interface SubnetMemory {
  /** Bytes canisters may still take (capacity minus reservation minus what canisters take). */
  available: bigint;
  /** Bytes beyond `available` that only response callbacks may take. */
  reservation: bigint;
}

/** Bytes the heap and stable memory grew by since the journal began. */
function growth(canister: CanisterState, journal: Journal): bigint {
  const heap = BigInt(canister.wasm?.heapSize ?? 0) - BigInt(journal.heapBytesBefore);
  const stable = (canister.stable.sizePages - journal.stablePagesBefore) * BigInt(WASM_PAGE_SIZE);
  return heap + stable;
}

/** Of the growth so far plus `extra`, what the canister's memory allocation does not already cover. */
function beyondAllocation(canister: CanisterState, journal: Journal, extra: bigint): bigint {
  const grown = growth(canister, journal) + extra;
  const allocation = canister.settings.memoryAllocation;
  if (allocation === 0n) return grown;
  const before = memoryUsage(canister) - growth(canister, journal);
  const headroom = allocation > before ? allocation - before : 0n;
  return grown > headroom ? grown - headroom : 0n;
}

/** Whether `bytes` more memory fits the subnet; response callbacks may also use the reservation. */
export function fitsSubnetMemory(memory: SubnetMemory, context: ApiContext, canister: CanisterState, journal: Journal, bytes: bigint): boolean {
  const limit = context.kind === 'callback' || context.kind === 'cleanup' ? memory.available + memory.reservation : memory.available;
  return beyondAllocation(canister, journal, bytes) <= limit;
}

/** A committed execution takes what it grew from the subnet's available memory. */
export function takeSubnetMemory(memory: SubnetMemory, canister: CanisterState, journal: Journal): void {
  memory.available -= beyondAllocation(canister, journal, 0n);
}

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB'];

/** Bytes as the replica prints them in memory errors ("10.00 MiB"). */
export function formatBytes(bytes: bigint): string {
  if (bytes < 1024n) return `${bytes} B`;
  let value = Number(bytes) / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(2)} ${UNITS[unit]}`;
}

/** The replica's refusal of an allocation, install or creation the subnet's memory cannot take. */
export function subnetOversubscribed(requested: bigint, available: bigint): UserError {
  const left = available > 0n ? available : 0n;
  return new UserError('SubnetOversubscribed', `Canister requested ${formatBytes(requested)} of memory but only ${formatBytes(left)} are available in the subnet.`);
}

/**
 * Takes what an install grew the canister by (beyond its memory allocation) from the subnet, or
 * returns the replica's error when that does not fit; `before` is the memory usage before the install.
 */
export function takeInstallMemory(memory: SubnetMemory, canister: CanisterState, before: bigint): UserError | undefined {
  const after = memoryUsage(canister);
  const allocation = canister.settings.memoryAllocation;
  const covered = allocation > before ? allocation : before;
  const requested = after > covered ? after - covered : 0n;
  if (requested > memory.available) return subnetOversubscribed(after - before, memory.available);
  memory.available -= requested;
  return undefined;
}
