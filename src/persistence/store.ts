// The durable store of one state directory (docs/storage-format.md): every round appends one record to the round
// log and fdatasyncs it before the round's results are released; every few rounds a checkpoint is
// written and the manifest switched to it atomically, after which old log segments and unreferenced
// files are removed. Opening recovers the newest checkpoint that loads plus the log after it.
import { mkdirSync, readFileSync } from 'node:fs';
import type { SubnetState } from '../state/index.ts';
import { type CheckpointContext, writeCheckpoint } from './checkpoint_writer.ts';
import { PersistenceError, type PersistenceWarning } from './errors.ts';
import { attempt, exists, type IoStats, listDir, writeFileDurable } from './file_io.ts';
import { layout, seqOf } from './format.ts';
import { collectGarbage } from './gc.ts';
import { type DirLock, lockStateDir } from './lock.ts';
import { type Manifest, readManifest, writeManifest } from './manifest.ts';
import { materializeCanister, readSnapshotFile } from './materialize.ts';
import { LogSegment } from './round_log.ts';
import { encodeRecordBody } from './round_record.ts';
import { encodeSubnetExtras, restoreSubnetExtras } from './subnet_codec.ts';
import { equalBytes } from './_bytes.ts';
import { dropDamagedTail, recoverWithFallback } from './recovery.ts';
import type { CheckpointInfo } from './stored_state.ts';
import { afterCommit, type CanisterTrack, roundRecord, trackOf } from './tracker.ts';
import { TrackedMap } from './tracked_map.ts';

export type CheckpointPhase = 'begin' | 'written' | 'manifest' | 'done';

export interface StoreOptions {
  /** Write a checkpoint after this many rounds (default 1,000). */
  checkpointEveryRounds?: number;
  /** … or once the current log segment holds this many bytes (default 256 MiB). */
  checkpointLogBytes?: number;
  /** Recovery repairs (a dropped log tail, a checkpoint fallback, a stale lock). */
  onWarning?: (warning: PersistenceWarning) => void;
  /** Called at each step of a checkpoint (crash tests stop the process there). */
  onCheckpointPhase?: (phase: CheckpointPhase) => void;
}

export interface StoreStats extends IoStats {
  rounds: number;
  checkpoints: number;
}

const SEED_PATTERN = /^[0-9a-f]{64}$/;

function maxSeq(folder: string): number {
  return listDir(folder).reduce((max, name) => Math.max(max, seqOf(name) ?? 0), 0);
}

function pageGenerations(dir: string): Map<string, number> {
  const generations = new Map<string, number>();
  for (const name of listDir(layout.pages(dir))) {
    const match = /^(.+\.(?:heap|stable))\.(\d+)\.pages$/.exec(name);
    if (match) generations.set(match[1]!, Math.max(generations.get(match[1]!) ?? 0, Number(match[2])));
  }
  return generations;
}

export class DurableStore {
  readonly dir: string;
  readonly stats: StoreStats = { bytesWritten: 0, syncs: 0, rounds: 0, checkpoints: 0 };
  /** Warnings of opening and recovery, also given to `onWarning`. */
  readonly warnings: PersistenceWarning[] = [];
  readonly #options: StoreOptions;
  readonly #lock: DirLock;
  readonly #context: CheckpointContext;
  #manifest: Manifest | undefined;
  #segment: LogSegment | undefined;
  #tracks = new Map<string, CanisterTrack>();
  /** The subnet extras as last made durable. */
  #extras: Uint8Array | undefined;
  #round = 0n;
  #sinceCheckpoint = 0;
  #failed: string | undefined;
  #closed = false;

  private constructor(dir: string, options: StoreOptions, manifest: Manifest | undefined) {
    this.dir = dir;
    this.#options = options;
    this.#manifest = manifest;
    this.#lock = lockStateDir(dir, (warning) => this.#warn(warning));
    try {
      for (const folder of [layout.checkpoints, layout.logs, layout.pages, layout.blobs, layout.snapshots]) {
        attempt(folder(dir), 'create', () => mkdirSync(folder(dir), { recursive: true }));
      }
      const blobs = new Set(listDir(layout.blobs(dir)).filter((name) => !name.startsWith('.')));
      this.#context = { dir, stats: this.stats, blobs, generations: pageGenerations(dir) };
    } catch (error) {
      this.#lock.release();
      throw error;
    }
  }

