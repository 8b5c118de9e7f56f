// The shipped asset canister (canisters/assets/*.mo), built from source by the CLI's own builder into the
// tests' module cache (test/support/build.ts sets it), so tests and spawned `capsule` processes share one build.
import '../support/build.ts';
import { assetCanisterModule } from '../../src/cli/asset_canister.ts';

export function assetCanisterWasm(): Promise<Uint8Array> {
  return assetCanisterModule();
}
