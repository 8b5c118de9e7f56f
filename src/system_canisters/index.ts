// System canisters implemented natively (no wasm), at their mainnet ids: the ICP ledger, the cycles
// ledger, the cycles minting canister and the registry query tooling needs. Like the management
// canister, they are answered by the replica itself; their state is plain data in SubnetState.systemCanisters.
export { handleSystemCall, systemCanisterAt, systemQuery, type SystemOutcome } from './dispatch.ts';
export { CYCLES_LEDGER, CYCLES_MINTING_CANISTER, GOVERNANCE, ICP_LEDGER, REGISTRY } from './ids.ts';
export { accountIdentifier, ICP_FEE } from './icp_accounts.ts';
export { fundIcpCliNetwork, ICP_CLI_ANONYMOUS_CYCLES, ICP_CLI_ANONYMOUS_ICP } from './funding.ts';
export { CYCLES_LEDGER_FEE, LOCAL_INITIAL_BALANCE } from './ledger_accounts.ts';
export type { SystemCall, SystemCanister } from './method.ts';
