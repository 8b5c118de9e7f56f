// The PocketIC REST API, one table (the routes of server v14 that pic-js, the Rust crate and the
// Python package call). Instance operations are queued per instance and answered within the sync
// wait; a longer one answers 202 and its result is read from `/read_graph`.
import type { BlobStore } from './blobstore.ts';
import { awaitIngress, execute, ingressStatus, parseCanisterCall, query, submit } from './calls.ts';
import { addCycles, getControllers, getCycles, getStableMemory, getSubnet, pubKey, setStableMemory } from './canister_state.ts';
import { badConfig, PocketIcError } from './errors.ts';
import { parseHttpGatewayConfig } from './http_gateway_config.ts';
import type { HttpGateways } from './http_gateways.ts';
import { getCanisterHttp, mockCanisterHttp } from './http_outcalls.ts';
import type { PocketIcInstance } from './instance.ts';
import { type InstanceOptions, parseInstanceConfig } from './instance_config.ts';
import type { Instances } from './instances.ts';
import { type Json, object, parseBody, unsigned } from './json.ts';
import type { OpGraph, StoredResponse } from './op_graph.ts';
import { json, type PocketHandler, type PocketRequest, type PocketResponse, type Route } from './route_table.ts';
import { downloadSnapshot, uploadSnapshot } from './snapshot_files.ts';
import { topologyJson } from './topology.ts';
import { verifySignature } from './verify_signature.ts';

export interface PocketIcService {
  readonly instances: Instances;
  readonly blobs: BlobStore;
  readonly graph: OpGraph;
  readonly gateways: HttpGateways;
  readonly log: (line: string) => void;
}

/** How long an operation may run before the answer is 202 (PocketIC's DEFAULT_SYNC_WAIT_DURATION). */
const SYNC_WAIT_MS = 10_000;

export function errorResponse(error: PocketIcError): PocketResponse {
  return json(error.status, error.body());
}

/** The response of an operation; never rejects, so that a result nobody waits for cannot crash the server. */
async function stored(service: PocketIcService, operation: Promise<unknown>): Promise<StoredResponse> {
  try {
    return { status: 200, body: await operation };
  } catch (e) {
    if (e instanceof PocketIcError) return { status: e.status, body: e.body() };
    service.log(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return { status: 500, body: { message: `Internal error: ${e instanceof Error ? e.message : String(e)}` } };
  }
}

/** The operation's response, or 202 once the sync wait (`processing-timeout-ms` header) has passed. */
async function answer(service: PocketIcService, request: PocketRequest, operation: Promise<unknown>): Promise<PocketResponse> {
  const header = Number(request.headers['processing-timeout-ms']);
  const waitMs = Number.isFinite(header) && header >= 0 ? header : SYNC_WAIT_MS;
  const result = stored(service, operation);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), waitMs);
  });
  const first = waitMs === 0 ? undefined : await Promise.race([result, timeout]);
  clearTimeout(timer);
  if (first) return json(first.status, first.body);
  return json(202, service.graph.start(result));
}

type InstanceOperation = (instance: PocketIcInstance, body: Json) => unknown;

/** An operation on the instance named in the path, queued behind the instance's earlier operations. */
function onInstance(service: PocketIcService, operation: InstanceOperation): PocketHandler {
  return (request) => {
    const instance = service.instances.get(request.params.id!);
    const body = request.method === 'POST' && request.body.length > 0 ? parseBody(request.body) : null;
    return answer(service, request, instance.run(() => operation(instance, body)));
  };
}

/** Every refusal of a configuration, malformed JSON included, comes as `{"Error": {"message"}}`. */
function instanceOptions(body: Uint8Array): InstanceOptions {
  try {
    return parseInstanceConfig(parseBody(body));
  } catch (e) {
    if (e instanceof PocketIcError && e.shape === 'message') throw badConfig(e.message);
    throw e;
  }
}

async function createInstance(service: PocketIcService, request: PocketRequest): Promise<PocketResponse> {
  const options = instanceOptions(request.body);
  // The gateway's fields are checked before the instance exists; it is named once it does.
  const gatewayConfig = options.httpGateway && parseHttpGatewayConfig({ ...options.httpGateway, forward_to: { PocketIcInstance: 0 } }, service.gateways.serverPort);
  const instance = service.instances.create(options);
  const subnets = instance.network.subnets.map((replica) => replica.state.config.subnetId.toText());
  service.log(`created instance ${instance.id} (subnets ${subnets.join(', ')})`);
  let gateway = null;
  if (gatewayConfig) {
    try {
      const forwardTo = { PocketIcInstance: instance.id };
      gateway = await service.gateways.start(service.instances, { ...gatewayConfig, target: { kind: 'instance', instanceId: instance.id }, forwardTo }, service.log);
    } catch (e) {
      // An instance whose gateway cannot start is not kept: the client gets the gateway's error.
      await service.instances.delete(String(instance.id));
      throw e;
    }
  }
  return json(201, { Created: { instance_id: instance.id, topology: topologyJson(instance), http_gateway_info: gateway } });
}

async function startGateway(service: PocketIcService, request: PocketRequest): Promise<PocketResponse> {
  let body: Json;
  try {
    body = parseBody(request.body);
  } catch (e) {
    throw e instanceof PocketIcError ? new PocketIcError(e.status, e.message, 'nested') : e;
  }
  const config = parseHttpGatewayConfig(body, service.gateways.serverPort);
  return json(201, { Created: await service.gateways.start(service.instances, config, service.log) });
}

