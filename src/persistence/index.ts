// The persistence layer: the durable store of a state directory (round log, checkpoints, manifest),
// recovery, inspection and canister snapshot files (docs/storage-format.md). Other layers import
// only from this file.
export { type CheckpointPhase, DurableStore, type StoreOptions, type StoreStats } from './store.ts';
export { describeFailure, describeWarning, PersistenceError, type PersistenceFailure, type PersistenceWarning } from './errors.ts';
export { FORMAT_VERSION } from './format.ts';
export { decodeSnapshot, encodeSnapshot, type SnapshotFile } from './snapshot_codec.ts';
export { type CanisterSummary, inspectStateDir, type StateDirSummary } from './inspect.ts';
export { exportCanister, importCanister } from './portability.ts';
export { type RepairReport, repairStateDir } from './repair.ts';
// A canister's system state and plain values as bytes: how a canister crosses to an execution thread.
export { assembleCanister, decodeMeta, encodeMeta } from './canister_codec.ts';
export { decodeValue, encodeToBytes } from './value_codec.ts';
// The ingress history as the store keeps it: the state tree follows its changes instead of walking it.
export { type ChangeReader, TrackedMap } from './tracked_map.ts';
