// Direct reads and writes of a canister's state that PocketIC offers beside canister calls: cycles,
// stable memory, controllers and the hosting subnet, on whichever subnet hosts the canister. Writes
// take effect at once and become durable with the next round.
import { type CanisterState, type Principal, WASM_PAGE_SIZE } from '../state/index.ts';
import { systemCanisterAt } from '../system_canisters/index.ts';
import type { BlobStore } from './blobstore.ts';
import { PocketIcError } from './errors.ts';
import type { PocketIcInstance } from './instance.ts';
import { bytes, encodeBase64, type Json, object, principal, principalJson, unsigned } from './json.ts';

function canisterOf(instance: PocketIcInstance, id: Principal): CanisterState {
  const canister = instance.network.subnetOf(id)?.canister(id);
  if (!canister) throw new PocketIcError(400, `CanisterNotFound(${id.toText()})`);
  return canister;
}

function canisterIdOf(body: Json): Principal {
  return principal(object(body, 'the request'), 'canister_id');
}

export function getCycles(instance: PocketIcInstance, body: Json) {
  return { cycles: canisterOf(instance, canisterIdOf(body)).cycles };
}

export function addCycles(instance: PocketIcInstance, body: Json) {
  const request = object(body, 'the request');
  const canister = canisterOf(instance, principal(request, 'canister_id'));
  canister.cycles += unsigned(request, 'amount');
  return { cycles: canister.cycles };
}

export function getStableMemory(instance: PocketIcInstance, body: Json) {
  const stable = canisterOf(instance, canisterIdOf(body)).stable;
  const content = new Uint8Array(Number(stable.byteLength));
  stable.read(0, content, 0, content.length);
  return { blob: encodeBase64(content) };
}

/** Replaces the stable memory with the blob, grown to whole wasm pages. */
export function setStableMemory(instance: PocketIcInstance, blobs: BlobStore, body: Json): null {
  const request = object(body, 'the request');
  const canister = canisterOf(instance, principal(request, 'canister_id'));
  const blobId = Buffer.from(bytes(request, 'blob_id')).toString('hex');
  const content = blobs.content(blobId);
  const stable = canister.stable;
  stable.pages.clear();
  stable.sizePages = BigInt(Math.ceil(content.length / WASM_PAGE_SIZE));
  stable.write(0, content, () => {});
  canister.dirty.stableReplaced = true;
  return null;
}

export function getControllers(instance: PocketIcInstance, body: Json) {
  return canisterOf(instance, canisterIdOf(body)).settings.controllers.map((id) => ({ principal_id: principalJson(id) }));
}

/** The subnet of an existing canister, or null. */
export function getSubnet(instance: PocketIcInstance, body: Json) {
  const id = canisterIdOf(body);
  const replica = instance.network.subnetOf(id);
  const exists = replica !== undefined && (replica.canister(id) !== undefined || systemCanisterAt(replica.state, id) !== undefined);
  return exists ? { subnet_id: principalJson(replica.state.config.subnetId) } : null;
}

/** The subnet's DER public key as a JSON array of numbers (PocketIC serializes this `Vec<u8>` so); the root subnet's is the root key. */
export function pubKey(instance: PocketIcInstance, body: Json): number[] {
  const subnet = principal(object(body, 'the request'), 'subnet_id');
  return [...instance.subnet(subnet).rootKey.publicKeyDer];
}
