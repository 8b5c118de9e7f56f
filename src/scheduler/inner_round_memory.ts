// The memory the executions of an inner round share, as each one sees it: the subnet's available memory and
// its guaranteed-response message memory as they were when the inner round began, less what the execution
// itself took. No execution sees another's before the merge, so neither their order nor the number of workers
// running them changes an outcome. (The replica likewise gives each execution thread its own share of the
// subnet's available memory for an inner round, rather than one counter all threads race on.)
import type { ExecutionEnvironment, MessageMemory, SubnetMemory } from '../execution/index.ts';

export class InnerRoundMemory {
  readonly #env: ExecutionEnvironment;
  readonly #available: bigint;
  readonly #used: bigint | undefined;
  readonly #views: { subnetMemory: SubnetMemory; messageMemory: MessageMemory | undefined }[] = [];

  /** Reads the round's memory at the inner round's start (message memory measured now if not yet this round). */
  constructor(env: ExecutionEnvironment) {
    this.#env = env;
    this.#available = env.subnetMemory.available;
    const messageMemory = env.messageMemory;
    if (messageMemory) this.#used = messageMemory.used ??= messageMemory.measure();
  }

  /** The round's environment for one execution, with its own view of the memory. */
  environment(): ExecutionEnvironment {
    const used = this.#used;
    const subnetMemory = { available: this.#available, reservation: this.#env.subnetMemory.reservation };
    const shared = this.#env.messageMemory;
    const messageMemory = shared && used !== undefined ? { capacity: shared.capacity, measure: () => used, used } : undefined;
    this.#views.push({ subnetMemory, messageMemory });
    return { ...this.#env, subnetMemory, messageMemory };
  }

  /** Takes what every execution took (or gave back) into the round's memory: a sum, the same in any order. */
  merge(): void {
    let available = this.#available;
    let used = this.#used;
    for (const view of this.#views) {
      available += view.subnetMemory.available - this.#available;
      if (used !== undefined && view.messageMemory?.used !== undefined) used += view.messageMemory.used - this.#used!;
    }
    this.#env.subnetMemory.available = available;
    if (this.#env.messageMemory && used !== undefined) this.#env.messageMemory.used = used;
  }
}
