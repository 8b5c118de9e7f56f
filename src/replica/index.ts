// The replica layer: one subnet with its certifier, its round driver and its defaults, opened in
// memory or on a state directory; or a network of such subnets exchanging messages. The library (api/), the HTTP interface (http/) and the CLI are
// front ends of it.
export {
  type CostScheduleName,
  NANOS_PER_MILLISECOND,
  randomSeed,
  type ReplicaConfig,
  type ReplicaOptions,
  resolveReplicaConfig,
  type SubnetPlacement,
  wallClockNanos,
} from './defaults.ts';
export { DEFAULT_HTTP_FETCH, fetchHttpOutcall, type HttpFetchOptions, HttpOutcallFetcher } from './http_fetch.ts';
export { unsignedEnvelopeBytes } from './ingress_size.ts';
export { type OpenedReplica, type OpenReplicaOptions, openReplica } from './open.ts';
export { LAYOUT_FILE, Network, type NetworkOptions, type NetworkSubnetSpec } from './network.ts';
export { type IngressSubmission, type NetworkMembership, type QueryRequest, Replica, UncertifiedStateError } from './replica.ts';
export { RoundDriver, type RoundDriverOptions } from './round_driver.ts';
export { type CallOutcome, type CallRecord, RoundRecorder, type RoundRecorderLimits, type RoundTiming } from './round_recorder.ts';
export { type CanisterView, canisterLogs, canisterViews, type LogLine } from './canister_views.ts';
export { setThreadThreshold, startThreads, type ThreadStatistics, threadStatistics } from './execution_threads.ts';
