// What an empty round costs with many idle canisters, printed as JSON: bytes written to the state
// directory and milliseconds per round with 1, 100 and 1,000 installed canisters. An empty round
// touches no canister, so its bytes must not grow with their number: storage is charged on the
// replica's 10-second interval (these rounds are 1 ns apart), not every round.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Capsule } from '../src/api/index.ts';
import { pagerWasm, SEED, START } from '../test/persistence/_canisters.ts';
import { storeOf } from '../src/api/testing.ts';

const COUNTS = [1, 100, 1000];
const ROUNDS = 20;

async function idleRounds(canisters: number, costSchedule: 'free' | 'application') {
  const dir = mkdtempSync(join(tmpdir(), 'capsule-idle-'));
  const ic = await Capsule.create({ stateDir: join(dir, 'state'), seed: SEED, time: START, costSchedule });
  const wasm = await pagerWasm();
  for (let i = 0; i < canisters; i++) await ic.installCode({ canisterId: await ic.createCanister(), wasm });
  await ic.tick();
  const store = storeOf(ic)!;
  const bytesBefore = store.stats.bytesWritten;
  const start = performance.now();
  await ic.tick(ROUNDS);
  const ms = (performance.now() - start) / ROUNDS;
  const bytes = (store.stats.bytesWritten - bytesBefore) / ROUNDS;
  await ic.close();
  rmSync(dir, { recursive: true, force: true });
  return { canisters, bytesPerRound: Math.round(bytes), msPerRound: Number(ms.toFixed(3)) };
}

const results: Record<string, unknown> = {};
for (const schedule of ['free', 'application'] as const) {
  const rows = [];
  for (const count of COUNTS) rows.push(await idleRounds(count, schedule));
  results[schedule] = rows;
}
console.log(JSON.stringify(results, null, 2));
