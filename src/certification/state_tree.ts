// The certified state tree of one subnet (interface spec, "The system state tree"):
//   /time
//   /request_status/<rid>/{status, reply, reject_code, reject_message, error_code}
//   /canister/<cid>/{canister_creation_timestamp, certified_data, controllers,
//                    last_install_timestamp, metadata/<name>, module_hash}
//   /subnet/<sid>/{canister_ranges, node/<nid>/public_key, public_key, type}
//   /canister_ranges/<sid>/<first canister id of the shard>
// Values: naturals as unsigned LEB128, text as UTF-8, principal lists and ranges as CBOR with the
// self-describe tag.
//
// The builder lives across rounds: request statuses and canisters are compared with what the
// previous build saw and only changed entries get new subtrees (see _incremental_forest.ts). The history the
// durable store keeps tells which of its entries changed, so a build costs what changed since the last one; any
// other history costs a scan of its entries plus the changed paths.
import { compareBytes, fromHex, utf8 } from './_bytes.ts';
import { IncrementalForest } from './_incremental_forest.ts';
import { encodeCbor } from './cbor_encode.ts';
import { labeled, leaf, type HashTree } from './hash_tree.ts';
import { balancedForks, buildHashTree, labeledLeaf, labeledNode, type LabeledTree } from './labeled_tree.ts';
import { uleb128 } from './leb128.ts';
import { canisterIdFromIndex } from './principal_ids.ts';
import { type ChangeReader, TrackedMap } from '../persistence/index.ts';
import type { CanisterState, IngressStatus, SubnetConfig, SubnetState } from '../state/index.ts';

/** A node of the subnet: its id and the Ed25519 key that signs its query responses. */
export interface SubnetNode {
  readonly nodeId: Uint8Array;
  /** 44-byte DER Ed25519 key. */
  readonly publicKeyDer: Uint8Array;
}

export type SubnetType = 'application' | 'system' | 'verified_application' | 'cloud_engine';

/** Another subnet of the network, as every subnet's state tree lists it (its nodes are left out). */
export interface PeerSubnet {
  readonly subnetId: Uint8Array;
  readonly publicKeyDer: Uint8Array;
  /** Canister index ranges, inclusive. */
  readonly ranges: readonly { readonly start: bigint; readonly end: bigint }[];
  readonly subnetType: SubnetType;
}

export interface StateTreeOptions {
  readonly nodes: readonly SubnetNode[];
  readonly subnetType?: SubnetType;
  /** The subnet's own public key when it is not the root key (a subnet of a network holding a delegation). */
  readonly publicKeyDer?: Uint8Array;
  /** The other subnets of the network: the root subnet's certificates vouch for their keys and ranges. */
  readonly peers?: readonly PeerSubnet[];
}

/** The label of a request id in `/request_status`: ids are kept as hex text in the ingress history. */
export function requestStatusLabel(messageId: string): Uint8Array {
  return /^(?:[0-9a-f]{2})+$/.test(messageId) ? fromHex(messageId) : utf8(messageId);
}

/** What a canister's subtree depends on; a new subtree is built only when one of these changes. */
interface CanisterInputs {
  readonly certifiedData: Uint8Array;
  readonly module: object | undefined;
  readonly controllers: string;
  readonly createdAt: bigint;
  readonly lastInstallAt: bigint | undefined;
}

export class StateTreeBuilder {
  readonly #options: StateTreeOptions;
  readonly #requests = new IncrementalForest();
  readonly #requestsSeen = new Map<string, IngressStatus>();
  /** What changed in the history since the last build, when it is a tracked one. */
  #requestChanges: { readonly history: SubnetState['ingress']; readonly reader: ChangeReader<string> } | undefined;
  readonly #canisters = new IncrementalForest();
  readonly #canistersSeen = new Map<string, CanisterInputs>();
  #static: { config: SubnetConfig; subnet: HashTree; ranges: HashTree } | undefined;
  readonly #labeledCache = new Map<string, HashTree>();

  constructor(options: StateTreeOptions) {
    this.#options = options;
  }

  /** The full state tree of `state` (unchanged parts are shared with the previous build). */
  build(state: SubnetState): HashTree {
    const fixed = this.#staticParts(state.config);
    return balancedForks([
      this.#labeledOnce('canister', this.#canisterLevel(state)),
      labeled('canister_ranges', fixed.ranges),
      this.#labeledOnce('request_status', this.#requestLevel(state)),
      labeled('subnet', fixed.subnet),
      labeled('time', leaf(uleb128(state.time))),
    ]);
  }

