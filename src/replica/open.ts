// Opening a replica: in memory, or backed by a state directory — created fresh or recovered from disk,
// with every round made durable by an after-round hook before anyone can read the round's results
// (docs/storage-format.md). The one place where a front end's options become a Replica.
import { fundIcpCliNetwork } from '../system_canisters/index.ts';
import { DurableStore, PersistenceError, type PersistenceWarning, type StoreOptions } from '../persistence/index.ts';
import { type ReplicaConfig, resolveReplicaConfig } from './defaults.ts';
import { Replica } from './replica.ts';

export interface OpenReplicaOptions extends ReplicaConfig {
  /**
   * Keep the state in this directory. A new directory stores the seed and cost schedule; an existing one
   * keeps its own and refuses others. Instruction limits are configuration of the run, not stored.
   */
  stateDir?: string;
  /** Tuning and warnings of the durable store (with `stateDir`). */
  store?: StoreOptions;
}

export interface OpenedReplica {
  replica: Replica;
  /** The durable store, with `stateDir`. */
  store: DurableStore | undefined;
  /** The round restored from disk, or undefined for a new state. */
  restoredRound: bigint | undefined;
  warnings: PersistenceWarning[];
  /** Writes a checkpoint if rounds ran since the last one and releases the directory. */
  close(): void;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function mismatch(store: DurableStore, field: 'seed' | 'costSchedule', stored: string, requested: string): PersistenceError {
  return new PersistenceError({ kind: 'identityMismatch', path: store.dir, field, stored, requested });
}

/** The stored identity (seed, cost schedule) wins over defaults; a conflicting explicit choice is refused. */
function configOf(store: DurableStore, options: ReplicaConfig): ReplicaConfig {
  const storedSeed = store.readSeed();
  if (storedSeed && options.seed && hex(storedSeed) !== hex(options.seed)) throw mismatch(store, 'seed', 'the stored one', 'the given one');
  const storedCosts = store.subnet?.costSchedule;
  if (storedCosts && options.costSchedule && storedCosts !== options.costSchedule) throw mismatch(store, 'costSchedule', storedCosts, options.costSchedule);
  return { ...options, seed: storedSeed ?? options.seed, costSchedule: storedCosts ?? options.costSchedule };
}

function openDurable(stateDir: string, options: OpenReplicaOptions): OpenedReplica {
  const store = DurableStore.open(stateDir, options.store ?? {});
  try {
    const replica = new Replica(resolveReplicaConfig(configOf(store, options)));
    let restoredRound: bigint | undefined;
    if (store.isNew) store.initialize(replica.state, replica.seed);
    else restoredRound = store.restore(replica.state);
    fund(replica, options);
    replica.afterRound((state) => store.commitRound(state));
    replica.useDurability(store);
    return { replica, store, restoredRound, warnings: store.warnings, close: () => store.close(replica.state) };
  } catch (error) {
    store.abandon();
    throw error;
  }
}

/** Applies `funding: 'icp-cli'` (kept in the state, so a reopened directory stays funded as it was). */
function fund(replica: Replica, options: OpenReplicaOptions): void {
  if (options.funding === 'icp-cli') fundIcpCliNetwork(replica.state);
}

/** Opens a replica: a fresh one in memory, or the one kept in `stateDir` (created if new). */
export function openReplica(options: OpenReplicaOptions = {}): OpenedReplica {
  if (options.stateDir !== undefined) return openDurable(options.stateDir, options);
  const replica = new Replica(resolveReplicaConfig(options));
  fund(replica, options);
  return { replica, store: undefined, restoredRound: undefined, warnings: [], close: () => {} };
}
