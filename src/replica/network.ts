// A network of subnets, one Replica each, as PocketIC runs them: a routing table from canister ids
// to subnets, messages between subnets carried by each subnet's streams (state/xnet.ts), and
// certificates of every subnet but the root one carrying the root subnet's delegation. Its layout is
// recorded in the state directory, so a reopened network rebuilds the same subnets.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CertificateDelegation, delegationPaths, type PeerSubnet } from '../certification/index.ts';
import { DurableStore, type StoreOptions } from '../persistence/index.ts';
import type { XNetRound } from '../scheduler/index.ts';
import { canisterIndexOf, dropInducted, type InstructionLimits, markInducted, nextInducted, type Principal, streamTowards } from '../state/index.ts';
import type { CostScheduleName, SubnetPlacement } from './defaults.ts';
import { type OpenedReplica, openReplica } from './open.ts';
import type { Replica } from './replica.ts';
import { deriveBytes } from './subnet.ts';
import { decodeLayout, encodeLayout, type NetworkLayout } from './network_layout.ts';

export interface NetworkSubnetSpec {
  placement: Omit<SubnetPlacement, 'rootKeyDer'>;
  costSchedule: CostScheduleName;
  instructionLimits: Partial<InstructionLimits>;
  /** What the front end wants to remember about the subnet (PocketIC: its kind); kept in the layout. */
  label: string;
}

export interface NetworkOptions {
  /** The network's seed: each subnet's keys and randomness derive from it and the subnet's place. */
  seed: Uint8Array;
  time: bigint;
  /** The subnets; the first is the root subnet, which holds the root key. */
  subnets: NetworkSubnetSpec[];
  /** Keep each subnet's state in a sub-directory of this directory; an existing layout there wins over `subnets`. */
  stateDir?: string;
  store?: StoreOptions;
}

/** The layout file of a network's state directory. */
export const LAYOUT_FILE = 'network.json';

type Route = ReturnType<XNetRound['route']>;

export class Network {
  /** The subnets in the order they were given: the root subnet first. */
  readonly subnets: readonly Replica[];
  readonly specs: readonly NetworkSubnetSpec[];
  readonly seed: Uint8Array;
  /** Whether the subnets were restored from a state directory. */
  readonly restored: boolean;
  readonly #opened: OpenedReplica[] = [];
  /** Inclusive index ranges, sorted by start, with the subnet hosting each. */
  readonly #routes: { start: bigint; end: bigint; replica: Replica }[] = [];
  /** PocketIC ticks its subnets in the order of their ids. */
  readonly #tickOrder: Replica[];
  #delegations = new Map<Replica, { round: bigint; delegation: CertificateDelegation }>();

