// The management canister (aaaaa-aa) of the interface spec ("The IC management canister").
export { handleManagementCall, ingressControllerRefusal, ingressRefusal, managementQuery } from './dispatch.ts';
export type { ManagementCall, ManagementContext, ManagementOutcome } from './context.ts';
export { finishStopping } from './lifecycle.ts';
export { answerHttpOutcall, deliverHttpOutcalls, MAX_HTTP_REQUEST_BYTES, MAX_HTTP_RESPONSE_BYTES } from './http_request.ts';
export { uninstall } from './code.ts';
export * as candid from './candid/index.ts';
export { effectiveCanisterIdOf } from './candid/index.ts';
export { emptySettings } from './settings.ts';
export { type ChainKey, type ChainKeyScheme, thresholdMasterPublicKey, vetkdMasterPublicKey } from './chain_key/index.ts';
