// Which state-tree paths a read_state request may ask for (interface spec, "Request: Read state";
// section 'Request: Read state'). Always readable: /time, /api_boundary_nodes, /subnet and its public parts.
// /subnet/<s>/canister_ranges: on v2, or on v3 for the root subnet (this one). /subnet/<s>/metrics
// and /canister_ranges/<s>: only through the subnet endpoint (of `s`, one `s` per request).
// /request_status/<rid>: one id per request; readable if unknown, or by the original sender
// through the original effective id. /canister/<c>/…: only c = the effective canister id, and
// private metadata only for controllers. `certified_data` and everything else: not readable.
import { bytesEqual } from './_bytes.ts';
import type { HttpContext } from './context.ts';
import { badRequest, HttpError } from './errors.ts';
import { MANAGEMENT_CANISTER, principalEquals, type Principal } from '../state/index.ts';

export interface ReadStateTarget {
  readonly kind: 'canister' | 'subnet';
  readonly id: Principal;
}

export interface ReadStateRequest {
  readonly target: ReadStateTarget;
  readonly version: 2 | 3;
  readonly sender: Uint8Array;
  /** Delegation targets; null = unrestricted. */
  readonly targets: readonly Uint8Array[] | null;
  readonly paths: readonly Uint8Array[][];
}

const CANISTER_FIELDS = new Set(['module_hash', 'controllers', 'canister_creation_timestamp', 'last_install_timestamp']);
const SUBNET_FIELDS = new Set(['public_key', 'type', 'node']);
const text = new TextDecoder('utf-8', { fatal: true });

function invalidPath(): HttpError {
  return new HttpError(404, 'Invalid path requested.');
}

function labelText(label: Uint8Array | undefined): string | undefined {
  if (label === undefined) return undefined;
  try {
    return text.decode(label);
  } catch {
    return undefined;
  }
}

/** undefined if every path may be read, else why not. */
export function checkReadStatePaths(context: HttpContext, request: ReadStateRequest): HttpError | undefined {
  let requestId: Uint8Array | undefined;
  let rangesSubnet: Uint8Array | undefined;
  for (const path of request.paths) {
    const head = labelText(path[0]);
    let problem: HttpError | undefined;
    if (head === 'request_status') {
      if (requestId !== undefined && path[1] !== undefined && !bytesEqual(requestId, path[1])) {
        return badRequest('All request_status paths of one read_state request must name the same request id');
      }
      requestId = path[1];
      problem = checkRequestStatus(context, request, path);
    } else if (head === 'canister_ranges') {
      if (rangesSubnet !== undefined && path[1] !== undefined && !bytesEqual(rangesSubnet, path[1])) {
        return badRequest('At most one subnet id may appear in canister_ranges paths');
      }
      rangesSubnet = path[1];
      problem = request.target.kind === 'subnet' && path.length >= 2 ? undefined : invalidPath();
    } else if (head === 'time') problem = path.length === 1 ? undefined : invalidPath();
    else if (head === 'api_boundary_nodes') problem = undefined;
    else if (head === 'subnet') problem = checkSubnetPath(context, request, path);
    else if (head === 'canister') problem = checkCanisterPath(context, request, path);
    else problem = invalidPath();
    if (problem) return problem;
  }
  return undefined;
}

function checkSubnetPath(context: HttpContext, request: ReadStateRequest, path: readonly Uint8Array[]): HttpError | undefined {
  if (path.length <= 2) return undefined;
  const field = labelText(path[2]) ?? '';
  if (SUBNET_FIELDS.has(field)) return undefined;
  const subnet = path[1]!;
  if (field === 'canister_ranges' && path.length === 3) {
    const isRoot = bytesEqual(subnet, context.subnetId.toUint8Array());
    return request.version === 2 || isRoot ? undefined : invalidPath();
  }
  if (field === 'metrics' && path.length === 3) {
    const own = request.target.kind === 'subnet' && bytesEqual(subnet, request.target.id.toUint8Array());
    return own ? undefined : invalidPath();
  }
  return invalidPath();
}

function checkRequestStatus(context: HttpContext, request: ReadStateRequest, path: readonly Uint8Array[]): HttpError | undefined {
  const rid = path[1];
  if (rid === undefined || rid.length !== 32) return badRequest('Request IDs must be 32 bytes in length.');
  const status = context.replica.ingressStatus(Buffer.from(rid).toString('hex'));
  if (status === undefined) return undefined;
  const sameSender = bytesEqual(status.sender.toUint8Array(), request.sender);
  // Management calls without a canister in their argument (create_canister, …) may be sent through
  // any effective id of the subnet; the replica records the subnet id for them, so any id matches.
  const anyTarget = principalEquals(status.receiver, MANAGEMENT_CANISTER) && principalEquals(status.effectiveId, context.subnetId);
  const sameTarget = anyTarget || principalEquals(status.effectiveId, request.target.id);
  if (!sameSender || !sameTarget) return new HttpError(403, 'Request IDs must be for requests signed by the caller.');
  const receiver = status.receiver.toUint8Array();
  if (request.targets !== null && !request.targets.some((t) => bytesEqual(t, receiver))) {
    return new HttpError(403, 'The request is for a canister that is not one of the delegation targets.');
  }
  return undefined;
}

function checkCanisterPath(context: HttpContext, request: ReadStateRequest, path: readonly Uint8Array[]): HttpError | undefined {
  if (path.length < 3) return invalidPath();
  const field = labelText(path[2]) ?? '';
  if (!CANISTER_FIELDS.has(field) && field !== 'metadata') return invalidPath();
  if (request.target.kind !== 'canister' || !bytesEqual(path[1]!, request.target.id.toUint8Array())) {
    return badRequest('Effective principal id in URL does not match requested principal id.');
  }
  if (field !== 'metadata') return path.length === 3 ? undefined : invalidPath();
  if (path.length !== 4) return invalidPath();
  const name = labelText(path[3]);
  if (name === undefined) return badRequest('Could not parse the custom section name as UTF-8.');
  const canister = context.replica.canister(request.target.id);
  const section = canister?.wasm?.module.customSections.get(name);
  if (!canister || !section || section.visibility === 'public') return undefined;
  const controller = canister.settings.controllers.some((c) => bytesEqual(c.toUint8Array(), request.sender));
  return controller ? undefined : new HttpError(403, `Custom section ${name} can only be requested by the controllers of the canister.`);
}
