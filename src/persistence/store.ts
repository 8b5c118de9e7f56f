// The durable store of one state directory (docs/storage-format.md): every round appends one record to the round
// log and fdatasyncs it before the round's results are released; every few rounds a checkpoint is
// written and the manifest switched to it atomically, after which old log segments and unreferenced
// files are removed. Opening recovers the newest checkpoint that loads plus the log after it.
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { clearSystemCanistersTouched, isSystemCanistersTouched, type SubnetState, xnetMark } from '../state/index.ts';
import { keepAside } from './aside.ts';
import { type CheckpointContext, writeCheckpoint } from './checkpoint_writer.ts';
import { PersistenceError, type PersistenceWarning } from './errors.ts';
import { attempt, exists, type IoStats, listDir, writeFileDurable } from './file_io.ts';
import { layout, seqOf } from './format.ts';
import { collectGarbage } from './gc.ts';
import { type DirLock, lockStateDir } from './lock.ts';
import { type Manifest, readManifest, writeManifest } from './manifest.ts';
import { materializeCanister, readSnapshotFile } from './materialize.ts';
import { LogSegment, SEGMENT_HEADER } from './round_log.ts';
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
  /** Called once if, after a failed commit, the state cannot be read back from disk (the process should stop). */
  onBroken?: (cause: string) => void;
  /** Called at each step of a checkpoint (crash tests stop the process there). */
  onCheckpointPhase?: (phase: CheckpointPhase) => void;
  /**
   * Also compare canisters not marked touched, and throw if one changed (a missed mark would lose
   * data). Costs one encoding per canister per round; on by default under `node --test`.
   */
  verifyTouched?: boolean;
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

/**
 * A directory without MANIFEST is refused if it holds more than a first start that stopped before
 * writing its MANIFEST leaves behind (checkpoint 1 and an empty log): a lost MANIFEST never means
 * "start empty" over rounds that were acknowledged.
 */
function refuseOrphanedState(dir: string): void {
  const checkpoints = listDir(layout.checkpoints(dir)).filter((name) => (seqOf(name) ?? 0) > 1);
  const segments = listDir(layout.logs(dir)).filter((name) => statSync(join(layout.logs(dir), name)).size > SEGMENT_HEADER);
  const snapshots = listDir(layout.snapshots(dir)).filter((name) => !name.startsWith('.'));
  const found = [
    ...checkpoints.map((name) => join(layout.checkpoints(dir), name)),
    ...segments.map((name) => join(layout.logs(dir), name)),
    ...snapshots.map((name) => join(layout.snapshots(dir), name)),
  ];
  if (found.length > 0) throw new PersistenceError({ kind: 'missingManifest', path: layout.manifest(dir), found: found.slice(0, 5) });
}