  /**
   * Opens (creating if needed) a state directory for writing. The manifest is read before anything
   * is written, so a directory of another format version is refused untouched.
   */
  static open(dir: string, options: StoreOptions = {}): DurableStore {
    readManifest(dir);
    attempt(dir, 'create', () => mkdirSync(dir, { recursive: true, mode: 0o700 }));
    const store = new DurableStore(dir, options, undefined);
    try {
      store.#manifest = readManifest(dir);
    } catch (error) {
      store.#lock.release();
      throw error;
    }
    return store;
  }

  /** Whether the directory holds no state yet (call `initialize`; otherwise `restore`). */
  get isNew(): boolean {
    return this.#manifest === undefined;
  }

  /** The subnet the directory holds, from its manifest. */
  get subnet(): Manifest['subnet'] | undefined {
    return this.#manifest?.subnet;
  }

  /** The seed the directory was created with (hex file `seed`, mode 0600), if any. */
  readSeed(): Uint8Array | undefined {
    const path = layout.seed(this.dir);
    if (!exists(path)) return undefined;
    const hex = readFileSync(path, 'utf8').trim();
    if (!SEED_PATTERN.test(hex)) throw new PersistenceError({ kind: 'corrupt', path, offset: 0, size: hex.length, reason: 'the seed file does not hold 32 bytes in hex' });
    return new Uint8Array(Buffer.from(hex, 'hex'));
  }

  /** Makes a fresh state durable: the seed, a first checkpoint and the manifest. */
  initialize(state: SubnetState, seed: Uint8Array): void {
    if (!this.isNew) throw new TypeError(`${this.dir} already holds a state`);
    if (!this.readSeed()) writeFileDurable(layout.seed(this.dir), [Buffer.from(`${Buffer.from(seed).toString('hex')}\n`)], this.stats, 0o600);
    state.ingress = TrackedMap.of(state.ingress);
    this.#extras = encodeSubnetExtras(state);
    this.#round = state.round;
    this.#segment = LogSegment.create(this.dir, maxSeq(layout.logs(this.dir)) + 1, state.round + 1n, this.stats);
    this.checkpoint(state);
  }

  /** Loads the stored state into `state` (whose config must be the stored subnet's); returns the round restored. */
  restore(state: SubnetState): bigint {
    const manifest = this.#manifest;
    if (!manifest) throw new TypeError(`${this.dir} holds no state to restore`);
    const stored = manifest.subnet;
    if (stored.subnetId !== state.config.subnetId.toText()) {
      throw new PersistenceError({ kind: 'identityMismatch', path: this.dir, field: 'subnetId', stored: stored.subnetId, requested: state.config.subnetId.toText() });
    }
    const warn = (warning: PersistenceWarning) => this.#warn(warning);
    const { loaded, result } = recoverWithFallback(this.dir, manifest, (ref) => readSnapshotFile(this.dir, ref), warn, ({ stored: s }) =>
      [...s.canisters.values()].map((canister) => materializeCanister(this.dir, canister)),
    );
    const s = loaded.stored;
    state.canisters = new Map(result.map(({ canister }) => [canister.id.toHex(), canister]));
    Object.assign(state, { time: s.time, round: s.round, nextCanisterIndex: s.nextCanisterIndex, randomSeed: s.randomSeed, randomCounter: s.randomCounter });
    state.ingress = TrackedMap.of(s.ingress);
    restoreSubnetExtras(state, s.extras, `${this.dir} (subnet)`);
    this.#extras = encodeSubnetExtras(state);
    this.#tracks = new Map(result.map(({ canister, heap, stable, snapshotFiles }) => [canister.id.toHex(), trackOf(canister, heap, stable, snapshotFiles)]));
    // The checkpoint recovery used becomes the newest one: a damaged newer one is dropped at the next checkpoint.
    this.#manifest = { ...manifest, checkpoints: [s.checkpoint] };
    if (loaded.damage) dropDamagedTail(loaded.damage, this.stats, warn);
    this.#round = s.round;
    this.#sinceCheckpoint = Number(s.round - s.checkpoint.round);
    this.#segment = LogSegment.create(this.dir, maxSeq(layout.logs(this.dir)) + 1, s.round + 1n, this.stats);
    return s.round;
  }

