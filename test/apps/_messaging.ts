// The messaging application's backend for in-process tests: its module, built as `capsule start` builds it
// (into the same cache, so a test run compiles it once), and a client per sender that speaks its Candid
// interface through the Capsule library.
import { IDL } from '@icp-sdk/core/candid';
import { Ed25519KeyIdentity } from '@icp-sdk/core/identity';
import type { Principal } from '@icp-sdk/core/principal';
import type { Capsule } from '../../src/api/index.ts';
import { idlFactory, type MessagingService } from '../../apps/messaging/frontend/src/interface.ts';
import { buildAppCanister, loadApps } from '../../src/cli/apps/index.ts';
// Sets CAPSULE_MODULE_CACHE to the tests' cache before the first build.
import '../support/build.ts';

export async function messagingWasm(): Promise<Uint8Array> {
  const [app] = await loadApps(['messaging']);
  return buildAppCanister(app!, 'backend');
}

/** A deterministic user principal (a self-authenticating Ed25519 principal) per seed byte. */
export function userPrincipal(seed: number): Principal {
  return Ed25519KeyIdentity.generate(new Uint8Array(32).fill(seed)).getPrincipal();
}

const service = idlFactory({ IDL });

/** The canister's methods called as `sender`: updates through `updateCall`, queries through `queryCall`. */
export function messagingAs(ic: Capsule, canisterId: Principal, sender: Principal): MessagingService {
  const methods: Record<string, unknown> = {};
  for (const [name, type] of service._fields) {
    const func = type as IDL.FuncClass;
    methods[name] = async (...args: unknown[]) => {
      const call = { canisterId, method: name, arg: new Uint8Array(IDL.encode(func.argTypes, args)), sender };
      const reply = func.annotations.includes('query') ? await ic.queryCall(call) : await ic.updateCall(call);
      return IDL.decode(func.retTypes, reply)[0];
    };
  }
  return methods as unknown as MessagingService;
}
