// Fuzzing the HTTP interface of a real `capsule start`: a few thousand random byte strings, mutated
// valid envelopes and randomly shaped CBOR envelopes against every endpoint, in bounded time. The
// server must answer each with a 2xx/4xx (never 5xx, never a dropped connection), log no internal
// error, keep serving, and keep its state: the one valid update among the bases was submitted
// before the fuzzing, so a mutation that happens to re-encode it is a replay, not a new call.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import { encodeCbor, type CborEncodable } from '../../src/certification/index.ts';
import { anonymous, callContent, certifiedValue, EMPTY_ARG, envelope, expiryIn, post, readStateContent, TestKey } from './_envelopes.ts';
import { deployMotoko, IN_RANGE } from './_deploy.ts';
import { startServer, type ServerProcess } from './_server.ts';

const BODIES = 3000;
const CONCURRENCY = 32;
const TIME_BUDGET_MS = 25_000;

let server: ServerProcess;
const owner = new TestKey();
let counter: Principal;

/** A small deterministic PRNG (xorshift32) so a failing run can be reproduced from its seed. */
function prng(seed: number): () => number {
  let x = seed || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!;
}

function randomBytesOf(rand: () => number, max: number): Uint8Array {
  const out = new Uint8Array(Math.floor(rand() * max));
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(rand() * 256);
  return out;
}

function mutate(rand: () => number, base: Uint8Array): Uint8Array {
  const bytes = Array.from(base);
  const edits = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(rand() * bytes.length);
    const kind = Math.floor(rand() * 5);
    if (kind === 0) bytes[at] = Math.floor(rand() * 256);
    else if (kind === 1) bytes[at]! ^= 1 << Math.floor(rand() * 8);
    else if (kind === 2) bytes.splice(at, 1 + Math.floor(rand() * 8));
    else if (kind === 3) bytes.splice(at, 0, ...randomBytesOf(rand, 8));
    else bytes.length = at;
  }
  return Uint8Array.from(bytes);
}

function randomValue(rand: () => number, depth: number): CborEncodable {
  const choices: (() => CborEncodable)[] = [
    () => BigInt(Math.floor(rand() * 2 ** 40)),
    () => -BigInt(Math.floor(rand() * 1000)),
    () => randomBytesOf(rand, 40),
    () => pick(rand, ['call', 'query', 'read_state', 'get', 'whoami', '', 'x'.repeat(100)]),
    () => rand() < 0.5,
    () => null,
    () => rand() * 1e6,
    () => (depth > 3 ? [] : Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(rand, depth + 1))),
    () => (depth > 3 ? {} : randomMap(rand, depth + 1)),
  ];
  return pick(rand, choices)();
}

function randomMap(rand: () => number, depth: number): Record<string, CborEncodable> {
  const keys = ['content', 'request_type', 'canister_id', 'method_name', 'arg', 'sender', 'ingress_expiry', 'nonce', 'paths', 'sender_pubkey', 'sender_sig', 'sender_delegation', 'delegation', 'pubkey', 'expiration', 'targets', 'zz'];
  const out: Record<string, CborEncodable> = {};
  for (let i = Math.floor(rand() * 6); i > 0; i--) out[pick(rand, keys)] = randomValue(rand, depth);
  return out;
}

/** An envelope of plausible shape with random field values (anonymous, so mostly well-typed nonsense). */
function plausibleEnvelope(rand: () => number): Uint8Array {
  const type = pick(rand, ['call', 'query', 'read_state']);
  const content: Record<string, CborEncodable> = {
    request_type: type,
    sender: rand() < 0.7 ? anonymous() : randomBytesOf(rand, 30),
    ingress_expiry: rand() < 0.5 ? expiryIn(2) : randomValue(rand, 3),
  };
  if (type === 'read_state') content.paths = rand() < 0.5 ? [[new TextEncoder().encode('time')]] : randomValue(rand, 2);
  else {
    content.canister_id = pick(rand, [counter.toUint8Array(), new Uint8Array(0), randomBytesOf(rand, 12)]);
    content.method_name = pick(rand, ['get', 'whoami', 'canister_status', 'nope']);
    content.arg = rand() < 0.5 ? EMPTY_ARG : randomBytesOf(rand, 64);
  }
  const extra = rand() < 0.3 ? randomMap(rand, 2) : {};
  return encodeCbor({ ...extra, content }, { selfDescribe: rand() < 0.5 });
}