export class DurableStore {
  readonly dir: string;
  readonly stats: StoreStats = { bytesWritten: 0, syncs: 0, rounds: 0, checkpoints: 0 };
  /** Warnings of opening and recovery, also given to `onWarning`. */
  readonly warnings: PersistenceWarning[] = [];
  readonly #options: StoreOptions;
  readonly #lock: DirLock;
  #context: CheckpointContext;
  #manifest: Manifest | undefined;
  #segment: LogSegment | undefined;
  #tracks = new Map<string, CanisterTrack>();
  /** The subnet extras as last made durable. */
  #extras: Uint8Array | undefined;
  /** The pending outcalls as last committed (id counter / count): a change writes the extras. */
  #extrasMark = '';
  #round = 0n;
  #sinceCheckpoint = 0;
  #failed: string | undefined;
  /** Set when the state could not be read back after a failed commit: nothing more can be done. */
  #broken: string | undefined;
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
      this.#context = this.#newContext();
    } catch (error) {
      this.#lock.release();
      throw error;
    }
  }

  /** Whether `dir` holds a subnet's state (its manifest), without opening it. */
  static holdsState(dir: string): boolean {
    return exists(layout.manifest(dir));
  }

  /**
   * Opens (creating if needed) a state directory for writing. The manifest is read before anything
   * is written, so a directory of another format version is refused untouched.
   */
  static open(dir: string, options: StoreOptions = {}): DurableStore {
    if (!readManifest(dir)) refuseOrphanedState(dir);
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
    this.#load(state, manifest);
    const segment = LogSegment.create(this.dir, maxSeq(layout.logs(this.dir)) + 1, this.#round + 1n, this.stats);
    try {
      this.#markLog(manifest, segment);
    } catch (error) {
      segment.close();
      throw error;
    }
    this.#segment = segment;
    return this.#round;
  }

  /**
   * Why the last commit failed (e.g. a full disk), until `retry` succeeds; undefined while every round
   * the state holds is durable. The state was made equal to the disk's again when it failed.
   */
  get failure(): string | undefined {
    return this.#broken ?? this.#failed;
  }

  /** The state could not be read back after a failed commit: the store refuses every later round. */
  get broken(): boolean {
    return this.#broken !== undefined;
  }

  /** Tries to make a failed store writable again (a new log segment); returns whether it is. */
  retry(): boolean {
    if (this.#broken || this.#closed) return false;
    if (!this.#failed) return true;
    try {
      this.#segment?.close();
    } catch {
      // The old segment's descriptor is gone either way; its records are durable or cut off.
    }
    this.#segment = undefined;
    let segment: LogSegment | undefined;
    try {
      segment = LogSegment.create(this.dir, maxSeq(layout.logs(this.dir)) + 1, this.#round + 1n, this.stats);
      this.#markLog(readManifest(this.dir) ?? this.#manifest!, segment);
    } catch (error) {
      segment?.close();
      this.#failed = (error as Error).message;
      return false;
    }
    this.#segment = segment;
    this.#failed = undefined;
    return true;
  }

  /** Records `segment` as the newest in the manifest (as `onDisk` has it otherwise), before it gets a record. */
  #markLog(onDisk: Manifest, segment: LogSegment): void {
    const log = { seq: segment.seq, firstRound: segment.firstRound };
    writeManifest(this.dir, { ...onDisk, log }, this.stats);
    this.#manifest = { ...this.#manifest!, log };
  }

  /** The newest checkpoint that loads plus the log after it, into `state` and this store's tracking. */
  #load(state: SubnetState, manifest: Manifest): void {
    const warn = (warning: PersistenceWarning) => this.#warn(warning);
    const unusable: string[] = [];
    const noteUnusable = (warning: PersistenceWarning) => {
      if (warning.kind === 'checkpointFallback' && 'path' in warning.failure) unusable.push(warning.failure.path);
      warn(warning);
    };
    const { loaded, result } = recoverWithFallback(this.dir, manifest, (ref) => readSnapshotFile(this.dir, ref), noteUnusable, ({ stored: s }) =>
      [...s.canisters.values()].map((canister) => materializeCanister(this.dir, canister)),
    );
    keepAside(this.dir, unusable, this.stats);
    const s = loaded.stored;
    state.canisters = new Map(result.map(({ canister }) => [canister.id.toHex(), canister]));
    Object.assign(state, { time: s.time, round: s.round, nextCanisterIndex: s.nextCanisterIndex, randomSeed: s.randomSeed, randomCounter: s.randomCounter });
    state.ingress = TrackedMap.of(s.ingress);
    restoreSubnetExtras(state, s.extras, `${this.dir} (subnet)`);
    this.#extras = encodeSubnetExtras(state);
    this.#tracks = new Map(result.map(({ canister, heap, stable, snapshotFiles }) => [canister.id.toHex(), trackOf(canister, heap, stable, snapshotFiles)]));
    // The checkpoint recovery used becomes the newest one: a damaged newer one is dropped at the next checkpoint.
    this.#manifest = { ...manifest, checkpoints: [s.checkpoint] };
    if (loaded.damage) dropDamagedTail(this.dir, loaded.damage, this.stats, warn);
    this.#round = s.round;
    this.#sinceCheckpoint = Number(s.round - s.checkpoint.round);
    this.#context = this.#newContext();
  }

  /**
   * After a failed commit: the state goes back to what the disk holds, so nothing unsaved is ever
   * read or acknowledged. If even that fails the store is broken for good (`onBroken`).
   */
  #revert(state: SubnetState, cause: string): void {
    this.#failed = cause;
    try {
      this.#segment?.close();
    } catch {
      // Closing can only fail for a descriptor already gone.
    }
    this.#segment = undefined;
    try {
      this.#load(state, readManifest(this.dir) ?? this.#manifest!);
    } catch (error) {
      this.#broken = `${cause}; then the state could not be read back from disk: ${(error as Error).message}`;
      this.#options.onBroken?.(this.#broken);
    }
  }

  /**
   * Makes the round the state has just completed durable (one record, one fdatasync); may checkpoint.
   * If the record cannot be written, the state is reverted to the last durable round and this throws
   * `storeFailed`; a later commit first retries (so the store heals once space returns).
   */
  commitRound(state: SubnetState): void {
    if (this.#closed) throw new PersistenceError({ kind: 'closed', path: this.dir });
    if (this.#broken) throw new PersistenceError({ kind: 'storeFailed', path: this.dir, cause: this.#broken });
    if (this.#failed && !this.retry()) this.#revertAndThrow(state, this.#failed);
    const segment = this.#usable();
    if (state.round !== this.#round + 1n) this.#revertAndThrow(state, `round ${state.round} does not follow the last durable round ${this.#round}`);
    const verify = this.#options.verifyTouched ?? process.env.NODE_TEST_CONTEXT !== undefined;
    const record = roundRecord(state, this.#tracks, verify);
    const extras = this.#extrasChange(state, verify);
    if (extras) record.extras = extras;
    try {
      segment.append(record.round, encodeRecordBody(record), this.stats);
    } catch (error) {
      this.#revertAndThrow(state, (error as Error).message);
    }
    afterCommit(state, this.#tracks, record);
    clearSystemCanistersTouched(state.systemCanisters);
    if (extras) this.#extras = extras;
    this.#round = state.round;
    this.stats.rounds++;
    this.#sinceCheckpoint++;
    const { checkpointEveryRounds = 1000, checkpointLogBytes = 256 * 1024 * 1024 } = this.#options;
    if (this.#sinceCheckpoint < checkpointEveryRounds && segment.size < checkpointLogBytes) return;
    try {
      this.checkpoint(state);
    } catch (error) {
      // The round itself is durable: the state read back from disk equals it, and the round stands.
      this.#revert(state, (error as Error).message);
      if (this.#broken) throw new PersistenceError({ kind: 'storeFailed', path: this.dir, cause: this.#broken });
    }
  }

  #revertAndThrow(state: SubnetState, cause: string): never {
    this.#revert(state, cause);
    throw new PersistenceError({ kind: 'storeFailed', path: this.dir, cause: this.#broken ?? cause });
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
      // The next segment exists before the manifest names it, so a named segment that is missing was lost.
      const next = LogSegment.create(this.dir, segment.seq + 1, state.round + 1n, this.stats);
      const manifest: Manifest = {
        checkpoints: [info, ...previous],
        subnet: { subnetId: state.config.subnetId.toText(), costSchedule: state.config.costs.name },
        log: { seq: next.seq, firstRound: next.firstRound },
      };
      try {
        writeManifest(this.dir, manifest, this.stats);
      } catch (error) {
        next.close();
        throw error;
      }
      this.#manifest = manifest;
      phase('manifest');
      apply();
      segment.close();
      this.#segment = next;
      collectGarbage(this.dir, manifest, next.seq, this.#context.blobs);
    } catch (error) {
      this.#failed = (error as Error).message;
      throw new PersistenceError({ kind: 'storeFailed', path: this.dir, cause: this.#failed });
    }
    this.#sinceCheckpoint = 0;
    this.stats.checkpoints++;
    phase('done');
  }

  /** Checkpoints (if rounds ran since the last one, and `state` is given) and releases the directory. */
  close(state?: SubnetState): void {
    if (this.#closed) return;
    try {
      if (state && !this.failure && this.#sinceCheckpoint > 0) this.checkpoint(state);
    } finally {
      this.abandon();
    }
  }

  /** Releases the directory without writing anything (what a crash leaves behind; for tests). */
  abandon(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#segment?.close();
    this.#lock.release();
  }

  /** The subnet extras when they changed; encoded only if the system canisters were touched (or to verify). */
  #extrasChange(state: SubnetState, verify: boolean): Uint8Array | undefined {
    // An outcall made or answered changes the id counter or the pending list's length.
    // A message sent to or inducted from another subnet moves a stream's bounds or an induction index.
    const mark = `${state.httpOutcalls.nextId}/${state.httpOutcalls.pending.length}/${xnetMark(state)}`;
    const marked = mark !== this.#extrasMark;
    this.#extrasMark = mark;
    const touched = isSystemCanistersTouched(state.systemCanisters) || marked;
    if (!touched && !verify) return undefined;
    const extras = encodeSubnetExtras(state);
    if (equalBytes(extras, this.#extras)) return undefined;
    if (!touched) throw new Error('the system canisters changed without being marked touched: reach them through a system call or call touchSystemCanisters');
    return extras;
  }

  #usable(): LogSegment {
    if (this.#closed) throw new PersistenceError({ kind: 'closed', path: this.dir });
    const failure = this.failure;
    if (failure) throw new PersistenceError({ kind: 'storeFailed', path: this.dir, cause: failure });
    if (!this.#segment) throw new TypeError(`${this.dir} is neither initialized nor restored`);
    return this.#segment;
  }

  #newContext(): CheckpointContext {
    const blobs = new Set(listDir(layout.blobs(this.dir)).filter((name) => !name.startsWith('.')));
    return { dir: this.dir, stats: this.stats, blobs, generations: pageGenerations(this.dir) };
  }

  #warn(warning: PersistenceWarning): void {
    this.warnings.push(warning);
    this.#options.onWarning?.(warning);
  }
}