  constructor(options: NetworkOptions) {
    const layout = readLayout(options);
    this.seed = layout.seed;
    this.specs = layout.subnets;
    this.restored = layout.restored;
    try {
      for (const [index, spec] of layout.subnets.entries()) this.#opened.push(this.#open(options, layout, spec, index));
    } catch (error) {
      for (const opened of this.#opened) opened.close();
      throw error;
    }
    this.subnets = this.#opened.map((opened) => opened.replica);
    for (const replica of this.subnets) for (const range of replica.state.config.ranges) this.#routes.push({ ...range, replica });
    this.#routes.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    this.#tickOrder = [...this.subnets].sort((a, b) => compareIds(a.state.config.subnetId, b.state.config.subnetId));
    for (const [index, replica] of this.subnets.entries()) this.#join(replica, index === 0);
    if (options.stateDir !== undefined && !layout.restored) writeFileSync(join(options.stateDir, LAYOUT_FILE), encodeLayout(layout));
  }

  get root(): Replica {
    return this.subnets[0]!;
  }

  /** The subnet whose ranges hold `canisterId`, if any. */
  subnetOf(canisterId: Principal): Replica | undefined {
    const index = canisterIndexOf(canisterId);
    if (index === undefined) return undefined;
    return this.#routes.find((route) => index >= route.start && index <= route.end)?.replica;
  }

  /** The subnet with this id. */
  subnet(subnetId: Principal): Replica | undefined {
    return this.subnets.find((replica) => replica.state.config.subnetId.toHex() === subnetId.toHex());
  }

  /**
   * One round on every subnet, in the order of their ids. Each round inducts what the other subnets
   * sent so far, as PocketIC's subnets pull their peers' latest certified streams before a round.
   */
  tick(time?: bigint): void {
    for (const replica of this.#tickOrder) {
      this.#dropInducted(replica);
      const inbound = this.#inbound(replica);
      replica.round(time, { inbound, route: (id) => this.#route(replica, id) });
    }
  }

  /** The next slice of every paused execution, subnet after subnet, before the next tick. */
  async runSlices(): Promise<void> {
    for (const replica of this.subnets) await replica.runOwnSlices();
  }

  hasWork(): boolean {
    if (this.subnets.some((replica) => replica.hasOwnWork())) return true;
    return this.subnets.some((destination) => this.subnets.some((source) => this.#pending(source, destination) > 0));
  }

  /** Each subnet's state hash, by subnet id text, in the order of the subnets. */
  stateHashes(): Record<string, string> {
    return Object.fromEntries(this.subnets.map((replica) => [replica.state.config.subnetId.toText(), replica.stateHash()]));
  }

  /** Writes a checkpoint of every subnet that ran rounds since its last one and releases the directories. */
  close(): void {
    for (const opened of this.#opened) opened.close();
  }

  #open(options: NetworkOptions, layout: NetworkLayout, spec: NetworkSubnetSpec, index: number): OpenedReplica {
    const stateDir = options.stateDir === undefined ? undefined : join(options.stateDir, `subnet-${index}`);
    const rootKeyDer = index === 0 ? undefined : this.#opened[0]!.replica.rootKey.publicKeyDer;
    return openReplica({
      seed: deriveBytes(layout.seed, `capsule subnet ${index}`),
      time: options.time,
      costSchedule: spec.costSchedule,
      instructionLimits: spec.instructionLimits,
      subnet: { ...spec.placement, rootKeyDer },
      stateDir,
      store: options.store,
    });
  }

  #join(replica: Replica, isRoot: boolean): void {
    const peers: PeerSubnet[] = this.subnets.filter((other) => other !== replica).map(peerOf);
    replica.joinNetwork({
      peers,
      delegation: isRoot ? undefined : () => this.#delegation(replica),
      tick: (time) => this.tick(time),
      hasWork: () => this.hasWork(),
      hasPausedExecutions: () => this.subnets.some((subnet) => subnet.hasOwnPausedExecutions()),
      runSlices: () => this.runSlices(),
    });
  }

  /** The root subnet's certificate for `replica`'s key and ranges, renewed once per root round. */
  #delegation(replica: Replica): CertificateDelegation {
    const root = this.root;
    const cached = this.#delegations.get(replica);
    if (cached && cached.round === root.state.round) return cached.delegation;
    const subnetId = replica.state.config.subnetId.toUint8Array();
    const delegation = { subnetId, certificate: root.certificate(delegationPaths(subnetId)) };
    this.#delegations.set(replica, { round: root.state.round, delegation });
    return delegation;
  }

  #route(from: Replica, canisterId: Principal): Route {
    const host = this.subnetOf(canisterId);
    if (!host) return { kind: 'nowhere' };
    if (host === from) return { kind: 'here' };
    return { kind: 'elsewhere', subnet: host.state.config.subnetId };
  }

  /** Messages `source` sent `destination` that it has not inducted yet. */
  #pending(source: Replica, destination: Replica): number {
    if (source === destination) return 0;
    const stream = streamTowards(source.state, destination.state.config.subnetId);
    if (!stream) return 0;
    const next = nextInducted(destination.state, source.state.config.subnetId);
    return Number(stream.begin + BigInt(stream.messages.length) - next);
  }

  /** The messages the other subnets sent `destination` since its last round; records them inducted. */
  #inbound(destination: Replica): XNetRound['inbound'] {
    const inbound: XNetRound['inbound'] = [];
    const destinationId = destination.state.config.subnetId;
    for (const source of this.#tickOrder) {
      const count = this.#pending(source, destination);
      if (count <= 0) continue;
      const stream = streamTowards(source.state, destinationId)!;
      inbound.push(...stream.messages.slice(stream.messages.length - count));
      markInducted(destination.state, source.state.config.subnetId, stream.begin + BigInt(stream.messages.length));
    }
    return inbound;
  }

  /** Drops from `source`'s streams what their destinations have inducted. */
  #dropInducted(source: Replica): void {
    for (const stream of source.state.xnet?.streams ?? []) {
      const destination = this.subnet(stream.subnet);
      if (destination) dropInducted(source.state, stream.subnet, nextInducted(destination.state, source.state.config.subnetId));
    }
  }
}

function peerOf(replica: Replica): PeerSubnet {
  const config = replica.state.config;
  return { subnetId: config.subnetId.toUint8Array(), publicKeyDer: replica.rootKey.publicKeyDer, ranges: config.ranges, subnetType: replica.subnetType };
}

function compareIds(a: Principal, b: Principal): number {
  const x = a.toHex();
  const y = b.toHex();
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The layout to build: the one recorded in the state directory, else the one asked for (recorded later). */
function readLayout(options: NetworkOptions): NetworkLayout {
  if (options.stateDir === undefined) return { seed: options.seed, subnets: options.subnets, restored: false };
  mkdirSync(options.stateDir, { recursive: true });
  const file = join(options.stateDir, LAYOUT_FILE);
  if (!existsSync(file)) {
    // A lone subnet's directory (capsule start, or a PocketIC instance of an earlier version) is left untouched.
    if (DurableStore.holdsState(options.stateDir)) throw new Error(`${options.stateDir} holds the state of a lone subnet, not of a network of subnets (${LAYOUT_FILE}); use another directory`);
    return { seed: options.seed, subnets: options.subnets, restored: false };
  }
  return { ...decodeLayout(readFileSync(file, 'utf8'), file), restored: true };
}
