// Reading a state directory without opening it for writing: what `capsule state list` shows. Nothing
// is instantiated and no page data is read; a damaged log tail is reported, not repaired.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CanisterState } from '../state/index.ts';
import { decodeMeta } from './canister_codec.ts';
import { PersistenceError, type PersistenceWarning } from './errors.ts';
import { FORMAT_VERSION } from './format.ts';
import { type Manifest, readManifest } from './manifest.ts';
import { readSnapshotFile } from './materialize.ts';
import { type Loaded, recoverWithFallback } from './recovery.ts';
import type { StoredCanister } from './stored_state.ts';
import { toHex } from './_bytes.ts';

export interface CanisterSummary {
  id: string;
  status: CanisterState['status']['kind'];
  /** SHA-256 of the module, hex; undefined for an empty canister. */
  moduleHash: string | undefined;
  heapBytes: bigint;
  stableBytes: bigint;
  cycles: bigint;
  version: bigint;
  snapshots: number;
  chunks: number;
}

export interface StateDirSummary {
  path: string;
  formatVersion: number;
  subnetId: string;
  costSchedule: 'application' | 'free';
  /** The last durable round and its time (nanoseconds). */
  round: bigint;
  time: bigint;
  checkpointRound: bigint;
  canisters: CanisterSummary[];
  /** Bytes of all files of the directory. */
  diskBytes: number;
  warnings: PersistenceWarning[];
}

/** The state as stored (newest usable checkpoint plus the good log records), read only. */
export function loadForReading(dir: string): { loaded: Loaded; manifest: Manifest; warnings: PersistenceWarning[] } {
  const manifest = readManifest(dir);
  if (!manifest) throw new PersistenceError({ kind: 'notAStateDir', path: dir });
  const warnings: PersistenceWarning[] = [];
  const { loaded } = recoverWithFallback(dir, manifest, (ref) => readSnapshotFile(dir, ref), (warning) => warnings.push(warning), (loaded) => loaded);
  const damage = loaded.damage;
  if (damage) {
    warnings.push({ kind: 'droppedLogTail', path: damage.segment.path, offset: damage.end, droppedBytes: damage.size, droppedSegments: damage.later.map((s) => s.path), reason: damage.reason, savedTo: [] });
  }
  return { loaded, manifest, warnings };
}

function summary(dir: string, canister: StoredCanister): CanisterSummary {
  const meta = decodeMeta(canister.meta, `${dir} (canister ${canister.id.toText()})`);
  return {
    id: canister.id.toText(),
    status: meta.status.kind,
    moduleHash: canister.moduleHash && toHex(canister.moduleHash),
    heapBytes: canister.heap.size,
    stableBytes: canister.stable.size * 65536n,
    cycles: meta.cycles,
    version: meta.version,
    snapshots: canister.snapshots.length,
    chunks: canister.chunks.size,
  };
}

function diskBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? diskBytes(path) : statSync(path).size;
  }
  return total;
}

/** Lists a state directory's subnet, last round and canisters with their sizes. */
export function inspectStateDir(dir: string): StateDirSummary {
  const { loaded, manifest, warnings } = loadForReading(dir);
  const stored = loaded.stored;
  return {
    path: dir,
    formatVersion: FORMAT_VERSION,
    subnetId: manifest.subnet.subnetId,
    costSchedule: manifest.subnet.costSchedule,
    round: stored.round,
    time: stored.time,
    checkpointRound: stored.checkpoint.round,
    canisters: [...stored.canisters.values()].sort((a, b) => Buffer.compare(a.id.toUint8Array(), b.id.toUint8Array())).map((canister) => summary(dir, canister)),
    diskBytes: diskBytes(dir),
    warnings,
  };
}
