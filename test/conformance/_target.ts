// Where the conformance suite runs: `CAPSULE_TARGET=http` sends every canister-facing operation
// through Capsule's HTTP interface (signed CBOR requests, see _http_subnet.ts); anything else (the
// default) drives the library in-process. Both targets offer the same `Subnet` surface, so the
// test files are the same for both.
import { after } from 'node:test';
import { CallError, Capsule, Principal } from '../../src/api/index.ts';
import { TestKey } from '../http/_envelopes.ts';
import { closeAll, HttpSubnet, type Submission } from './_http_subnet.ts';
import { replicaOf } from '../../src/api/testing.ts';
import type { Replica } from '../../src/replica/index.ts';

export type TargetKind = 'in-process' | 'http';
export const TARGET: TargetKind = process.env.CAPSULE_TARGET === 'http' ? 'http' : 'in-process';
// At import time (the top level of a test file), so that the hook belongs to the file's root test.
if (TARGET === 'http') after(closeAll);

/** Ed25519 keys of the suite's two users: over HTTP their requests are signed with them. */
export const USER_KEY = new TestKey(new Uint8Array(32).fill(1));
export const OTHER_KEY = new TestKey(new Uint8Array(32).fill(2));

/** What the tests may use of a subnet (the library's Capsule, or its HTTP stand-in). */
export type Subnet = Pick<
  Capsule,
  | 'subnetId'
  | 'rootKey'
  | 'createCanister'
  | 'installCode'
  | 'updateCall'
  | 'queryCall'
  | 'callManagement'
  | 'addCycles'
  | 'advanceTime'
  | 'setTime'
  | 'tick'
  | 'getTime'
  | 'getCycleBalance'
  | 'canisterLogs'
  | 'stateHash'
  | 'close'
>;

// The HTTP stand-in must keep offering the whole surface.
const httpSubnetIsASubnet = (s: HttpSubnet): Subnet => s;
void httpSubnetIsASubnet;

export async function newSubnet(costSchedule: 'free' | 'application'): Promise<Subnet> {
  // The suite checks the spec's bounds (a memory allocation of up to 2^48 bytes is valid); the replica's
  // 2 TiB subnet would refuse that much, so these subnets are given room for it.
  const capsule = await Capsule.create({ costSchedule, seed: new Uint8Array(32).fill(7), time: 1_700_000_000_000_000_000n, subnetMemoryCapacity: 2n ** 50n });
  if (TARGET === 'in-process') return capsule;
  return HttpSubnet.start(capsule, [USER_KEY, OTHER_KEY]);
}

/** Queues an ingress message without running rounds; its message id (a CallError if refused up front). */
export function submitIngress(c: Subnet, submission: Submission): string {
  if (c instanceof HttpSubnet) return c.submit(submission);
  const id = replicaOf(c as Capsule).submit(submission);
  if (typeof id !== 'string') throw new CallError(id.rejectCode, id.message, id.errorCode);
  return id;
}

/** The replica behind a subnet of either target. */
export function subnetReplica(c: Subnet): Replica {
  return c instanceof HttpSubnet ? c.replica : replicaOf(c as Capsule);
}

export function principalOf(key: TestKey): Principal {
  return Principal.fromUint8Array(key.principal);
}

/**
 * Over HTTP, a deterministic sample instead of every case (CAPSULE_HTTP_SAMPLE=n > 1, as `npm test`
 * does): wasm32 only, and every nth case of the large matrices. The in-process run and
 * `npm run test:conformance:http` run everything; the HTTP layer does not depend on the width.
 */
export const HTTP_SAMPLE: number = sampleOf(process.env.CAPSULE_HTTP_SAMPLE);

function sampleOf(value: string | undefined): number {
  const n = Number(value ?? 1);
  return TARGET === 'http' && Number.isInteger(n) && n > 1 ? n : 1;
}

/** Whether the case with this index runs (every case unless sampling over HTTP). */
export function inSample(index: number): boolean {
  return index % HTTP_SAMPLE === 0;
}
