// `capsule deploy --assets DIR`: creates (or reuses) an asset canister on a running `capsule start`,
// installs the shipped asset canister module, uploads the folder, and prints where to open it.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Actor, HttpAgent } from '@icp-sdk/core/agent';
import { IDL } from '@icp-sdk/core/candid';
import { Principal } from '@icp-sdk/core/principal';
import { assetCanisterModule } from './asset_canister.ts';
import { type AssetsService, assetsIdl, FIRST_USER_CANISTER, type InstallMode, type ManagementService, managementIdl } from './assets_interface.ts';
import { readFolder, syncFolder } from './asset_upload.ts';

export const DEPLOY_USAGE = `Usage: capsule deploy --assets DIR [options]

Uploads the folder DIR to a certified asset canister on a running \`capsule start\`.

Options:
  --assets DIR         The folder to serve (its .ic-assets.json rules set headers and max_age)
  --url URL            The replica's URL (default http://127.0.0.1:4943)
  --canister-id ID     Reuse this asset canister (upgraded to the shipped module, assets kept)
  --wasm FILE          Install this module instead of building canisters/assets
`;

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      assets: { type: 'string' },
      url: { type: 'string' },
      'canister-id': { type: 'string' },
      wasm: { type: 'string' },
    },
  }).values;
}

async function installModule(management: (id: Principal) => ManagementService, canisterId: Principal, wasm: Uint8Array): Promise<'install' | 'upgrade'> {
  const { module_hash } = await management(canisterId).canister_status({ canister_id: canisterId });
  // An existing module is upgraded in place so that its assets and permissions stay.
  const mode: InstallMode = module_hash.length ? { upgrade: [{ wasm_memory_persistence: [{ keep: null }] }] } : { install: null };
  await management(canisterId).install_code({ mode, canister_id: canisterId, wasm_module: wasm, arg: new Uint8Array(IDL.encode([], [])) });
  return module_hash.length ? 'upgrade' : 'install';
}

/** Returns the exit code; writes progress to `out` and problems to `err`. */
export async function runDeployCommand(argv: readonly string[], out: (text: string) => void, err: (text: string) => void): Promise<number> {
  let values: ReturnType<typeof parse>;
  try {
    values = parse(argv);
  } catch (e) {
    err(`${(e as Error).message}\n\n${DEPLOY_USAGE}`);
    return 2;
  }
  if (values.help) {
    out(DEPLOY_USAGE);
    return 0;
  }
  if (!values.assets) {
    err(`capsule deploy: --assets DIR is required\n\n${DEPLOY_USAGE}`);
    return 2;
  }
  // Bad input is reported before anything is created on the replica.
  const local = readFolder(values.assets);
  const url = new URL(values.url ?? 'http://127.0.0.1:4943');
  // The anonymous identity deploys, as a local replica's default: it becomes controller and uploader.
  let agent: HttpAgent;
  try {
    agent = await HttpAgent.create({ host: url.origin, shouldFetchRootKey: true });
  } catch (e) {
    err(`capsule deploy: cannot reach a replica at ${url.origin} (is \`capsule start\` running there?): ${(e as Error).message}\n`);
    return 1;
  }
  const management = (effectiveCanisterId: Principal): ManagementService =>
    Actor.createActor<ManagementService>(managementIdl, { agent, canisterId: Principal.managementCanister(), effectiveCanisterId });

  const wasm = values.wasm ? new Uint8Array(readFileSync(values.wasm)) : await assetCanisterModule((line) => out(`${line}\n`));
  let canisterId: Principal;
  if (values['canister-id']) {
    canisterId = Principal.fromText(values['canister-id']);
  } else {
    ({ canister_id: canisterId } = await management(FIRST_USER_CANISTER).provisional_create_canister_with_cycles({ amount: [], settings: [], specified_id: [] }));
    out(`Created canister ${canisterId.toText()}\n`);
  }
  const mode = await installModule(management, canisterId, wasm);
  out(`${mode === 'install' ? 'Installed' : 'Upgraded'} the asset canister module (${wasm.length} bytes)\n`);

  const assets = Actor.createActor<AssetsService>(assetsIdl, { agent, canisterId });
  const summary = await syncFolder(assets, local, (line) => out(`${line}\n`));
  out(`Committed: ${summary.uploaded} uploaded, ${summary.unchanged} unchanged, ${summary.deleted} deleted\n`);
  out(`Canister id: ${canisterId.toText()}\n`);
  out(`URL: http://${canisterId.toText()}.localhost:${url.port || '80'}/\n`);
  return 0;
}
