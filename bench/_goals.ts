// The goals `npm run bench` reports on (those of the issue on parallel rounds, time slicing and the
// HTTP server, and memory-heavy messages at V8 speed): for each, where its number is in the bench
// document and what it should be. A goal whose benchmark did not run prints as "not measured".

export type Goal = { name: string; paths: string[]; target: string };

export const GOALS: readonly Goal[] = [
  { name: 'updates/s in-process (Motoko counter, enhanced)', paths: ['execution.motokoCounter[enhanced].updatesPerSecond'], target: 'higher' },
  { name: 'queries/s in-process (Motoko counter, enhanced)', paths: ['execution.motokoCounter[enhanced].queriesPerSecond'], target: 'higher' },
  { name: 'updates/s over HTTP (pre-signed v4, in flight)', paths: ['http.updatesV4Raw.perSecond'], target: '≥ 2000' },
  { name: 'updates/s over HTTP (agent, verified, in flight)', paths: ['http.updatesV4.concurrentPerSecond'], target: 'higher' },
  { name: 'queries/s over HTTP (pre-signed, in flight)', paths: ['http.queriesRaw.perSecond'], target: '≥ 5000' },
  { name: 'instrumented/raw V8, store loop', paths: ['execution.instrumentation.storeLoop.overRaw'], target: '≤ 1.3' },
  { name: 'instrumented/raw V8, recursive calls (fib 32)', paths: ['execution.instrumentation.recursiveFib32.overRaw'], target: '≤ 1.3' },
  { name: 'instrumented/raw V8, float loop', paths: ['execution.instrumentation.floatLoop.overRaw'], target: '≤ 1.3' },
  { name: 'memory-heavy message/raw V8 (classical, enhanced)', paths: ['heavy_memory.runs[classical].fillOverRaw', 'heavy_memory.runs[enhanced].fillOverRaw'], target: '≈ 1' },
  { name: 'the same message in one slice/raw V8 (classical, enhanced)', paths: ['heavy_memory.runs[classical].fillOneSliceOverRaw', 'heavy_memory.runs[enhanced].fillOneSliceOverRaw'], target: '≈ 1' },
  { name: 'memory-heavy upgrade/raw V8 (classical, enhanced)', paths: ['heavy_memory.runs[classical].upgradeOverRaw', 'heavy_memory.runs[enhanced].upgradeOverRaw'], target: '≈ 1' },
  { name: 'updates/s ratio, 1 GiB heap / 1 MiB heap', paths: ['persistence.updatesPerSecondRatio1GiBTo1MiB'], target: '≈ 1' },
  { name: 'commit latency of a round, ms (median, p99)', paths: ['persistence.rounds64Pages.commit.medianMs', 'persistence.rounds64Pages.commit.p99Ms'], target: 'lower' },
  { name: 'create+install, ms per small canister', paths: ['canisters.evicted.createInstallMsPerCanister'], target: 'lower' },
  { name: 'create+install of a ~3.5 MB module, ms', paths: ['execution.largeModule.createAndInstallMs[0]', 'execution.largeModule.createAndInstallMs[2]'], target: 'lower' },
  { name: 'canisters per GiB (idle, evicted; live)', paths: ['canisters.evicted.canistersPerGiB', 'canisters.live.canistersPerGiB'], target: 'higher' },
  { name: 'scaling from 1 to N workers', paths: ['workers'], target: 'N× on N cores' },
];
