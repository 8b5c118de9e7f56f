// Reaching behind the library facade, for this repository's own tests and benchmarks: the package's
// `exports` map does not include this file, so users have no handle on the mutable state.
import type { DurableStore } from '../persistence/index.ts';
import type { Replica } from '../replica/index.ts';
import { type Capsule, openedReplicaOf } from './capsule.ts';

export function replicaOf(capsule: Capsule): Replica {
  return openedReplicaOf(capsule).replica;
}

/** The durable store of a Capsule created with `stateDir` (its `stats` count bytes written). */
export function storeOf(capsule: Capsule): DurableStore | undefined {
  return openedReplicaOf(capsule).store;
}
