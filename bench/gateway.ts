// HTTP gateway benchmark, printed as JSON:
//
//   node bench/gateway.ts [--count N] [--concurrency C]
//
// A real `capsule start` child process on loopback serving test/canisters/http_site.mo. Measured:
// requests per second through the gateway (`<id>.localhost`, response verification included) for a
// small certified page (`/`) and a certified 1 MB body (`/large`), against the same canister's
// `http_request` query posted to the HTTP interface (`/api/v2/canister/<id>/query`, no
// verification), sequentially and with C requests in flight; `ratio` is gateway / API.
import { Agent, request as httpRequest } from 'node:http';
import { parseArgs } from 'node:util';
import { IDL } from '@dfinity/candid';
import { deployMotoko } from '../test/http/_deploy.ts';
import { callContent, envelope, TestKey } from '../test/http/_envelopes.ts';
import { startServer } from '../test/http/_server.ts';
import { Principal } from '../src/state/index.ts';

const { values } = parseArgs({ options: { count: { type: 'string' }, concurrency: { type: 'string' } } });
const COUNT = Number(values.count ?? 200);
const CONCURRENCY = Number(values.concurrency ?? 8);

const HttpRequest = IDL.Record({
  method: IDL.Text,
  url: IDL.Text,
  headers: IDL.Vec(IDL.Tuple(IDL.Text, IDL.Text)),
  body: IDL.Vec(IDL.Nat8),
  certificate_version: IDL.Opt(IDL.Nat16),
});

/** One request on a fresh or kept-alive connection; resolves with the status and body size. */
function fetchOnce(port: number, options: { path: string; host: string; method?: string; body?: Uint8Array }): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: options.host };
    if (options.body) headers['content-type'] = 'application/cbor';
    const req = httpRequest({ host: '127.0.0.1', port, path: options.path, method: options.method ?? 'GET', headers, agent }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

async function measure(count: number, concurrency: number, one: () => Promise<{ status: number; bytes: number }>) {
  const first = await one();
  if (first.status !== 200) throw new Error(`unexpected status ${first.status}`);
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      const { status } = await one();
      if (status !== 200) throw new Error(`unexpected status ${status}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { requestsPerSecond: Math.round((count / seconds) * 10) / 10, responseBytes: first.bytes };
}

async function compare(port: number, canister: string, path: string, count: number) {
  const gateway = () => fetchOnce(port, { path, host: `${canister}.localhost:${port}` });
  const arg = new Uint8Array(IDL.encode([HttpRequest], [{ method: 'GET', url: path, headers: [], body: [], certificate_version: [2] }]));
  const canisterBytes = Principal.fromText(canister).toUint8Array();
  // A fresh nonce per query would cost the client a CBOR encoding each time: one envelope serves all.
  const body = envelope(callContent('query', canisterBytes, 'http_request', arg, new Uint8Array([4])));
  const api = () => fetchOnce(port, { path: `/api/v2/canister/${canister}/query`, host: `127.0.0.1:${port}`, method: 'POST', body });
  const result: Record<string, unknown> = {};
  for (const [label, c] of [['sequential', 1], [`concurrent${CONCURRENCY}`, CONCURRENCY]] as const) {
    const viaGateway = await measure(count, c, gateway);
    const viaApi = await measure(count, c, api);
    result[label] = {
      gateway: viaGateway,
      api: viaApi,
      ratio: Math.round((viaGateway.requestsPerSecond / viaApi.requestsPerSecond) * 100) / 100,
    };
  }
  return result;
}

const server = await startServer();
try {
  const canister = (await deployMotoko(server.url, new TestKey(), 'http_site.mo', 'HttpCertification.mo', 'Sha256.mo')).toText();
  const small = await compare(server.port, canister, '/', COUNT);
  const large = await compare(server.port, canister, '/large', Math.max(10, Math.floor(COUNT / 10)));
  console.log(JSON.stringify({ count: COUNT, concurrency: CONCURRENCY, smallPage: small, oneMegabyte: large }, null, 2));
} finally {
  agent.destroy();
  await server.stop();
}
