// The scheduler: deterministic rounds over the subnet state.
export { environmentOf, executeRound, type RoundInput } from './round.ts';
export type { IngressMessage } from './ingress.ts';
export { setIngressStatus } from './ingress.ts';
