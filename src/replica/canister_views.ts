// Read-only views of the subnet's canisters for live views of the replica: what `canister_status` and
// `fetch_canister_logs` would tell a controller, read without touching the state (no canister is marked
// as reached, so persistence has nothing more to compare).
import { type CanisterState, memoryUsage, Principal, principalKey, type SubnetState } from '../state/index.ts';

export interface CanisterView {
  readonly id: string;
  readonly status: CanisterState['status']['kind'];
  /** SHA-256 of the installed module, hex; undefined when the canister is empty. */
  readonly moduleHash: string | undefined;
  readonly cycles: bigint;
  readonly reservedCycles: bigint;
  readonly memoryBytes: bigint;
  readonly controllers: readonly string[];
  readonly version: bigint;
  /** Log records held (the canister log keeps the newest). */
  readonly logRecords: number;
}

export interface LogLine {
  readonly index: bigint;
  readonly timestampNanos: bigint;
  /** The record's bytes as UTF-8 (invalid sequences replaced). */
  readonly text: string;
}

/** Every canister, in id order. */
export function canisterViews(state: SubnetState): CanisterView[] {
  const keys = [...state.canisters.keys()].sort();
  return keys.map((key) => viewOf(state.canisters.get(key)!));
}

function viewOf(canister: CanisterState): CanisterView {
  const hash = canister.wasm?.module.moduleHash;
  return {
    id: canister.id.toText(),
    status: canister.status.kind,
    moduleHash: hash ? Buffer.from(hash).toString('hex') : undefined,
    cycles: canister.cycles,
    reservedCycles: canister.reservedCycles,
    memoryBytes: memoryUsage(canister),
    controllers: canister.settings.controllers.map((controller) => controller.toText()),
    version: canister.version,
    logRecords: canister.logs.length,
  };
}

/** The newest `limit` log records of a canister (by its text id), oldest first; undefined when there is no such canister. */
export function canisterLogs(state: SubnetState, id: string, limit: number): LogLine[] | undefined {
  let key: string;
  try {
    key = principalKey(Principal.fromText(id));
  } catch {
    return undefined;
  }
  const canister = state.canisters.get(key);
  if (!canister) return undefined;
  const decoder = new TextDecoder();
  return canister.logs.slice(-limit).map((record) => ({ index: record.idx, timestampNanos: record.timestampNanos, text: decoder.decode(record.content) }));
}
