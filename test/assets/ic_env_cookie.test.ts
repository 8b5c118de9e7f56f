// The `ic_env` cookie of HTML answers: the root key and the PUBLIC_ environment variables set through
// update_settings, certified with the rest of the response.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Actor, type ActorMethod, type IDL, Principal } from '../clients/agent3/index.ts';
import { type AssetsCanister, type Deployment, deployAssetCanister, EMPTY_ARG, type Operation, request, sha256, utf8, verified } from './_harness.ts';

type Variables = { name: string; value: string }[];
interface Settings {
  update_settings: ActorMethod<[{ canister_id: Principal; settings: { environment_variables: [] | [Variables] } }], undefined>;
  install_code: ActorMethod<[{ mode: { upgrade: [{ wasm_memory_persistence: [{ keep: null }] }] }; canister_id: Principal; wasm_module: Uint8Array; arg: Uint8Array }], undefined>;
}
const settingsIdl: IDL.InterfaceFactory = ({ IDL }) =>
  IDL.Service({
    update_settings: IDL.Func(
      [IDL.Record({ canister_id: IDL.Principal, settings: IDL.Record({ environment_variables: IDL.Opt(IDL.Vec(IDL.Record({ name: IDL.Text, value: IDL.Text }))) }) })],
      [],
      [],
    ),
    install_code: IDL.Func(
      [
        IDL.Record({
          mode: IDL.Variant({ upgrade: IDL.Opt(IDL.Record({ wasm_memory_persistence: IDL.Opt(IDL.Variant({ keep: IDL.Null, replace: IDL.Null })) })) }),
          canister_id: IDL.Principal,
          wasm_module: IDL.Vec(IDL.Nat8),
          arg: IDL.Vec(IDL.Nat8),
        }),
      ],
      [],
      [],
    ),
  });

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('the ic_env cookie', () => {
  let deployment: Deployment;
  let assets: AssetsCanister;
  let management: Settings;

  before(async () => {
    deployment = await deployAssetCanister();
    assets = deployment.assets;
    management = Actor.createActor<Settings>(settingsIdl, { agent: deployment.agent, canisterId: Principal.managementCanister(), effectiveCanisterId: deployment.canisterId });
  });
  after(() => deployment?.server.stop());

  const setVariables = (variables: Variables) => management.update_settings({ canister_id: deployment.canisterId, settings: { environment_variables: [variables] } });

  async function commit(files: [string, string, string][]) {
    const { batch_id } = await assets.create_batch({});
    const operations: Operation[] = [];
    for (const [key, contentType, body] of files) {
      const bytes = utf8(body);
      const { chunk_ids } = await assets.create_chunks({ batch_id, content: [bytes] });
      operations.push({ CreateAsset: { key, content_type: contentType, max_age: [], headers: [], enable_aliasing: [], allow_raw_access: [] } });
      operations.push({ SetAssetContent: { key, content_encoding: 'identity', chunk_ids, last_chunk: [], sha256: [sha256(bytes)] } });
    }
    await assets.commit_batch({ batch_id, operations });
  }

  async function certifiedCookie(url: string): Promise<string | undefined> {
    const req = request(url);
    const response = await assets.http_request(req);
    const { result } = await verified(deployment, req, response);
    const served = response.headers.find(([name]) => name === 'set-cookie')?.[1];
    assert.equal(new Map(result.response!.headers).get('set-cookie'), served, `${url}: the cookie is certified`);
    return served;
  }

  const expected = (variables: string) =>
    `ic_env=${encodeURIComponent(`ic_root_key=${hex(new Uint8Array(deployment.agent.rootKey!))}${variables}`)}; SameSite=Lax`;

  test('a batch committed after update_settings serves HTML with the root key and the PUBLIC_ variables, certified and URL-encoded', async () => {
    const backend = 'rrkah-fqaaa-aaaaa-aaaaq-cai';
    await setVariables([
      { name: 'PUBLIC_CANISTER_ID:backend', value: backend },
      { name: 'SECRET_TOKEN', value: 'not for the page' },
    ]);
    await commit([
      ['/index.html', 'text/html', '<h1>App</h1>'],
      ['/app.js', 'text/javascript', 'console.log(1)'],
    ]);
    const cookie = await certifiedCookie('/index.html');
    assert.equal(cookie, expected(`&PUBLIC_CANISTER_ID:backend=${backend}`));
    assert.match(cookie!, /^ic_env=ic_root_key%3D[0-9a-f]{266}%26PUBLIC_CANISTER_ID%3Abackend%3Drrkah-fqaaa-aaaaa-aaaaq-cai; SameSite=Lax$/);
    for (const url of ['/', '/some/route']) assert.equal(await certifiedCookie(url), cookie, `${url} is served from /index.html`);
    assert.equal(await certifiedCookie('/app.js'), undefined);
  });

  test('the cookie follows the variables after the next commit and after an upgrade', async () => {
    await setVariables([{ name: 'PUBLIC_NETWORK', value: 'local & test' }]);
    await commit([['/about.html', 'text/html', '<h1>About</h1>']]);
    assert.equal(await certifiedCookie('/about'), expected('&PUBLIC_NETWORK=local & test'));

    await setVariables([]);
    await management.install_code({ mode: { upgrade: [{ wasm_memory_persistence: [{ keep: null }] }] }, canister_id: deployment.canisterId, wasm_module: deployment.wasm, arg: EMPTY_ARG });
    assert.equal(await certifiedCookie('/about.html'), expected(''));
  });
});