function serverRoutes(service: PocketIcService): Route[] {
  return [
    { method: 'GET', pattern: '/status', handler: () => ({ status: 200, body: '' }) },
    { method: 'GET', pattern: '/instances', handler: () => json(200, service.instances.list()) },
    { method: 'POST', pattern: '/instances', handler: (request) => createInstance(service, request) },
    {
      method: 'DELETE',
      pattern: '/instances/:id',
      handler: async (request) => {
        const id = request.params.id!;
        if (/^\d+$/.test(id)) await service.gateways.stopForInstance(Number(id));
        await service.instances.delete(id);
        return { status: 200, body: '' };
      },
    },
    {
      method: 'POST',
      pattern: '/blobstore',
      handler: (request) => ({ status: 200, contentType: 'text/plain', body: service.blobs.put(request.body, request.headers['content-encoding']) }),
    },
    {
      method: 'GET',
      pattern: '/blobstore/:blob',
      handler: (request) => {
        const blob = service.blobs.raw(request.params.blob!);
        if (!blob) throw new PocketIcError(404, `BlobNotFound(${request.params.blob})`);
        return { status: 200, contentType: blob.gzipped ? 'application/gzip' : 'application/octet-stream', body: blob.bytes };
      },
    },
    { method: 'POST', pattern: '/verify_signature', handler: (request) => verifySignature(parseBody(request.body)) },
    {
      method: 'GET',
      pattern: '/read_graph/:label/:op',
      handler: (request) => {
        const response = service.graph.read(request.params.label!, request.params.op!);
        return json(response.status, response.body);
      },
    },
    {
      method: 'DELETE',
      pattern: '/prune_graph/:label/:op',
      handler: (request) => {
        service.graph.prune(request.params.label!, request.params.op!);
        return json(200, null);
      },
    },
    { method: 'GET', pattern: '/http_gateway', handler: () => json(200, service.gateways.list()) },
    { method: 'POST', pattern: '/http_gateway', handler: (request) => startGateway(service, request) },
    {
      method: 'POST',
      pattern: '/http_gateway/:gateway/stop',
      handler: async (request) => {
        await service.gateways.stop(request.params.gateway!);
        return json(200, null);
      },
    },
  ];
}

function setTime(certified: boolean): InstanceOperation {
  return (instance, body) => {
    const nanos = unsigned(object(body, 'the time'), 'nanos_since_epoch');
    if (certified) instance.setCertifiedTime(nanos);
    else instance.setTime(nanos);
    return null;
  };
}

function instanceRoutes(service: PocketIcService): Route[] {
  const on = (method: string, path: string, operation: InstanceOperation): Route => ({
    method,
    pattern: `/instances/:id${path}`,
    handler: onInstance(service, operation),
  });
  return [
    on('GET', '/_/topology', (instance) => topologyJson(instance)),
    on('GET', '/read/topology', (instance) => topologyJson(instance)),
    on('GET', '/read/get_time', (instance) => ({ nanos_since_epoch: instance.time() })),
    on('POST', '/read/query', (instance, body) => query(instance, parseCanisterCall(instance, body))),
    on('POST', '/read/ingress_status', (instance, body) => ingressStatus(instance, body)),
    on('POST', '/read/get_cycles', getCycles),
    on('POST', '/read/get_stable_memory', getStableMemory),
    on('POST', '/read/get_subnet', getSubnet),
    on('POST', '/read/pub_key', pubKey),
    on('POST', '/read/get_controllers', getControllers),
    on('GET', '/read/get_canister_http', getCanisterHttp),
    on('POST', '/update/submit_ingress_message', (instance, body) => submit(instance, parseCanisterCall(instance, body))),
    on('POST', '/update/await_ingress_message', awaitIngress),
    on('POST', '/update/execute_ingress_message', (instance, body) => execute(instance, parseCanisterCall(instance, body))),
    on('POST', '/update/tick', async (instance) => {
      await instance.tick();
      return null;
    }),
    on('POST', '/update/set_time', setTime(false)),
    on('POST', '/update/set_certified_time', setTime(true)),
    on('POST', '/update/add_cycles', addCycles),
    on('POST', '/update/set_stable_memory', (instance, body) => setStableMemory(instance, service.blobs, body)),
    on('POST', '/update/mock_canister_http', mockCanisterHttp),
    on('POST', '/update/canister_snapshot_download', downloadSnapshot),
    on('POST', '/update/canister_snapshot_upload', uploadSnapshot),
    on('GET', '/auto_progress', (instance) => instance.autoProgress),
    on('POST', '/auto_progress', (instance, body) => {
      const config = body === null ? {} : object(body, 'the auto progress config');
      const delay = config.artificial_delay_ms === undefined || config.artificial_delay_ms === null ? 0n : unsigned(config, 'artificial_delay_ms');
      instance.startAutoProgress(Number(delay));
      return null;
    }),
    on('POST', '/stop_progress', (instance) => {
      instance.stopAutoProgress();
      return null;
    }),
  ];
}

/** `/instances/<id>/api/v2|v3|v4/…`: the IC HTTP interface of the instance (CBOR, as a replica serves it). */
function apiRoute(service: PocketIcService): Route {
  return {
    method: '*',
    pattern: '/instances/:id/api/*',
    handler: async (request) => {
      const instance = service.instances.get(request.params.id!);
      const response = await instance.http.handle(request.method, `/api${request.rest}`, request.body);
      return { status: response.status, contentType: response.contentType, body: response.body };
    },
  };
}

export function pocketIcRoutes(service: PocketIcService): Route[] {
  return [...serverRoutes(service), ...instanceRoutes(service), apiRoute(service)];
}
