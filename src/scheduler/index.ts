// The scheduler: deterministic rounds over the subnet state.
export { environmentOf, executeCanister, executeRound, type RoundInput, STORAGE_CHARGE_INTERVAL } from './round.ts';
export type { IngressMessage } from './ingress.ts';
export { setIngressStatus } from './ingress.ts';
export type { XNetRound } from './xnet.ts';
export { type ThreadJob, type ThreadPool, workerOf } from './workers.ts';
