// read_state (interface spec, "Request: Read state"): `{certificate}` whose tree
// is the latest round's state tree pruned to the requested paths plus `/time`. Through
// `/api/v2|v3/canister/<ecid>/read_state` and `/api/v2|v3/subnet/<esid>/read_state`.
import { authenticate } from './authenticate.ts';
import type { HttpContext } from './context.ts';
import { parsePrincipalText } from './effective_id.ts';
import { parseReadStateEnvelope } from './envelope.ts';
import { badRequest, cborResponse, HttpError, textResponse } from './errors.ts';
import { checkReadStatePaths, type ReadStateTarget } from './read_state_access.ts';
import type { Handler, HttpRequest, HttpResponse } from './router.ts';
import { canisterIndexOf, isInSubnetRanges, principalEquals } from '../state/index.ts';

export function readStateHandler(context: HttpContext, kind: ReadStateTarget['kind'], version: 2 | 3): Handler {
  return (request) => handleReadState(context, kind, version, request);
}

async function handleReadState(context: HttpContext, kind: ReadStateTarget['kind'], version: 2 | 3, request: HttpRequest): Promise<HttpResponse> {
  const target = parseTarget(context, kind, request.params.id ?? '');
  if (target instanceof HttpError) return textResponse(target);
  const envelope = parseReadStateEnvelope(request.body);
  if (envelope instanceof HttpError) return textResponse(envelope);
  const auth = await authenticate(context, envelope);
  if (auth instanceof HttpError) return textResponse(auth);
  const paths = envelope.content.paths;
  const denied = checkReadStatePaths(context, { target, version, sender: auth.sender, targets: auth.targets, paths });
  if (denied) return textResponse(denied);
  return cborResponse(200, { certificate: await context.certificateInBackground(paths) });
}

function parseTarget(context: HttpContext, kind: ReadStateTarget['kind'], text: string): ReadStateTarget | HttpError {
  const id = parsePrincipalText(text, kind === 'canister' ? 'effective canister id' : 'subnet id');
  if (id instanceof HttpError) return id;
  const config = context.replica.state.config;
  if (kind === 'subnet') {
    return principalEquals(id, config.subnetId) ? { kind, id } : new HttpError(404, `Subnet ${id.toText()} not found`);
  }
  const index = canisterIndexOf(id);
  if (index === undefined || !isInSubnetRanges(config, index)) {
    return badRequest(`Effective canister id ${id.toText()} is not in the canister ranges of subnet ${config.subnetId.toText()}`);
  }
  return { kind, id };
}
