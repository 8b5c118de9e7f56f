// The HTTP side of the conformance suite's `http` target: signed CBOR requests to a Capsule HTTP
// server (interface spec, "HTTPS Interface"), built with the hand-made envelopes of the protocol
// tests. Update calls go to the synchronous v4 endpoint (the certificate is verified against the
// root key of /api/v2/status and the request status read from it; 202 → poll read_state), queries
// to v3 (the node signature is checked), fire-and-forget submissions to v2. Rejects become the
// library's CallError; any other answer (4xx, 5xx, malformed bodies) an HttpStatusError or Error.
import { setTimeout as sleep } from 'node:timers/promises';
import { CallError, Principal } from '../../src/api/index.ts';
import {
  decodeCbor,
  decodeCertificate,
  decodeUleb128,
  isCborMap,
  lookupPath,
  requestIdOf,
  toHex,
  verifyCertificate,
  verifyQueryResponse,
  type CborMap,
  type Certificate,
  type HashTree,
} from '../../src/certification/index.ts';
import { type Answer, callContent, type Content, envelope, post, readStateContent, type TestKey } from '../http/_envelopes.ts';

/** A non-2xx answer (or a 2xx the client cannot use): tests that expect a CallError fail on it. */
export class HttpStatusError extends Error {
  readonly status: number;
  readonly body: string;
  constructor(status: number, body: string, what: string) {
    super(`HTTP ${status} from ${what}: ${body}`);
    this.name = 'HttpStatusError';
    this.status = status;
    this.body = body;
  }
}

export interface HttpRequestSpec {
  readonly canisterId: Principal;
  /** The effective canister id of the URL. */
  readonly ecid: Principal;
  readonly method: string;
  readonly arg: Uint8Array;
  readonly sender: Principal;
}

export interface HttpClientOptions {
  readonly url: string;
  /** Keys of the principals the client can sign for (by principal text). */
  readonly keys: ReadonlyMap<string, TestKey>;
  /** The replica's time (ns): ingress expiry and certificate freshness are judged by it. */
  readonly now: () => bigint;
  /** The subnet whose node signs query answers. */
  readonly subnetId: Principal;
  /**
   * Check the BLS signature of every certificate (1, the default) or of the 1st, (N+1)th, … only;
   * the others are decoded and read without the ~20 ms pairing check.
   */
  readonly verifyEvery?: number;
}

const MINUTE_NS = 60_000_000_000n;
/** How long a 202 is polled through read_state before the call is given up. */
const POLL_LIMIT_MS = 20_000;
const text = new TextDecoder();

export class HttpClient {
  readonly #options: HttpClientOptions;
  readonly #rootKey: Uint8Array;
  readonly #nodeKeys = new Map<string, Uint8Array>();
  readonly counters = { calls: 0, queries: 0, submissions: 0, polls: 0, certificates: 0, verified: 0 };

  private constructor(options: HttpClientOptions, rootKey: Uint8Array) {
    this.#options = options;
    this.#rootKey = rootKey;
  }

