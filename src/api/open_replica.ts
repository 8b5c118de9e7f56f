// A replica backed by a state directory (docs/storage-format.md): created fresh or recovered from disk, with every
// round made durable by an after-round hook before anyone can read the round's results.
import { DurableStore, PersistenceError, type PersistenceWarning, type StoreOptions } from '../persistence/index.ts';
import type { InstructionLimits } from '../state/index.ts';
import { Replica } from './replica.ts';

export interface OpenReplicaOptions extends StoreOptions {
  stateDir: string;
  /** Seed of a new state directory (default: random); an existing one keeps its own and refuses another. */
  seed?: Uint8Array;
  /** Initial time of a new state directory, in nanoseconds (default: now). */
  time?: bigint;
  /** Cost schedule of a new state directory; an existing one keeps its own and refuses another. */
  costSchedule?: 'application' | 'free';
  /** Per-message instruction limits of this run (configuration, not stored). */
  instructionLimits?: Partial<InstructionLimits>;
}

export interface OpenedReplica {
  replica: Replica;
  store: DurableStore;
  /** The round restored from disk, or undefined for a new state directory. */
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

function build(store: DurableStore, options: OpenReplicaOptions): Replica {
  const storedSeed = store.readSeed();
  if (storedSeed && options.seed && hex(storedSeed) !== hex(options.seed)) throw mismatch(store, 'seed', 'the stored one', 'the given one');
  const storedCosts = store.subnet?.costSchedule;
  if (storedCosts && options.costSchedule && storedCosts !== options.costSchedule) throw mismatch(store, 'costSchedule', storedCosts, options.costSchedule);
  return new Replica({
    seed: storedSeed ?? options.seed ?? Replica.randomSeed(),
    time: options.time ?? BigInt(Date.now()) * 1_000_000n,
    costSchedule: storedCosts ?? options.costSchedule ?? 'application',
    instructionLimits: options.instructionLimits,
  });
}

/** Opens (or creates) a state directory and returns a replica whose rounds are durable. */
export function openReplica(options: OpenReplicaOptions): OpenedReplica {
  const store = DurableStore.open(options.stateDir, options);
  try {
    const replica = build(store, options);
    let restoredRound: bigint | undefined;
    if (store.isNew) store.initialize(replica.state, replica.seed);
    else restoredRound = store.restore(replica.state);
    replica.afterRound((state) => store.commitRound(state));
    return { replica, store, restoredRound, warnings: store.warnings, close: () => store.close(replica.state) };
  } catch (error) {
    store.abandon();
    throw error;
  }
}
