// The `HttpGatewayConfig` of PocketIC's `POST /http_gateway` (and, without `forward_to`, of an
// instance's `http_gateway_config`), checked field by field; a refusal is `{"Error": {"message"}}`.
import { PocketIcError } from './errors.ts';
import { isObject, type Json, type JsonObject, object, text } from './json.ts';

/** What a gateway serves: an instance of this server, or a replica's HTTP interface at a URL. */
export type GatewayTarget = { readonly kind: 'instance'; readonly instanceId: number } | { readonly kind: 'replica'; readonly url: string };

export interface HttpGatewayConfig {
  /** A `Replica` URL naming an instance of this server is that instance. */
  readonly target: GatewayTarget;
  readonly forwardTo: Json;
  readonly ipAddr: string;
  readonly port: number;
  readonly domains: readonly string[] | undefined;
  readonly httpsConfig: { readonly certPath: string; readonly keyPath: string } | undefined;
  readonly customDomainsFile: string | undefined;
}

/** A refusal of the gateway's configuration: PocketIC answers these as `{"Error": {"message"}}`. */
export function refused(status: number, message: string): PocketIcError {
  return new PocketIcError(status, message, 'nested');
}

function optionalText(body: JsonObject, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw refused(400, `Field \`${name}\` must be a string`);
  return value;
}

function portOf(body: JsonObject): number {
  const value = body.port;
  if (value === undefined || value === null) return 0;
  const port = typeof value === 'bigint' ? Number(value) : value;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 0xffff) throw refused(400, 'Field `port` must be a u16');
  return port;
}

function domainsOf(body: JsonObject): string[] | undefined {
  const value = body.domains;
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((domain) => typeof domain !== 'string')) throw refused(400, 'Field `domains` must be a list of strings');
  return (value as string[]).map((domain) => domain.toLowerCase());
}

function httpsConfigOf(body: JsonObject): HttpGatewayConfig['httpsConfig'] {
  const value = body.https_config;
  if (value === undefined || value === null) return undefined;
  const config = object(value, 'https_config');
  return { certPath: text(config, 'cert_path'), keyPath: text(config, 'key_path') };
}

/** The target of `forward_to`: `{"PocketIcInstance": n}` or `{"Replica": "<url>"}`. */
function targetOf(forwardTo: Json | undefined, serverPort: number): GatewayTarget {
  const shape = 'Field `forward_to` must be {"PocketIcInstance": <id>} or {"Replica": "<url>"}';
  if (!isObject(forwardTo)) throw refused(400, shape);
  const id = forwardTo.PocketIcInstance;
  if (typeof id === 'number' || typeof id === 'bigint') return { kind: 'instance', instanceId: Number(id) };
  if (typeof forwardTo.Replica !== 'string') throw refused(400, shape);
  let url: URL;
  try {
    url = new URL(forwardTo.Replica);
  } catch {
    throw refused(400, `Invalid replica URL: ${forwardTo.Replica}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refused(400, `Invalid replica URL: ${forwardTo.Replica}`);
  // This server's own instance is served directly, not through its HTTP interface.
  const match = /^\/instances\/(\d+)\/?$/.exec(url.pathname);
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) && Number(url.port) === serverPort;
  if (match && local) return { kind: 'instance', instanceId: Number(match[1]) };
  return { kind: 'replica', url: `${url.origin}${url.pathname.replace(/\/+$/, '')}` };
}

/** The `HttpGatewayConfig` of PocketIC, from `POST /http_gateway` or an instance's `http_gateway_config`. */
export function parseHttpGatewayConfig(body: Json, serverPort: number): HttpGatewayConfig {
  try {
    return parse(body, serverPort);
  } catch (e) {
    // The JSON readers' `{"message"}` refusals become the gateway's `{"Error": {"message"}}`.
    if (e instanceof PocketIcError && e.shape === 'message') throw refused(e.status, e.message);
    throw e;
  }
}

function parse(body: Json, serverPort: number): HttpGatewayConfig {
  const config = object(body, 'the HTTP gateway configuration');
  return {
    target: targetOf(config.forward_to, serverPort),
    forwardTo: config.forward_to ?? null,
    ipAddr: optionalText(config, 'ip_addr') ?? '127.0.0.1',
    port: portOf(config),
    domains: domainsOf(config),
    httpsConfig: httpsConfigOf(config),
    customDomainsFile: optionalText(config, 'domain_custom_provider_local_file'),
  };
}
