// The execution layer: message execution through the System API (IC: execution_environment + embedders).
export { applyChanges, executionRejectFor, openCallContext, rejectOf, respond, settle } from './call_context.ts';
export { CHAIN_KEY_NAMES, chainKeyFee } from './chain_keys.ts';
export type { ApiContext, ContextLetter, DataCertificate, SystemTask } from './context.ts';
export { type Ic0Entry, type Ic0Group, type Ic0Table, OVERHEAD } from './ic0_entry.ts';
export { SYSTEM_API } from './imports.ts';
export {
  callTransmissionFee,
  chargeExecution,
  executionCost,
  freezingLimit,
  httpRequestFee,
  idleCyclesBurnedPerDay,
  ingressInductionCost,
  liquidBalance,
  scale,
  storageCost,
} from './cycles.ts';
export { CanisterTrap, canisterError, ERROR_CODES, type ErrorCodeName, type ErrorHelp, HELP, InternalError, type Trap, trapToUserError, UserError } from './errors.ts';
export { executedInstructions, rollback } from './execute.ts';
export { formatBytes, type SubnetMemory, subnetOversubscribed } from './subnet_memory.ts';
export { DEFAULT_MAX_LIVE_INSTANCES, evictIdleInstances, evictionSlack, liveInstances } from './eviction.ts';
export { adoptCompiledModule, compiledModule, copyHeap, evictedWasm, commitsOf, growMemory, instanceStatistics, type InstanceStatistics, instantiate, loadGlobals, loadHeap, precompile, snapshotGlobals } from './instance.ts';
export { type InstallMode, type InstallPause, type InstallRequest, installCode } from './install.ts';
export { inspectMessage } from './inspect_message.ts';
export { guaranteedResponseMemory, type MessageMemory, RESPONSE_SLOT_BYTES } from './message_memory.ts';
export { checkCallable, methodKindOf } from './method.ts';
export { executeQuery, executeTransform, type ManagementQuery, type QueryRequest } from './query.ts';
export { executeRequest } from './update.ts';
export { executeResponse } from './response.ts';
export { respondTo, type RoundContext } from './round_context.ts';
export { abortPausedExecution, anyPausedInstall, completePausedExecution, hasPausedExecution, hasPausedInstall, pausedCanistersOf, runSlices } from './slicing.ts';
export { executeSystemTask, hasTask } from './system_task.ts';
export type { ExecutionEnvironment } from './system_api.ts';
