// PocketIC drop-in benchmark, printed as JSON (`node bench/pocketic.ts`):
//   spawnToPortFileMs      time from spawning bin/pocket-ic to a complete port file (median of 5)
//   picJs100Calls          100 update calls (plus 100 queries) through pic-js on bin/pocket-ic vs. the
//                          same calls on the in-process library; ratio = pic-js / in-process
//   instancesPerSecond     POST /instances + DELETE, sequential, on a running server
//   idleInstanceBytes      heap + external memory per idle instance (50 instances, after GC)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { IDL } from '@dfinity/candid';
import { PocketIc, PocketIcServer } from '@dfinity/pic';
import { Capsule } from '../src/api/index.ts';
import { startPocketIcServer } from '../src/pocketic/index.ts';
import { canisterSource, motoko, repoRoot } from '../test/support/build.ts';

const BIN = join(repoRoot, 'bin', 'pocket-ic');
const CALLS = 100;
const CONFIG = JSON.stringify({ subnet_config_set: { application: [{ state_config: 'New', instruction_config: 'Production', cost_schedule: 'Normal' }] } });

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function spawnToPortFile(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'capsule-bench-pocketic-'));
  const file = join(dir, 'port');
  const started = performance.now();
  const child = spawn(BIN, ['--port-file', file], { stdio: 'ignore' });
  while (!(existsSync(file) && readFileSync(file, 'utf8').endsWith('\n'))) await new Promise((resolve) => setTimeout(resolve, 2));
  const elapsed = performance.now() - started;
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
  return elapsed;
}

async function picJsCalls(wasm: Uint8Array): Promise<number> {
  process.env.POCKET_IC_BIN = BIN;
  const server = await PocketIcServer.start();
  const pic = await PocketIc.create(server.getUrl());
  const { actor } = await pic.setupCanister<{ set(v: string): Promise<void>; get(): Promise<string> }>({
    idlFactory: ({ IDL }) => IDL.Service({ set: IDL.Func([IDL.Text], [], []), get: IDL.Func([], [IDL.Text], ['query']) }),
    wasm,
  });
  const started = performance.now();
  for (let i = 0; i < CALLS; i++) {
    await actor.set(`value ${i}`);
    await actor.get();
  }
  const elapsed = performance.now() - started;
  await pic.tearDown();
  await server.stop();
  return elapsed;
}

async function inProcessCalls(wasm: Uint8Array): Promise<number> {
  const ic = await Capsule.create({ time: 1_620_328_630_000_000_000n });
  const canisterId = await ic.createCanister();
  await ic.installCode({ canisterId, wasm });
  const none = new Uint8Array(IDL.encode([], []));
  const started = performance.now();
  for (let i = 0; i < CALLS; i++) {
    await ic.updateCall({ canisterId, method: 'set', arg: new Uint8Array(IDL.encode([IDL.Text], [`value ${i}`])) });
    await ic.queryCall({ canisterId, method: 'get', arg: none });
  }
  const elapsed = performance.now() - started;
  await ic.close();
  return elapsed;
}

async function instances(): Promise<{ perSecond: number; idleInstanceBytes: number }> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const server = await startPocketIcServer();
  const create = async () => (await (await fetch(`${server.url}/instances`, { method: 'POST', body: CONFIG })).json()).Created.instance_id as number;
  const count = 20;
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const id = await create();
    await fetch(`${server.url}/instances/${id}`, { method: 'DELETE' });
  }
  const perSecond = count / ((performance.now() - started) / 1000);
  gc();
  gc();
  const usage = () => process.memoryUsage().heapUsed + process.memoryUsage().external;
  const before = usage();
  const idle = 50;
  for (let i = 0; i < idle; i++) await create();
  gc();
  gc();
  const idleInstanceBytes = Math.round((usage() - before) / idle);
  await server.close();
  return { perSecond: Math.round(perSecond * 10) / 10, idleInstanceBytes };
}

const { wasm } = await motoko(canisterSource('pic_suite.mo'), { main: 'pic_suite.mo' });
const spawns: number[] = [];
for (let i = 0; i < 5; i++) spawns.push(await spawnToPortFile());
const picJsMs = await picJsCalls(wasm);
const inProcessMs = await inProcessCalls(wasm);
const created = await instances();
console.log(
  JSON.stringify(
    {
      spawnToPortFileMs: Math.round(median(spawns)),
      picJs100Calls: { calls: CALLS, picJsMs: Math.round(picJsMs), inProcessMs: Math.round(inProcessMs), ratio: Math.round((picJsMs / inProcessMs) * 10) / 10 },
      instancesPerSecond: created.perSecond,
      idleInstanceBytes: created.idleInstanceBytes,
    },
    null,
    2,
  ),
);
