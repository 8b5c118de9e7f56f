// The replicated state's data types: canisters, messages, principals, the subnet, units and costs.
// Plain data and the small helpers that read it; every other layer imports it through this file.
export * from './canister.ts';
export * from './cost_schedule.ts';
export * from './http_outcalls.ts';
export * from './messages.ts';
export * from './page_slab.ts';
export * from './principal.ts';
export * from './query_stats.ts';
export * from './stable_memory.ts';
export * from './state_hash.ts';
export * from './subnet_state.ts';
export * from './system_canisters.ts';
export * from './units.ts';
export * from './xnet.ts';