  /** Fetches the root key from `GET /api/v2/status`. */
  static async connect(options: HttpClientOptions): Promise<HttpClient> {
    const response = await fetch(`${options.url}/api/v2/status`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (response.status !== 200) throw new HttpStatusError(response.status, text.decode(bytes), 'GET /api/v2/status');
    const status = decodeCbor(bytes);
    const rootKey = isCborMap(status) ? status.get('root_key') : undefined;
    if (!(rootKey instanceof Uint8Array)) throw new Error('GET /api/v2/status: no root_key');
    return new HttpClient(options, rootKey);
  }

  get rootKey(): Uint8Array {
    return this.#rootKey;
  }

  /** A synchronous v4 update call; the reply, or a CallError. */
  async call(spec: HttpRequestSpec): Promise<Uint8Array> {
    this.counters.calls++;
    const { content, body } = this.#envelope('call', spec);
    const requestId = requestIdOf(content);
    const answer = await post(this.#options.url, `/api/v4/canister/${spec.ecid.toText()}/call`, body);
    if (answer.status === 202) return this.#poll(spec, requestId);
    const map = expectCbor(answer, `call ${spec.method}`);
    const status = map.get('status');
    if (status === 'non_replicated_rejection') throw rejectOf(map, `call ${spec.method}`);
    if (status !== 'replied') throw new HttpStatusError(answer.status, `unexpected status ${String(status)}`, `call ${spec.method}`);
    const certificate = this.#verify(map.get('certificate'), spec);
    const result = statusOf(certificate.tree, requestId);
    return result === 'pending' ? this.#poll(spec, requestId) : result();
  }

  /**
   * A v2 call (202 expected): returns the request id at once (it is computed here) and a promise
   * that settles when the server answered; a refusal or an HTTP error rejects it.
   */
  submit(spec: HttpRequestSpec): { messageId: string; sent: Promise<void> } {
    this.counters.submissions++;
    const { content, body } = this.#envelope('call', spec);
    const messageId = toHex(requestIdOf(content));
    const sent = post(this.#options.url, `/api/v2/canister/${spec.ecid.toText()}/call`, body).then((answer) => {
      if (answer.status === 202) return;
      if (answer.status === 200) throw rejectOf(expectCbor(answer, `submit ${spec.method}`), `submit ${spec.method}`);
      throw new HttpStatusError(answer.status, answer.text(), `submit ${spec.method}`);
    });
    return { messageId, sent };
  }

  /** A v3 query; the node's signature over the response is checked. */
  async query(spec: HttpRequestSpec): Promise<Uint8Array> {
    this.counters.queries++;
    const { content, body } = this.#envelope('query', spec);
    const answer = await post(this.#options.url, `/api/v3/canister/${spec.ecid.toText()}/query`, body);
    const map = expectCbor(answer, `query ${spec.method}`);
    await this.#checkQuerySignature(map, requestIdOf(content), spec);
    const status = map.get('status');
    if (status === 'rejected') throw rejectOf(map, `query ${spec.method}`);
    const reply = map.get('reply');
    const arg = isCborMap(reply) ? reply.get('arg') : undefined;
    if (status !== 'replied' || !(arg instanceof Uint8Array)) throw new HttpStatusError(answer.status, `unexpected query answer (status ${String(status)})`, `query ${spec.method}`);
    return arg;
  }

  /** A verified read_state certificate revealing `paths` (through the canister endpoint of `ecid`). */
  async readState(ecid: Principal, paths: (Uint8Array | string)[][], sender: Principal): Promise<Certificate> {
    const content = readStateContent(paths, sender.toUint8Array(), { ingress_expiry: this.#expiry() });
    const answer = await post(this.#options.url, `/api/v3/canister/${ecid.toText()}/read_state`, this.#sign(content, sender));
    return this.#verify(expectCbor(answer, 'read_state').get('certificate'), { canisterId: ecid });
  }

  #envelope(type: 'call' | 'query', spec: HttpRequestSpec): { content: Content; body: Uint8Array } {
    const content = callContent(type, spec.canisterId.toUint8Array(), spec.method, spec.arg, spec.sender.toUint8Array(), { ingress_expiry: this.#expiry() });
    return { content, body: this.#sign(content, spec.sender) };
  }

  #sign(content: Content, sender: Principal): Uint8Array {
    if (sender.isAnonymous()) return envelope(content);
    const key = this.#options.keys.get(sender.toText());
    if (!key) throw new Error(`the http target has no key for sender ${sender.toText()} (only the harness's users can sign)`);
    return envelope(content, key);
  }

  #expiry(): bigint {
    return this.#options.now() + 4n * MINUTE_NS;
  }

  #verify(bytes: unknown, spec: { canisterId: Principal }): Certificate {
    if (!(bytes instanceof Uint8Array)) throw new Error('the answer has no certificate');
    this.counters.certificates++;
    const every = this.#options.verifyEvery ?? 1;
    if (every > 1 && this.counters.certificates % every !== 1) return decodeCertificate(bytes);
    this.counters.verified++;
    const result = verifyCertificate(bytes, this.#rootKey, { now: this.#options.now(), canisterId: spec.canisterId.toUint8Array() });
    if (!result.ok) throw new Error(`certificate does not verify: ${result.message}`);
    return result.certificate;
  }

  async #poll(spec: HttpRequestSpec, requestId: Uint8Array): Promise<Uint8Array> {
    const deadline = performance.now() + POLL_LIMIT_MS;
    while (performance.now() < deadline) {
      this.counters.polls++;
      const certificate = await this.readState(spec.ecid, [['request_status', requestId]], spec.sender);
      const result = statusOf(certificate.tree, requestId);
      if (result !== 'pending') return result();
      await sleep(5);
    }
    throw new Error(`call ${spec.method} (request 0x${toHex(requestId)}) did not complete within ${POLL_LIMIT_MS} ms`);
  }

  async #checkQuerySignature(map: CborMap, requestId: Uint8Array, spec: HttpRequestSpec): Promise<void> {
    const signatures = map.get('signatures');
    const first = Array.isArray(signatures) ? signatures[0] : undefined;
    if (!isCborMap(first)) throw new Error(`query ${spec.method}: the answer has no node signature`);
    const identity = first.get('identity');
    const signature = first.get('signature');
    const timestamp = first.get('timestamp');
    if (!(identity instanceof Uint8Array) || !(signature instanceof Uint8Array) || typeof timestamp !== 'bigint') {
      throw new Error(`query ${spec.method}: malformed node signature`);
    }
    // The node signs the answer without `signatures`, with the timestamp and the request id.
    const signed = new Map(map);
    signed.delete('signatures');
    signed.set('timestamp', timestamp);
    signed.set('request_id', requestId);
    const key = await this.#nodeKey(identity, spec.ecid);
    if (!verifyQueryResponse(signature, signed, key)) throw new Error(`query ${spec.method}: the node signature does not verify`);
  }

  /** The node's public key, read once from the certified `/subnet/<sid>/node/<nid>/public_key`. */
  async #nodeKey(nodeId: Uint8Array, ecid: Principal): Promise<Uint8Array> {
    const known = this.#nodeKeys.get(toHex(nodeId));
    if (known) return known;
    const path = ['subnet', this.#options.subnetId.toUint8Array(), 'node', nodeId, 'public_key'];
    const certificate = await this.readState(ecid, [path], Principal.anonymous());
    const found = lookupPath(path, certificate.tree);
    if (found.status !== 'found') throw new Error(`node ${toHex(nodeId)} is not listed in the certified subnet state`);
    this.#nodeKeys.set(toHex(nodeId), found.value);
    return found.value;
  }
}

function expectCbor(answer: Answer, what: string): CborMap {
  if (answer.status !== 200) throw new HttpStatusError(answer.status, answer.text(), what);
  try {
    return answer.cbor();
  } catch (e) {
    throw new HttpStatusError(answer.status, `not a CBOR map: ${(e as Error).message}`, what);
  }
}

function rejectOf(map: CborMap, what: string): CallError {
  const code = map.get('reject_code');
  const message = map.get('reject_message');
  const errorCode = map.get('error_code');
  if (typeof code !== 'bigint' || typeof message !== 'string') throw new Error(`${what}: malformed reject ${JSON.stringify([...map.keys()])}`);
  return new CallError(Number(code), message, typeof errorCode === 'string' && errorCode !== '' ? errorCode : undefined);
}

/** The request's outcome in a certificate: a thunk that returns the reply or throws the reject. */
function statusOf(tree: HashTree, requestId: Uint8Array): 'pending' | (() => Uint8Array) {
  const field = (name: string): Uint8Array | undefined => {
    const found = lookupPath(['request_status', requestId, name], tree);
    return found.status === 'found' ? found.value : undefined;
  };
  const status = field('status');
  const statusText = status && text.decode(status);
  if (statusText === 'replied') {
    const reply = field('reply');
    if (!reply) throw new Error('replied request without a certified reply');
    return () => reply;
  }
  if (statusText === 'rejected') {
    const code = Number(decodeUleb128(field('reject_code') ?? new Uint8Array([0])));
    const message = text.decode(field('reject_message') ?? new Uint8Array());
    const errorCode = field('error_code');
    return () => {
      throw new CallError(code, message, errorCode && errorCode.length > 0 ? text.decode(errorCode) : undefined);
    };
  }
  if (statusText === 'done') throw new Error(`request 0x${toHex(requestId)} is done: its answer was pruned`);
  return 'pending';
}
