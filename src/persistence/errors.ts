// Why a state directory cannot be read or written: one variant per failure, each with the
// path and the sizes or versions needed to explain it, like the IC's `PersistenceError`.

export type PersistenceFailure =
  /** The file was written by another format version: it is refused and left untouched. */
  | { kind: 'versionMismatch'; path: string; fileVersion: number; oldest: number; supported: number }
  /** The directory holds no Capsule state (no MANIFEST). */
  | { kind: 'notAStateDir'; path: string }
  /** The MANIFEST is gone but state files remain: the directory is refused rather than started empty. */
  | { kind: 'missingManifest'; path: string; found: string[] }
  /** The file does not start with the expected magic bytes. */
  | { kind: 'notAStateFile'; path: string; expected: string; found: string }
  /** A checksum, a length or a structure does not match. `offset` and `size` locate the damage. */
  | { kind: 'corrupt'; path: string; offset: number; size: number; reason: string }
  /** Every checkpoint listed in the manifest failed to load. */
  | { kind: 'noUsableCheckpoint'; path: string; failures: PersistenceFailure[] }
  | { kind: 'io'; path: string; operation: string; code: string; message: string }
  /** Another live process holds the state directory. */
  | { kind: 'locked'; path: string; pid: number }
  /** A value of the state has a type the encoding does not know (a new field needs a format change). */
  | { kind: 'unencodable'; field: string; found: string }
  /** The caller asked for a seed or cost schedule other than the one the state directory was created with. */
  | { kind: 'identityMismatch'; path: string; field: 'seed' | 'costSchedule' | 'subnetId'; stored: string; requested: string }
  | { kind: 'canisterNotFound'; path: string; canisterId: string }
  /** The canister has no module, so there is nothing to export. */
  | { kind: 'emptyCanister'; path: string; canisterId: string }
  | { kind: 'snapshotNotFound'; path: string; canisterId: string; snapshotId: string }
  | { kind: 'snapshotLimit'; path: string; canisterId: string; limit: number }
  /** The store failed mid-commit and could not undo the partial write: it accepts no more rounds. */
  | { kind: 'storeFailed'; path: string; cause: string }
  | { kind: 'closed'; path: string };

/** Something recovery repaired, reported through `onWarning` (libraries do not print). */
export type PersistenceWarning =
  /** A torn or corrupt log record and everything after it were dropped. */
  | { kind: 'droppedLogTail'; path: string; offset: number; droppedBytes: number; droppedSegments: string[]; reason: string; savedTo: string[] }
  /** A checkpoint failed to load; an older one was used and more of the log replayed. */
  | { kind: 'checkpointFallback'; path: string; failure: PersistenceFailure; usedRound: bigint }
  /** A lock left by a process that no longer runs (e.g. after kill -9) was taken over. */
  | { kind: 'staleLock'; path: string; pid: number };

export class PersistenceError extends Error {
  override name = 'PersistenceError';
  readonly failure: PersistenceFailure;

  constructor(failure: PersistenceFailure) {
    super(describeFailure(failure));
    this.failure = failure;
  }
}

export function describeFailure(failure: PersistenceFailure): string {
  switch (failure.kind) {
    case 'versionMismatch':
      return `Cannot open ${failure.path}: it has storage format version ${failure.fileVersion}, this Capsule reads versions ${failure.oldest} to ${failure.supported} (the file was left untouched; use a Capsule that reads version ${failure.fileVersion})`;
    case 'notAStateDir':
      return `${failure.path} holds no Capsule state (it has no MANIFEST)`;
    case 'missingManifest':
      return `Cannot open ${failure.path}: it has no MANIFEST but holds state files (${failure.found.join(', ')}); refusing to start an empty subnet over them (restore the MANIFEST, or move the directory aside)`;
    case 'notAStateFile':
      return `Cannot read ${failure.path}: expected a Capsule ${failure.expected} file, found bytes ${JSON.stringify(failure.found)}`;
    case 'corrupt':
      return `Cannot read ${failure.path}: ${failure.reason} (at offset ${failure.offset}, ${failure.size} bytes)`;
    case 'noUsableCheckpoint':
      return `Cannot recover ${failure.path}: no checkpoint could be loaded: ${failure.failures.map(describeFailure).join('; ')}`;
    case 'io':
      return `Cannot ${failure.operation} ${failure.path}: ${failure.code} ${failure.message}`;
    case 'locked':
      return `Cannot open ${failure.path}: it is in use by process ${failure.pid}`;
    case 'unencodable':
      return `Cannot persist ${failure.field}: values of type ${failure.found} have no encoding`;
    case 'identityMismatch':
      return `Cannot open ${failure.path}: it was created with ${failure.field} ${failure.stored}, not ${failure.requested}`;
    case 'canisterNotFound':
      return `Canister ${failure.canisterId} is not in ${failure.path}`;
    case 'emptyCanister':
      return `Canister ${failure.canisterId} in ${failure.path} is empty: there is nothing to export`;
    case 'snapshotNotFound':
      return `Canister ${failure.canisterId} in ${failure.path} has no snapshot ${failure.snapshotId}`;
    case 'snapshotLimit':
      return `Canister ${failure.canisterId} in ${failure.path} already has ${failure.limit} snapshots`;
    case 'storeFailed':
      return `The store at ${failure.path} failed and accepts no more rounds: ${failure.cause}`;
    case 'closed':
      return `The store at ${failure.path} is closed`;
  }
}

export function describeWarning(warning: PersistenceWarning): string {
  switch (warning.kind) {
    case 'droppedLogTail':
      return `Dropped ${warning.droppedBytes} bytes of ${warning.path} from offset ${warning.offset} (${warning.reason})${warning.droppedSegments.length ? ` and the later segments ${warning.droppedSegments.join(', ')}` : ''}${warning.savedTo.length ? `; kept in ${warning.savedTo.join(', ')}` : ''}`;
    case 'checkpointFallback':
      return `Used the checkpoint of round ${warning.usedRound} instead: ${describeFailure(warning.failure)}`;
    case 'staleLock':
      return `Took over ${warning.path} from process ${warning.pid}, which no longer runs`;
  }
}

export function corrupt(path: string, offset: number, size: number, reason: string): PersistenceError {
  return new PersistenceError({ kind: 'corrupt', path, offset, size, reason });
}
