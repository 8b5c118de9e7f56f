// Asset canister benchmark, printed as JSON:
//
//   node bench/assets.ts [--megabytes N] [--queries N]
//
// A real `capsule start` with the shipped asset canister (canisters/assets), driven by
// @dfinity/assets on @dfinity/agent 3 with its default verification. Reported: batch upload
// throughput of one N MB file (MB/s, chunks of 1.9 MB), single-call `store` of small files per
// second, and certified `http_request` queries per second for a small asset and for a 1 MB one
// (sequential, each answer decoded by the agent; verification of the HTTP certification itself is
// left out, it is the gateway's work).
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { AssetManager } from '../test/clients/agent3/index.ts';
import { deployAssetCanister, request } from '../test/assets/_harness.ts';

const { values } = parseArgs({ options: { megabytes: { type: 'string', default: '10' }, queries: { type: 'string', default: '200' } } });
const megabytes = Number(values.megabytes);
const queries = Number(values.queries);

async function perSecond(count: number, once: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 5; i++) await once(i);
  const start = performance.now();
  for (let i = 0; i < count; i++) await once(i);
  return Math.round((count / ((performance.now() - start) / 1000)) * 10) / 10;
}

const deployment = await deployAssetCanister();
try {
  const manager = new AssetManager({ canisterId: deployment.canisterId, agent: deployment.agent });
  const big = randomBytes(megabytes * 1_000_000);
  const uploadStart = performance.now();
  const batch = manager.batch();
  await batch.store(big, { fileName: 'big.bin', contentType: 'application/octet-stream' });
  await batch.commit();
  const uploadSeconds = (performance.now() - uploadStart) / 1000;

  const storesPerSecond = await perSecond(20, (i) => manager.store(randomBytes(2_000), { fileName: `small-${i}.txt`, contentType: 'text/plain' }));
  await manager.store(randomBytes(1_000_000), { fileName: 'one-mb.bin', contentType: 'application/octet-stream' });
  const smallQueries = await perSecond(queries, () => deployment.assets.http_request(request('/small-0.txt')));
  const oneMbQueries = await perSecond(Math.max(10, queries / 10), () => deployment.assets.http_request(request('/one-mb.bin')));

  console.log(
    JSON.stringify(
      {
        uploadMegabytes: megabytes,
        uploadSeconds: Math.round(uploadSeconds * 100) / 100,
        uploadMegabytesPerSecond: Math.round((megabytes / uploadSeconds) * 100) / 100,
        storeSmallFilesPerSecond: storesPerSecond,
        httpRequestSmallPerSecond: smallQueries,
        httpRequestOneMegabytePerSecond: oneMbQueries,
      },
      null,
      2,
    ),
  );
} finally {
  await deployment.server.stop();
}