  /** Makes the round the state has just completed durable (one record, one fdatasync); may checkpoint. */
  commitRound(state: SubnetState): void {
    const segment = this.#usable();
    if (state.round !== this.#round + 1n) this.#fail(`round ${state.round} does not follow the last durable round ${this.#round}`);
    const record = roundRecord(state, this.#tracks);
    const extras = encodeSubnetExtras(state);
    if (!equalBytes(extras, this.#extras)) record.extras = extras;
    try {
      segment.append(record.round, encodeRecordBody(record), this.stats);
    } catch (error) {
      this.#fail((error as Error).message);
    }
    afterCommit(state, this.#tracks, record);
    this.#extras = extras;
    this.#round = state.round;
    this.stats.rounds++;
    this.#sinceCheckpoint++;
    const { checkpointEveryRounds = 1000, checkpointLogBytes = 256 * 1024 * 1024 } = this.#options;
    if (this.#sinceCheckpoint >= checkpointEveryRounds || segment.size >= checkpointLogBytes) this.checkpoint(state);
  }

  /** Writes a checkpoint of the state (all of whose rounds must be durable), switches the manifest, collects garbage. */
  checkpoint(state: SubnetState): void {
    const segment = this.#usable();
    const phase = this.#options.onCheckpointPhase ?? (() => {});
    phase('begin');
    try {
      const seq = Math.max(maxSeq(layout.checkpoints(this.dir)), ...(this.#manifest?.checkpoints.map((info) => info.seq) ?? [0])) + 1;
      const { info, apply } = writeCheckpoint(this.#context, seq, state, this.#tracks);
      phase('written');
      const previous: CheckpointInfo[] = this.#manifest ? [this.#manifest.checkpoints[0]!] : [];
      const manifest: Manifest = { checkpoints: [info, ...previous], subnet: { subnetId: state.config.subnetId.toText(), costSchedule: state.config.costs.name } };
      writeManifest(this.dir, manifest, this.stats);
      this.#manifest = manifest;
      phase('manifest');
      apply();
      segment.close();
      this.#segment = LogSegment.create(this.dir, segment.seq + 1, state.round + 1n, this.stats);
      collectGarbage(this.dir, manifest, this.#segment.seq, this.#context.blobs);
    } catch (error) {
      this.#fail((error as Error).message);
    }
    this.#sinceCheckpoint = 0;
    this.stats.checkpoints++;
    phase('done');
  }

  /** Checkpoints (if rounds ran since the last one, and `state` is given) and releases the directory. */
  close(state?: SubnetState): void {
    if (this.#closed) return;
    if (state && !this.#failed && this.#sinceCheckpoint > 0) this.checkpoint(state);
    this.abandon();
  }

  /** Releases the directory without writing anything (what a crash leaves behind; for tests). */
  abandon(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#segment?.close();
    this.#lock.release();
  }

  #usable(): LogSegment {
    if (this.#closed) throw new PersistenceError({ kind: 'closed', path: this.dir });
    if (this.#failed) throw new PersistenceError({ kind: 'storeFailed', path: this.dir, cause: this.#failed });
    if (!this.#segment) throw new TypeError(`${this.dir} is neither initialized nor restored`);
    return this.#segment;
  }

  #fail(cause: string): never {
    this.#failed = cause;
    throw new PersistenceError({ kind: 'storeFailed', path: this.dir, cause });
  }

  #warn(warning: PersistenceWarning): void {
    this.warnings.push(warning);
    this.#options.onWarning?.(warning);
  }
}
