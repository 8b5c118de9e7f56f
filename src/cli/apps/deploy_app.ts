// Deploys one application on a running replica, over its HTTP interface like any client: builds the
// canisters (cached), creates them once (recorded in the state directory), installs or upgrades a module
// only when its hash changed, gives the frontend's asset canister every canister id as a PUBLIC_
// environment variable (the page reads them from the `ic_env` cookie), and syncs the frontend's files.
import { createHash } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { Actor, HttpAgent } from '@icp-sdk/core/agent';
import { IDL } from '@icp-sdk/core/candid';
import { Principal } from '@icp-sdk/core/principal';
import { assetCanisterModule } from '../asset_canister.ts';
import { readFolder, syncFolder } from '../asset_upload.ts';
import { type AssetsService, assetsIdl, FIRST_USER_CANISTER, type InstallMode, type ManagementService, managementIdl } from '../assets_interface.ts';
import { buildMotoko, type MotokoJob, readMotokoSources } from '../motoko/index.ts';
import type { AppCanister } from './app_definition.ts';
import type { AppRecords } from './app_records.ts';
import type { CatalogedApp } from './catalog.ts';
import { stageFrontend } from './frontend_bundle.ts';

/** The asset canister's name among an application's canisters. */
const FRONTEND = 'frontend';

export interface DeployTarget {
  /** The replica's URL (`http://127.0.0.1:<port>`). */
  readonly url: string;
  readonly stateDir: string;
  readonly records: AppRecords;
  readonly log: (line: string) => void;
}

export interface DeployedApp {
  readonly name: string;
  readonly title: string;
  /** The frontend through the HTTP gateway. */
  readonly url: string;
  readonly canisterIds: Readonly<Record<string, Principal>>;
}

type Management = (effectiveCanisterId: Principal) => ManagementService;

const EMPTY_ARGUMENT = new Uint8Array(IDL.encode([], []));

/** A canister's sources: every `.mo` file in its main file's folder (and below). */
function canisterJob(app: CatalogedApp, canister: AppCanister): MotokoJob {
  const folder = join(app.directory, dirname(canister.main));
  return { files: readMotokoSources(folder), main: basename(canister.main), persistence: 'enhanced' };
}

/** The module of the application's canister `name`, as every start builds it (cached by source hash). */
export function buildAppCanister(app: CatalogedApp, name: string, log: (line: string) => void = () => {}): Promise<Uint8Array> {
  const canister = app.definition.canisters.find((candidate) => candidate.name === name);
  if (!canister) throw new Error(`the ${app.definition.name} application has no canister named ${name}`);
  return buildMotoko(`${app.definition.name}-${name}`, canisterJob(app, canister), log);
}

async function existingOrCreated(management: Management, target: DeployTarget, app: string, canister: string): Promise<Principal> {
  const recorded = target.records.canisterId(app, canister);
  if (recorded !== undefined) {
    const id = Principal.fromText(recorded);
    try {
      await management(id).canister_status({ canister_id: id });
      return id;
    } catch {
      target.log(`${app}: canister ${canister} (${recorded}) is gone; creating a new one`);
    }
  }
  const { canister_id: id } = await management(FIRST_USER_CANISTER).provisional_create_canister_with_cycles({ amount: [], settings: [], specified_id: [] });
  target.records.set(app, canister, id.toText());
  return id;
}

/** Installs, upgrades (keeping memory: orthogonal persistence) or leaves a module that is already there. */
async function installOrUpgrade(management: Management, id: Principal, wasm: Uint8Array, arg: Uint8Array): Promise<void> {
  const [current] = (await management(id).canister_status({ canister_id: id })).module_hash;
  if (current !== undefined && createHash('sha256').update(wasm).digest().equals(current)) return;
  const mode: InstallMode = current !== undefined ? { upgrade: [{ wasm_memory_persistence: [{ keep: null }] }] } : { install: null };
  await management(id).install_code({ mode, canister_id: id, wasm_module: wasm, arg });
}

export async function deployApp(app: CatalogedApp, target: DeployTarget): Promise<DeployedApp> {
  const { name, title, canisters } = app.definition;
  // The slow, local part first: nothing is created on the replica if a build fails.
  const modules = new Map<string, Uint8Array>();
  for (const canister of canisters) modules.set(canister.name, await buildAppCanister(app, canister.name, target.log));
  const assetModule = await assetCanisterModule(target.log);
  const staged = readFolder(await stageFrontend(app, join(target.stateDir, 'apps', name, 'frontend')));

  const agent = await HttpAgent.create({ host: target.url, shouldFetchRootKey: true });
  const management: Management = (effectiveCanisterId) =>
    Actor.createActor<ManagementService>(managementIdl, { agent, canisterId: Principal.managementCanister(), effectiveCanisterId });
  const ids: Record<string, Principal> = {};
  for (const canisterName of [...canisters.map((canister) => canister.name), FRONTEND]) {
    ids[canisterName] = await existingOrCreated(management, target, name, canisterName);
  }
  for (const canister of canisters) {
    await installOrUpgrade(management, ids[canister.name]!, modules.get(canister.name)!, canister.installArg?.(ids) ?? EMPTY_ARGUMENT);
  }
  const frontendId = ids[FRONTEND]!;
  const environment = Object.entries(ids).map(([canisterName, id]) => ({ name: `PUBLIC_CANISTER_ID:${canisterName}`, value: id.toText() }));
  await management(frontendId).update_settings({ canister_id: frontendId, settings: { environment_variables: [environment] } });
  await installOrUpgrade(management, frontendId, assetModule, EMPTY_ARGUMENT);
  await syncFolder(Actor.createActor<AssetsService>(assetsIdl, { agent, canisterId: frontendId }), staged, () => {});
  const port = new URL(target.url).port;
  return { name, title, url: `http://${frontendId.toText()}.localhost:${port}/`, canisterIds: ids };
}
