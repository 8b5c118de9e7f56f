// The HTTP gateway: canisters serve web pages, verified before they are served.
export { DEFAULT_DOMAINS, Gateway, type GatewayOptions, type GatewayRequest, type GatewayResponse } from './gateway.ts';
export { resolveCanister, type Resolution, type ResolutionConfig } from './resolve.ts';
export { MAX_CERTIFICATE_SKEW_NS } from './verify.ts';
export { followCustomDomains, parseCustomDomains } from './custom_domains_file.ts';
export { fetchRootKey, remoteCalls } from './remote_calls.ts';
export { type CanisterCalls, replicaCalls } from './canister_calls.ts';
