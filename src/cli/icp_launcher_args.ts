// Command-line flags of `capsule icp-launcher`: icp-cli's network launcher interface 1.1 as icp-cli passes
// it (`--flag value` and `--flag=value` alike). Flags this launcher does not know, or knows but does not
// implement, are warnings, not errors: a newer icp-cli may pass flags of a newer minor interface version.
import { parseArgs } from 'node:util';
import { UsageError } from './args.ts';

export const LAUNCHER_INTERFACE_VERSION = '1.1.0';

export interface LauncherOptions {
  readonly stateDir: string | undefined;
  readonly statusDir: string | undefined;
  readonly bind: string;
  /** Undefined: a free port. */
  readonly gatewayPort: number | undefined;
  readonly domains: readonly string[];
  /** `host:principal` lines; default `<status-dir>/custom-domains.txt`. */
  readonly customDomainsFile: string | undefined;
  readonly verbose: boolean;
  readonly warnings: readonly string[];
}

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  'interface-version': { type: 'string' },
  'state-dir': { type: 'string' },
  'status-dir': { type: 'string' },
  bind: { type: 'string' },
  'gateway-port': { type: 'string' },
  domain: { type: 'string', multiple: true },
  'custom-domains-file': { type: 'string' },
  verbose: { type: 'boolean' },
  // Accepted; a local Capsule network has no counterpart for them (see IGNORED).
  ii: { type: 'boolean' },
  nns: { type: 'boolean' },
  'artificial-delay-ms': { type: 'string' },
  subnet: { type: 'string', multiple: true },
  'bitcoind-addr': { type: 'string', multiple: true },
  'dogecoind-addr': { type: 'string', multiple: true },
  'config-port': { type: 'string' },
  'pocketic-config-bind': { type: 'string' },
  'pocketic-server-path': { type: 'string' },
  'stdout-file': { type: 'string' },
  'stderr-file': { type: 'string' },
} as const;

/** Accepted flags without an effect here, and why. */
const IGNORED: Record<string, string> = {
  ii: 'Internet Identity is not provided',
  nns: 'the NNS canisters are not provided',
  'bitcoind-addr': 'there is no Bitcoin integration',
  'dogecoind-addr': 'there is no Dogecoin integration',
  'config-port': 'there is no PocketIC configuration port',
  'pocketic-config-bind': 'there is no PocketIC configuration port',
  'pocketic-server-path': 'Capsule is the server',
  'stdout-file': 'output goes to the inherited stdout',
  'stderr-file': 'output goes to the inherited stderr',
};

export const LAUNCHER_USAGE = `Usage: capsule icp-launcher [options]   (icp-cli's network launcher, interface ${LAUNCHER_INTERFACE_VERSION})
  --interface-version V  The interface version icp-cli asks for (major version 1)
  --state-dir DIR        Where the replica keeps its state (default: in memory)
  --status-dir DIR       Where status.json is written once the network is ready; removed on exit
  --bind IP              Address to listen on (default 127.0.0.1)
  --gateway-port PORT    Port of the IC API and the HTTP gateway (default: a free port)
  --domain DOMAIN        Serve canisters at <id>.DOMAIN (repeatable; localhost always)
  --custom-domains-file F  host:canister-id lines, reloaded on change (default <status-dir>/custom-domains.txt)
  --verbose              Log every request
Accepted and ignored: --ii --nns --subnet --artificial-delay-ms --bitcoind-addr --dogecoind-addr
  --config-port --pocketic-config-bind --pocketic-server-path --stdout-file --stderr-file
`;

function parse(argv: readonly string[]) {
  return parseArgs({ args: [...argv], options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
}

function unknownFlagWarnings(tokens: ReturnType<typeof parse>['tokens']): string[] {
  const warnings: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'option' && !Object.hasOwn(OPTIONS, token.name)) warnings.push(`unknown flag ${token.rawName} ignored`);
    if (token.kind === 'positional') warnings.push(`unexpected argument ${token.value} ignored`);
  }
  return warnings;
}

function ignoredFlagWarnings(values: Record<string, unknown>): string[] {
  const warnings = Object.keys(IGNORED)
    .filter((name) => values[name] !== undefined)
    .map((name) => `--${name} ignored: ${IGNORED[name]}`);
  const subnets = (values.subnet as string[] | undefined) ?? [];
  const others = subnets.filter((kind) => kind !== 'application');
  if (others.length > 0) warnings.push(`--subnet=${others.join(',')} ignored: the network has one application subnet`);
  return warnings;
}

function stringOf(values: Record<string, unknown>, name: string): string | undefined | UsageError {
  const value = values[name];
  if (value === undefined || typeof value === 'string') return value;
  return new UsageError(`--${name} needs a value`);
}

export function parseLauncherArgs(argv: readonly string[]): LauncherOptions | UsageError | { kind: 'help' } {
  const { values, tokens } = parse(argv);
  if (values.help) return { kind: 'help' };
  const strings: Record<string, string | undefined> = {};
  for (const name of ['interface-version', 'state-dir', 'status-dir', 'bind', 'gateway-port', 'custom-domains-file']) {
    const value = stringOf(values, name);
    if (value instanceof UsageError) return value;
    strings[name] = value;
  }
  const version = strings['interface-version'];
  if (version !== undefined && !/^1(\.\d+){0,2}$/.test(version)) {
    return new UsageError(`Unsupported interface version ${version}: this launcher implements ${LAUNCHER_INTERFACE_VERSION}`);
  }
  const portText = strings['gateway-port'];
  const gatewayPort = portText === undefined ? undefined : Number(portText);
  if (gatewayPort !== undefined && (!Number.isInteger(gatewayPort) || gatewayPort < 0 || gatewayPort > 65535)) return new UsageError(`Invalid --gateway-port ${portText}`);
  const domainValues = (values.domain as (string | boolean)[] | undefined) ?? [];
  if (domainValues.some((domain) => typeof domain !== 'string')) return new UsageError('--domain needs a value');
  const given = (domainValues as string[]).map((domain) => domain.toLowerCase());
  return {
    stateDir: strings['state-dir'],
    statusDir: strings['status-dir'],
    bind: strings.bind ?? '127.0.0.1',
    gatewayPort: gatewayPort === 0 ? undefined : gatewayPort,
    domains: [...new Set(['localhost', ...given])],
    customDomainsFile: strings['custom-domains-file'],
    verbose: values.verbose === true,
    warnings: [...unknownFlagWarnings(tokens), ...ignoredFlagWarnings(values)],
  };
}
