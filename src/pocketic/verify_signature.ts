// `POST /verify_signature`: checks a canister signature (interface spec, "Canister signatures")
// against a root key, as PocketIC does for clients that verify delegations: 200 `{"Ok": null}`,
// 406 `{"Err": …}` for a bad signature, 400 `{"Err": …}` for keys that do not parse.
import { DerError, OID, parseSubjectPublicKeyInfo, verifyCanisterSignature } from '../certification/index.ts';
import { bytes, type Json, object } from './json.ts';
import { json, type PocketResponse } from './route_table.ts';

function keyBits(der: Uint8Array, algorithm: string, what: string): Uint8Array | string {
  try {
    const info = parseSubjectPublicKeyInfo(der);
    if (info.algorithm !== algorithm) return `Failed to parse DER ${what}: unexpected algorithm ${info.algorithm}`;
    return info.publicKey;
  } catch (e) {
    if (e instanceof DerError) return `Failed to parse DER ${what}: ${e.message}`;
    throw e;
  }
}

export function verifySignature(body: Json): PocketResponse {
  const request = object(body, 'the signature request');
  const message = bytes(request, 'msg');
  const signature = bytes(request, 'sig');
  const publicKey = keyBits(bytes(request, 'pubkey'), OID.canisterSignature, 'canister signature public key');
  if (typeof publicKey === 'string') return json(400, { Err: publicKey });
  const rootKeyDer = bytes(request, 'root_pubkey');
  const rootKey = keyBits(rootKeyDer, OID.blsAlgorithm, 'root public key');
  if (typeof rootKey === 'string') return json(400, { Err: rootKey });
  const verified = verifyCanisterSignature(publicKey, signature, message, rootKeyDer);
  if (verified !== true) return json(406, { Err: `Canister signature verification failed: ${verified}` });
  return json(200, { Ok: null });
}