function endpoints(): string[] {
  const c = counter.toText();
  return [
    `/api/v2/canister/${c}/call`,
    `/api/v3/canister/${c}/call`,
    `/api/v4/canister/${c}/call`,
    `/api/v2/canister/${c}/query`,
    `/api/v3/canister/${c}/query`,
    `/api/v2/canister/${c}/read_state`,
    `/api/v3/canister/${c}/read_state`,
    `/api/v3/canister/${IN_RANGE.toText()}/call`,
    `/api/v3/subnet/${c}/read_state`,
    `/api/v3/canister/aaaaa-aa/query`,
  ];
}

async function counterValue(): Promise<bigint> {
  const answer = await post(server.url, `/api/v3/canister/${counter.toText()}/query`, envelope(callContent('query', counter.toUint8Array(), 'get', EMPTY_ARG, anonymous())));
  return IDL.decode([IDL.Nat], (answer.cbor().get('reply') as Map<string, Uint8Array>).get('arg')!)[0] as bigint;
}

describe('fuzzed request bodies', () => {
  before(async () => {
    server = await startServer();
    counter = await deployMotoko(server.url, owner, 'general.mo');
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  test(`${BODIES} random and mutated envelopes leave the server serving with its state unchanged`, async () => {
    const signedCall = envelope(callContent('call', counter.toUint8Array(), 'inc', EMPTY_ARG, owner.principal), owner);
    assert.equal((await post(server.url, `/api/v3/canister/${counter.toText()}/call`, signedCall)).status, 200);
    const bases = [
      signedCall,
      envelope(callContent('query', counter.toUint8Array(), 'get', EMPTY_ARG, owner.principal), owner),
      envelope(callContent('query', counter.toUint8Array(), 'whoami', EMPTY_ARG, anonymous())),
      envelope(readStateContent([['time'], ['canister', counter.toUint8Array(), 'module_hash']], anonymous())),
      envelope(readStateContent([['time']], owner.principal), owner),
    ];
    const valueBefore = await counterValue();
    const seed = randomBytes(4).readUInt32LE();
    const rand = prng(seed);
    const paths = endpoints();
    const bodies = Array.from({ length: BODIES }, (_, i) =>
      i % 3 === 0 ? randomBytesOf(rand, 400) : i % 3 === 1 ? mutate(rand, pick(rand, bases)) : plausibleEnvelope(rand),
    );
    const statuses = new Map<number, number>();
    const deadline = Date.now() + TIME_BUDGET_MS;
    let next = 0;
    const worker = async () => {
      while (next < bodies.length && Date.now() < deadline) {
        const i = next++;
        const answer = await post(server.url, pick(rand, paths), bodies[i]!);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        assert.ok(answer.status < 500, `seed ${seed}, body ${i}: ${answer.status} ${answer.text()}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    assert.ok(next >= BODIES / 2, `only ${next} bodies within the time budget`);
    assert.equal(server.stderr(), '', `seed ${seed}: the server logged internal errors`);
    assert.equal(await counterValue(), valueBefore, `seed ${seed}: the counter changed`);
    const read = await post(server.url, `/api/v3/canister/${counter.toText()}/read_state`, envelope(readStateContent([['canister', counter.toUint8Array(), 'module_hash']], anonymous())));
    assert.equal(certifiedValue(read, ['canister', counter.toUint8Array(), 'module_hash'])?.length, 32);
    assert.ok((statuses.get(400) ?? 0) > BODIES / 3, `mostly refused: ${JSON.stringify([...statuses])}`);
  });
});
