// The server's instances: numbered from 0, never reused; a deleted instance stays listed as
// "Deleted" and answers "Instance was deleted", as PocketIC does.
import { createHash } from 'node:crypto';
import { PersistenceError } from '../persistence/index.ts';
import { badConfig, instanceDeleted, instanceNotFound } from './errors.ts';
import { type InstanceHooks, PocketIcInstance } from './instance.ts';
import type { InstanceOptions } from './instance_config.ts';

/** Every instance has the same seed, so its subnets have the same keys and ids across runs. */
const APPLICATION_SUBNET_SEED = new Uint8Array(createHash('sha256').update('capsule pocketic application subnet').digest());

/** A deleted instance keeps its number, not its state. */
const DELETED = 'Deleted';

export class Instances {
  readonly #instances: (PocketIcInstance | typeof DELETED)[] = [];
  readonly #hooks: InstanceHooks;

  constructor(hooks: InstanceHooks) {
    this.#hooks = hooks;
  }

  create(options: InstanceOptions): PocketIcInstance {
    const id = this.#instances.length;
    let instance: PocketIcInstance;
    try {
      instance = new PocketIcInstance(id, options, APPLICATION_SUBNET_SEED, this.#hooks);
    } catch (e) {
      // Any failure to open a state directory (locked, not a directory, no permission) is the config's.
      if (e instanceof PersistenceError || options.stateDir !== undefined) throw badConfig(`state_dir ${options.stateDir}: ${(e as Error).message}`);
      throw e;
    }
    this.#instances.push(instance);
    return instance;
  }

  /** The live instance with this id (the path segment as sent); 404 if unknown, 400 if deleted. */
  get(id: string): PocketIcInstance {
    const instance = /^\d+$/.test(id) ? this.#instances[Number(id)] : undefined;
    if (!instance) throw instanceNotFound(id);
    if (instance === DELETED || instance.deleted) throw instanceDeleted();
    return instance;
  }

  /** Deleting an unknown or deleted instance succeeds: clients delete after the server is gone too. */
  async delete(id: string): Promise<void> {
    const index = /^\d+$/.test(id) ? Number(id) : -1;
    const instance = this.#instances[index];
    if (instance === undefined || instance === DELETED) return;
    this.#instances[index] = DELETED;
    await instance.delete();
  }

  list(): string[] {
    return this.#instances.map((instance) => (instance === DELETED ? 'Deleted' : 'Available'));
  }

  async deleteAll(): Promise<void> {
    await Promise.all(this.#instances.map((_, index) => this.delete(String(index))));
  }
}
