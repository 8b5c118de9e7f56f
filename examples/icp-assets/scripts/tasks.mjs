// The project's build and sync steps, run by icp-cli (see icp.yaml) with Capsule's Node and packages, offline:
//   build-backend    compiles backend/main.mo with Capsule's moc.js into $ICP_WASM_OUTPUT_PATH
//   build-frontend   copies frontend/public to dist/, bundles frontend/src/app.js with @icp-sdk/core into
//                    dist/app.js, and writes Capsule's certified asset canister into $ICP_WASM_OUTPUT_PATH
//                    (run alone, without that variable, it only builds dist/)
//   sync-frontend    writes dist/env.json (the backend's id) and uploads dist/ to the frontend canister
//                    ($ICP_CLI_CID) as the current icp-cli identity
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createPrivateKey } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const project = join(dirname(fileURLToPath(import.meta.url)), '..');
const capsuleRoot = process.env.CAPSULE_ROOT;
if (!capsuleRoot) throw new Error('CAPSULE_ROOT is not set: run this through scripts/capsule-node.sh');
const require = createRequire(join(capsuleRoot, 'package.json'));
const capsule = (path) => import(pathToFileURL(join(capsuleRoot, path)).href);
const dist = join(project, 'dist');

function wasmOutput() {
  const path = process.env.ICP_WASM_OUTPUT_PATH;
  if (!path) throw new Error('ICP_WASM_OUTPUT_PATH is not set: icp-cli sets it for a build step');
  return path;
}

function buildBackend() {
  const moc = require('motoko');
  moc.write('main.mo', readFileSync(join(project, 'backend', 'main.mo'), 'utf8'));
  const { wasm } = moc.wasm('main.mo', 'ic');
  writeFileSync(wasmOutput(), wasm);
}

async function buildFrontend() {
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(dist, { recursive: true });
  cpSync(join(project, 'frontend', 'public'), dist, { recursive: true });
  // The browser gets one self-contained ES module: no CDN, no download at page load.
  await require('esbuild').build({
    entryPoints: [join(project, 'frontend', 'src', 'app.js')],
    outfile: join(dist, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    nodePaths: [join(capsuleRoot, 'node_modules')],
    logLevel: 'warning',
  });
  if (!process.env.ICP_WASM_OUTPUT_PATH) return;
  const { assetCanisterModule } = await capsule('src/cli/asset_canister.ts');
  writeFileSync(wasmOutput(), await assetCanisterModule((line) => console.log(line)));
}

const icp = (...args) => execFileSync('icp', args, { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();

/** The current icp-cli identity as an agent identity (icp-cli exports PKCS#8 PEM: secp256k1 or Ed25519). */
async function currentIdentity() {
  const jwk = createPrivateKey(icp('identity', 'export', icp('identity', 'default'))).export({ format: 'jwk' });
  const secret = new Uint8Array(Buffer.from(jwk.d, 'base64url'));
  if (jwk.crv === 'secp256k1') return (await import(pathToFileURL(require.resolve('@icp-sdk/core/identity/secp256k1')).href)).Secp256k1KeyIdentity.fromSecretKey(secret);
  if (jwk.crv === 'Ed25519') return (await import(pathToFileURL(require.resolve('@icp-sdk/core/identity')).href)).Ed25519KeyIdentity.fromSecretKey(secret);
  throw new Error(`identity key type ${jwk.crv ?? jwk.kty} is not supported by this uploader`);
}

async function syncFrontend() {
  const canisterId = process.env.ICP_CLI_CID;
  if (!canisterId) throw new Error('ICP_CLI_CID is not set: icp-cli sets it for a sync step');
  const environment = process.env.ICP_CLI_ENVIRONMENT ?? 'local';
  const backend = icp('canister', 'status', 'backend', '--id-only', '-e', environment);
  writeFileSync(join(dist, 'env.json'), `${JSON.stringify({ backend })}\n`);
  const status = JSON.parse(icp('network', 'status', '--json', '-e', environment));
  const { HttpAgent, Actor } = await import(pathToFileURL(require.resolve('@icp-sdk/core/agent')).href);
  const agent = await HttpAgent.create({ host: status.api_url, identity: await currentIdentity(), shouldFetchRootKey: true });
  const { assetsIdl } = await capsule('src/cli/assets_interface.ts');
  const { readFolder, syncFolder } = await capsule('src/cli/asset_upload.ts');
  const assets = Actor.createActor(assetsIdl, { agent, canisterId });
  const summary = await syncFolder(assets, readFolder(dist), (line) => console.log(line));
  console.log(`Committed: ${summary.uploaded} uploaded, ${summary.unchanged} unchanged, ${summary.deleted} deleted`);
}

const tasks = { 'build-backend': buildBackend, 'build-frontend': buildFrontend, 'sync-frontend': syncFrontend };
const task = tasks[process.argv[2]];
if (!task) throw new Error(`usage: tasks.mjs ${Object.keys(tasks).join('|')}`);
await task();
