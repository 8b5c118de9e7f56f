// Certifying the subnet's state once per round (interface spec, "Certification"): the state tree's
// root hash is signed with BLS over `\x0Dic-state-root ‖ root`. Every certificate handed out for
// that round — read_state answers, synchronous call answers, data certificates of queries — is the
// same tree pruned to what was asked, so they all share the round's one signature: pruning keeps
// the root hash.
import type { CertificateDelegation } from './certificate.ts';
import { concatBytes, fromHex } from './_bytes.ts';
import { BLS_SIGNATURE_LENGTH } from './bls.ts';
import { encodeCbor } from './cbor_encode.ts';
import { CborEncoded } from './cbor_value.ts';
import { delegationCbor } from './delegation.ts';
import { encodeHashTree, reconstruct, type HashTree, type TreePath } from './hash_tree.ts';
import { pruneHashTree } from './hash_tree_prune.ts';
import type { CertificateSigner } from './signer.ts';
import { StateTreeBuilder, type StateTreeOptions } from './state_tree.ts';
import type { SubnetState } from '../state/index.ts';

/** The certified state of one round. */
export interface CertifiedState {
  /** The round (block height) it certifies. */
  readonly height: bigint;
  readonly time: bigint;
  readonly tree: HashTree;
  readonly rootHash: Uint8Array;
  readonly signature: Uint8Array;
}

export interface StateCertifierOptions extends StateTreeOptions {
  readonly signer: CertificateSigner;
}

/** Counters for benchmarks: how often and how long the certifier signed. */
export interface CertifierStats {
  signatures: number;
  signingMs: number;
  treeMs: number;
}

export class StateCertifier {
  readonly #builder: StateTreeBuilder;
  readonly #signer: CertificateSigner;
  #latest: CertifiedState | undefined;
  /** The latest round's certification while its signature is computed in the background. */
  #signing: { readonly height: bigint; readonly time: bigint; readonly certified: Promise<CertifiedState> } | undefined;
  /** The signature callers for rounds after the one being signed wait for. */
  #next: Promise<CertifiedState> | undefined;
  readonly stats: CertifierStats = { signatures: 0, signingMs: 0, treeMs: 0 };

  constructor(options: StateCertifierOptions) {
    this.#builder = new StateTreeBuilder(options);
    this.#signer = options.signer;
  }

  /** The certification of `state` as it is now; built and signed at most once per round. */
  certify(state: SubnetState): CertifiedState {
    const latest = this.#latest;
    if (latest && latest.height === state.round && latest.time === state.time) return latest;
    const t0 = performance.now();
    const tree = this.#builder.build(state);
    const rootHash = reconstruct(tree);
    const t1 = performance.now();
    const signature = latest && equalHashes(latest.rootHash, rootHash) ? latest.signature : this.#signer.signStateRoot(rootHash);
    const t2 = performance.now();
    this.stats.treeMs += t1 - t0;
    if (signature !== latest?.signature) {
      this.stats.signatures++;
      this.stats.signingMs += t2 - t1;
    }
    this.#latest = { height: state.round, time: state.time, tree, rootHash, signature };
    return this.#latest;
  }

  /**
   * The same certification, signed off the event loop's thread when the signer can. One signature is computed at a
   * time: callers for the round being signed share it, and callers for later rounds share the next one, of the state
   * as it is once the signer is free. That certifies a later round than they asked for, which holds everything the
   * earlier one did (terminal request statuses stay until they expire), so signing costs one signature per busy
   * period of the signer however many rounds and requests it covers. `check` throws if the state may not be certified
   * when the deferred signature starts.
   */
  certifyInBackground(state: SubnetState, check?: () => void): Promise<CertifiedState> {
    const latest = this.#latest;
    const background = this.#signer.signStateRootInBackground;
    if (!background || (latest && latest.height === state.round && latest.time === state.time)) return Promise.resolve(this.certify(state));
    const signing = this.#signing;
    if (!signing) return this.#signInBackground(state, background);
    if (signing.height === state.round && signing.time === state.time) return signing.certified;
    this.#next ??= signing.certified.then(() => {
      this.#next = undefined;
      check?.();
      return this.certifyInBackground(state, check);
    });
    return this.#next;
  }

  #signInBackground(state: SubnetState, background: (rootHash: Uint8Array) => Promise<Uint8Array>): Promise<CertifiedState> {
    const latest = this.#latest;
    const t0 = performance.now();
    const tree = this.#builder.build(state);
    const rootHash = reconstruct(tree);
    this.stats.treeMs += performance.now() - t0;
    if (latest && equalHashes(latest.rootHash, rootHash)) return Promise.resolve(this.#keep({ height: state.round, time: state.time, tree, rootHash, signature: latest.signature }));
    const { round: height, time } = state;
    const certified = background(rootHash).then((signature) => {
      this.stats.signatures++;
      if (this.#signing?.certified === certified) this.#signing = undefined;
      return this.#keep({ height, time, tree, rootHash, signature });
    });
    this.#signing = { height, time, certified };
    return certified;
  }

  /** Records `certified` as the latest certification unless a later round was certified meanwhile. */
  #keep(certified: CertifiedState): CertifiedState {
    const latest = this.#latest;
    if (!latest || latest.height < certified.height || (latest.height === certified.height && latest.time <= certified.time)) this.#latest = certified;
    return certified;
  }

  /** An encoded certificate (tag 55799 `{tree, signature, delegation?}`) revealing `paths` and `/time`. */
  certificate(certified: CertifiedState, paths: readonly TreePath[], delegation?: CertificateDelegation): Uint8Array {
    const tree = encodeHashTree(pruneHashTree(certified.tree, [['time'], ...paths]));
    const { signature } = certified;
    // Every call answer carries one: without a delegation, its bytes are put together directly.
    if (!delegation && signature.length === BLS_SIGNATURE_LENGTH) return concatBytes(CERTIFICATE_START, tree, SIGNATURE_FIELD, signature);
    return encodeCbor({ tree: new CborEncoded(tree), signature, delegation: delegationCbor(delegation) }, { selfDescribe: true });
  }
}

/** Tag 55799, a map of two entries, the text "tree"; then the tree. */
const CERTIFICATE_START = fromHex('d9d9f7a26474726565');
/** The text "signature" and the head of a 48-byte byte string; then the signature. */
const SIGNATURE_FIELD = fromHex('697369676e61747572655830');

function equalHashes(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return false;
  return true;
}
