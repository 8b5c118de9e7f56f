// The scheduler: deterministic rounds over the subnet state.
export { environmentOf, executeRound, type RoundInput, STORAGE_CHARGE_INTERVAL } from './round.ts';
export type { IngressMessage } from './ingress.ts';
export { setIngressStatus } from './ingress.ts';
export type { XNetRound } from './xnet.ts';