  /** Reuse the Labeled node (and its memoized digest) when the subtree object did not change. */
  #labeledOnce(label: string, subtree: HashTree): HashTree {
    const cached = this.#labeledCache.get(label);
    if (cached && cached.kind === 'labeled' && cached.subtree === subtree) return cached;
    const node = labeled(label, subtree);
    this.#labeledCache.set(label, node);
    return node;
  }

  #requestLevel(state: SubnetState): HashTree {
    const ingress = state.ingress;
    const changed = this.#changedRequests(ingress);
    if (changed) {
      for (const id of changed) {
        const status = ingress.get(id);
        if (status === undefined) {
          if (this.#requestsSeen.has(id)) this.#forgetRequest(id);
        } else if (this.#requestsSeen.get(id) !== status) this.#recordRequest(id, status);
      }
    } else if (!this.#followRequests(ingress)) this.#lookUpRequests(ingress);
    return this.#requests.tree();
  }

  /**
   * The ids the history changed since the last build; undefined when it cannot tell (it is not tracked, it is another
   * history than last time, or it was cleared), and the builder compares every entry.
   */
  #changedRequests(ingress: SubnetState['ingress']): string[] | undefined {
    if (!(ingress instanceof TrackedMap)) {
      this.#requestChanges = undefined;
      return undefined;
    }
    if (this.#requestChanges?.history !== ingress) {
      // Changes are read from now on; this build compares every entry.
      this.#requestChanges = { history: ingress, reader: (ingress as TrackedMap<string, IngressStatus>).reader() };
      return undefined;
    }
    const { cleared, keys } = this.#requestChanges.reader.take();
    return cleared ? undefined : keys;
  }

  /**
   * Brings the seen statuses up to the history by walking both side by side, without a lookup per entry (the history
   * may hold hundreds of thousands): both keep insertion order, a new status keeps its entry's place, new entries come
   * last, and an entry pruned from the history is one the walk meets in the seen ones only. False when the orders
   * differ (an entry deleted and added again, a history read back from disk): the entries seen so far are recorded.
   */
  #followRequests(ingress: SubnetState['ingress']): boolean {
    const seen = this.#requestsSeen.entries();
    let next = seen.next();
    for (const [id, status] of ingress) {
      while (!next.done && next.value[0] !== id) {
        if (ingress.has(next.value[0])) return false;
        this.#forgetRequest(next.value[0]);
        next = seen.next();
      }
      if (next.done) this.#recordRequest(id, status);
      else {
        if (next.value[1] !== status) this.#recordRequest(id, status);
        next = seen.next();
      }
    }
    for (; !next.done; next = seen.next()) this.#forgetRequest(next.value[0]);
    return true;
  }

  /** The same by looking every entry up: for histories whose order changed. */
  #lookUpRequests(ingress: SubnetState['ingress']): void {
    for (const [id, status] of ingress) {
      if (this.#requestsSeen.get(id) !== status) this.#recordRequest(id, status);
    }
    // Every id of the history is now seen, so more seen ids than history entries means pruned ones.
    if (this.#requestsSeen.size > ingress.size) {
      for (const id of [...this.#requestsSeen.keys()]) if (!ingress.has(id)) this.#forgetRequest(id);
    }
  }

  #recordRequest(id: string, status: IngressStatus): void {
    this.#requestsSeen.set(id, status);
    this.#requests.set(id, requestStatusLabel(id), requestStatusSubtree(status));
  }

  #forgetRequest(id: string): void {
    this.#requestsSeen.delete(id);
    this.#requests.delete(id);
  }

  #canisterLevel(state: SubnetState): HashTree {
    for (const [key, canister] of state.canisters) {
      const inputs = canisterInputs(canister);
      const seen = this.#canistersSeen.get(key);
      if (seen && sameInputs(seen, inputs)) continue;
      this.#canistersSeen.set(key, inputs);
      this.#canisters.set(key, canister.id.toUint8Array(), canisterSubtree(canister));
    }
    if (this.#canistersSeen.size > state.canisters.size) {
      for (const key of [...this.#canistersSeen.keys()]) {
        if (state.canisters.has(key)) continue;
        this.#canistersSeen.delete(key);
        this.#canisters.delete(key);
      }
    }
    return this.#canisters.tree();
  }

  #staticParts(config: SubnetConfig): { subnet: HashTree; ranges: HashTree } {
    if (this.#static?.config === config) return this.#static;
    const nodes = labeledNode(this.#options.nodes.map((n) => [n.nodeId, labeledNode([['public_key', labeledLeaf(n.publicKeyDer)]])] as const));
    const own: PeerSubnet = {
      subnetId: config.subnetId.toUint8Array(),
      publicKeyDer: this.#options.publicKeyDer ?? config.rootKeyDer,
      ranges: config.ranges,
      subnetType: this.#options.subnetType ?? 'application',
    };
    const subnets = [own, ...(this.#options.peers ?? [])].sort((a, b) => compareBytes(a.subnetId, b.subnetId));
    const subnet = buildHashTree(labeledNode(subnets.map((s) => [s.subnetId, subnetEntry(s, s === own ? nodes : undefined)] as const)));
    // One shard per subnet holding every range, labeled with its first canister id (spec ≥ 0.50).
    const shards = buildHashTree(
      labeledNode(
        subnets.map((s) => {
          const ranges = rangesValue(s.ranges);
          return [s.subnetId, labeledNode([[ranges.first, labeledLeaf(ranges.value)]])] as const;
        }),
      ),
    );
    this.#static = { config, subnet, ranges: shards };
    return this.#static;
  }
}

function subnetEntry(subnet: PeerSubnet, nodes: LabeledTree | undefined): LabeledTree {
  const children: [string, LabeledTree][] = [['canister_ranges', labeledLeaf(rangesValue(subnet.ranges).value)]];
  if (nodes) children.push(['node', nodes]);
  children.push(['public_key', labeledLeaf(subnet.publicKeyDer)], ['type', labeledLeaf(subnet.subnetType)]);
  return labeledNode(children);
}

function rangesValue(indexRanges: PeerSubnet['ranges']): { value: Uint8Array; first: Uint8Array } {
  const ranges = [...indexRanges]
    .map((r) => [canisterIdFromIndex(r.start), canisterIdFromIndex(r.end)] as const)
    .sort((a, b) => compareBytes(a[0], b[0]));
  return { value: encodeCbor(ranges, { selfDescribe: true }), first: ranges[0]?.[0] ?? canisterIdFromIndex(0n) };
}

function requestStatusSubtree(status: IngressStatus): HashTree {
  const children: [string, LabeledTree][] = [['status', labeledLeaf(status.status)]];
  if (status.status === 'replied') children.push(['reply', labeledLeaf(status.reply)]);
  if (status.status === 'rejected') {
    children.push(['reject_code', labeledLeaf(uleb128(status.code))], ['reject_message', labeledLeaf(status.message)]);
    if (status.errorCode) children.push(['error_code', labeledLeaf(status.errorCode)]);
  }
  return buildHashTree(labeledNode(children));
}

function controllersKey(canister: CanisterState): string {
  return canister.settings.controllers.map((p) => p.toHex()).sort().join(',');
}

function canisterInputs(canister: CanisterState): CanisterInputs {
  return {
    certifiedData: canister.certifiedData,
    module: canister.wasm?.module,
    controllers: controllersKey(canister),
    createdAt: canister.createdAt,
    lastInstallAt: canister.lastInstallAt,
  };
}

function sameInputs(a: CanisterInputs, b: CanisterInputs): boolean {
  return (
    a.module === b.module &&
    a.controllers === b.controllers &&
    a.createdAt === b.createdAt &&
    a.lastInstallAt === b.lastInstallAt &&
    a.certifiedData.length === b.certifiedData.length &&
    compareBytes(a.certifiedData, b.certifiedData) === 0
  );
}

function canisterSubtree(canister: CanisterState): HashTree {
  const controllers = canister.settings.controllers.map((p) => p.toUint8Array()).sort(compareBytes);
  const children: [string, LabeledTree][] = [
    ['canister_creation_timestamp', labeledLeaf(uleb128(canister.createdAt))],
    ['certified_data', labeledLeaf(canister.certifiedData)],
    ['controllers', labeledLeaf(encodeCbor(controllers, { selfDescribe: true }))],
  ];
  const module = canister.wasm?.module;
  if (module) {
    children.push(['module_hash', labeledLeaf(module.moduleHash)]);
    children.push(['metadata', labeledNode([...module.customSections].map(([name, s]) => [name, labeledLeaf(s.content)] as const))]);
    if (canister.lastInstallAt !== undefined) children.push(['last_install_timestamp', labeledLeaf(uleb128(canister.lastInstallAt))]);
  }
  return buildHashTree(labeledNode(children));
}
