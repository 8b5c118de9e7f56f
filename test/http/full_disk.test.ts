// A full disk under a real `capsule start` on a 16 MiB tmpfs (skipped where tmpfs cannot be mounted),
// and the same failure injected at the file layer under an in-process server (runs anywhere): a call
// whose round cannot be stored gets a 5xx and stays unknown, the replica reports unhealthy and refuses
// ingress with 503, heals once space returns, and no acknowledged call is lost after kill -9 or SIGTERM.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import { decodeCbor, hashOfMap, type CborMap } from '../../src/certification/index.ts';
import { deployMotoko, syncCall } from './_deploy.ts';
import { callContent, certifiedValue, EMPTY_ARG, envelope, post, readStateContent, TestKey } from './_envelopes.ts';
import { startServer, type ServerProcess } from './_server.ts';
import { openReplica } from '../../src/replica/index.ts';
import { startHttpServer } from '../../src/http/index.ts';
import { injectWriteFault } from '../../src/persistence/file_io.ts';

function mountTmpfs(): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'capsule-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
}

/** Fills the file system of `dir` to the last byte; returns the filler's path. */
function fill(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'a');
  try {
    for (const size of [1 << 20, 4096, 1]) {
      const chunk = Buffer.alloc(size, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

async function status(server: { url: string }): Promise<string> {
  const response = await fetch(`${server.url}/api/v2/status`);
  return (decodeCbor(new Uint8Array(await response.arrayBuffer())) as CborMap).get('replica_health_status') as string;
}

const key = new TestKey();
const nat = (bytes: Uint8Array | undefined) => IDL.decode([IDL.Nat], bytes!)[0] as bigint;

/** A v4 `inc`: its HTTP status, and the count when it was replied. */
async function inc(server: { url: string }, canisterId: Principal): Promise<{ http: number; count?: bigint; rid: Uint8Array; text: string }> {
  const content = callContent('call', canisterId.toUint8Array(), 'inc', EMPTY_ARG, key.principal);
  const answer = await post(server.url, `/api/v4/canister/${canisterId.toText()}/call`, envelope(content, key));
  const rid = hashOfMap(content);
  if (answer.status !== 200) return { http: answer.status, rid, text: answer.text() };
  return { http: 200, rid, count: nat(certifiedValue(answer, ['request_status', rid, 'reply'])), text: '' };
}

async function get(server: { url: string }, canisterId: Principal): Promise<bigint> {
  return nat((await syncCall(server.url, key, canisterId, canisterId.toUint8Array(), 'get', EMPTY_ARG)).reply);
}

/** Calls `inc` until one fails on the full disk; returns the last acknowledged count and the failed call. */
async function incUntilRefused(server: ServerProcess, canisterId: Principal, acknowledged: bigint): Promise<{ acknowledged: bigint; failed: Awaited<ReturnType<typeof inc>> }> {
  for (let i = 0; i < 50; i++) {
    const result = await inc(server, canisterId);
    if (result.http !== 200) return { acknowledged, failed: result };
    assert.equal(result.count, acknowledged + 1n);
    acknowledged = result.count!;
  }
  throw new Error('the full disk never refused a round');
}

const mount = mountTmpfs();

test('a full disk: no acknowledged call is lost, the replica is unhealthy and refuses ingress, then heals', { skip: mount ? false : 'tmpfs cannot be mounted here' }, async () => {
  const stateDir = join(mount!, 'state');
  try {
    let server = await startServer({ stateDir });
    const canisterId = await deployMotoko(server.url, key, 'general.mo');
    let acknowledged = 0n;
    for (let i = 0; i < 3; i++) acknowledged = (await inc(server, canisterId)).count!;
    assert.equal(await status(server), 'healthy');

    let filler = fill(mount!);
    let run = await incUntilRefused(server, canisterId, acknowledged);
    acknowledged = run.acknowledged;
    assert.ok(run.failed.http >= 500, `${run.failed.http} ${run.failed.text}`);
    assert.equal(await status(server), 'certified_state_behind');
    const refused = await inc(server, canisterId);
    assert.equal(refused.http, 503);
    assert.match(refused.text, /ENOSPC/);
    const read = await post(server.url, `/api/v2/canister/${canisterId.toText()}/read_state`, envelope(readStateContent([['request_status', run.failed.rid]], key.principal), key));
    assert.equal(read.status, 200);
    assert.equal(certifiedValue(read, ['request_status', run.failed.rid, 'status']), undefined, 'the failed call stays unknown, so an agent retries it');

    rmSync(filler);
    const healed = await inc(server, canisterId);
    assert.equal(healed.count, acknowledged + 1n, healed.text);
    acknowledged = healed.count!;
    assert.equal(await status(server), 'healthy');

    filler = fill(mount!);
    run = await incUntilRefused(server, canisterId, acknowledged);
    acknowledged = run.acknowledged;
    process.kill(server.pid, 'SIGKILL');
    await server.stop();
    rmSync(filler);
    server = await startServer({ stateDir });
    assert.equal(await get(server, canisterId), acknowledged, 'kill -9 on a full disk: every acknowledged call kept');

    filler = fill(mount!);
    run = await incUntilRefused(server, canisterId, acknowledged);
    acknowledged = run.acknowledged;
    const stderr = server.stderr;
    const code = await server.stop();
    assert.notEqual(code, 0, 'SIGTERM on a failed store exits non-zero');
    assert.match(stderr(), /were not saved/);
    rmSync(filler);
    server = await startServer({ stateDir });
    assert.equal(await get(server, canisterId), acknowledged, 'SIGTERM on a full disk: every acknowledged call kept');
    assert.equal(await server.stop(), 0);
  } finally {
    execFileSync('umount', [mount!]);
    rmSync(mount!, { recursive: true, force: true });
  }
});

test('a write failure injected at the file layer: 503 and unknown status, unhealthy, healed, nothing acknowledged lost', async () => {
  const stateDir = join(mkdtempSync(join(tmpdir(), 'capsule-inject-')), 'state');
  const opened = openReplica({ stateDir });
  const server = await startHttpServer({ replica: opened.replica, port: 0, idleRoundMs: 50 });
  let canisterId: Principal | undefined;
  let acknowledged = 0n;
  try {
    canisterId = await deployMotoko(server.url, key, 'general.mo');
    acknowledged = (await inc(server, canisterId)).count!;
    injectWriteFault(() => 'ENOSPC');
    const failed = await inc(server, canisterId);
    assert.equal(failed.http, 503, failed.text);
    assert.equal(await status(server), 'certified_state_behind');
    assert.equal((await inc(server, canisterId)).http, 503);
    const read = await post(server.url, `/api/v2/canister/${canisterId.toText()}/read_state`, envelope(readStateContent([['request_status', failed.rid]], key.principal), key));
    assert.equal(certifiedValue(read, ['request_status', failed.rid, 'status']), undefined);
    injectWriteFault(undefined);
    const healed = await inc(server, canisterId);
    assert.equal(healed.count, acknowledged + 1n, healed.text);
    acknowledged = healed.count!;
    assert.equal(await status(server), 'healthy');
  } finally {
    injectWriteFault(undefined);
    await server.close();
    opened.store!.abandon();
  }
  const reopened = openReplica({ stateDir });
  const again = await startHttpServer({ replica: reopened.replica, port: 0 });
  try {
    assert.equal(await get(again, canisterId!), acknowledged, 'after a crash, exactly the acknowledged calls');
  } finally {
    await again.close();
    reopened.close();
    rmSync(join(stateDir, '..'), { recursive: true, force: true });
  }
});
