// Child process of crash.test.ts: opens the state directory, reports what it recovered, then runs
// step(i) updates forever, printing each acknowledged reply. Lines go out with writeSync, so a line
// is only printed once its reply has been released (i.e. once its round is durable).
import { readFileSync, writeSync } from 'node:fs';
import { Capsule } from '../../src/api/index.ts';
import type { CheckpointPhase } from '../../src/persistence/index.ts';
import { readU32, SEED, START, u32 } from './_canisters.ts';
import { replicaOf } from '../../src/api/testing.ts';

const [dir, wasmPath, pausePhase] = process.argv.slice(2) as [string, string, CheckpointPhase | 'none'];
const say = (line: string) => writeSync(1, `${line}\n`);
let paused = false;

const ic = await Capsule.create({
  stateDir: dir,
  seed: SEED,
  time: START,
  store: {
    checkpointEveryRounds: 3,
    onCheckpointPhase: (phase) => {
      if (phase !== pausePhase || paused) return;
      paused = true;
      say(`phase ${phase}`);
      // Hold still inside the checkpoint so that the parent's kill -9 lands there.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5_000);
    },
  },
});
let canisters = [...replicaOf(ic).state.canisters.values()].map((canister) => canister.id);
if (canisters.length === 0) {
  const id = await ic.createCanister();
  await ic.installCode({ canisterId: id, wasm: readFileSync(wasmPath) });
  canisters = [id];
}
const canisterId = canisters[0]!;
const got = await ic.queryCall({ canisterId, method: 'get' });
let done = readU32(got, 4);
say(`ready ${done} ${readU32(got, 0)} ${await ic.stateHash()}`);
for (;;) {
  done++;
  const reply = await ic.updateCall({ canisterId, method: 'step', arg: u32(done) });
  say(`ack ${readU32(reply)}`);
}
