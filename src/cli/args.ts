// Command-line arguments of `capsule`: parsed into a typed command, or a usage error (a value).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Principal } from '../state/index.ts';
import { appNames, appsDirectory as shippedApps } from './apps/index.ts';

export const USAGE = `Usage:
  capsule start [options]   Run a local Internet Computer replica with the IC HTTP interface
  capsule state …           List a state directory, export or import a canister (capsule state --help)
  capsule pocket-ic …       Serve the PocketIC REST API for pic-js and other PocketIC clients (capsule pocket-ic --help)
  capsule deploy --assets DIR  Upload a folder to a certified asset canister (capsule deploy --help)
  capsule icp-launcher …    Run as icp-cli's network launcher (bin/icp-cli-network-launcher; capsule icp-launcher --help)
  capsule install-icp-launcher  Make Capsule the launcher of a plain \`icp network start\`
  capsule --help            Show this help

Options of start:
  --host HOST          Address to listen on (default 127.0.0.1)
  --port PORT          Port to listen on (default 4943; 0 picks a free port)
  --state-dir DIR      Where the replica keeps its keys and state (default .capsule/ in the cwd)
  --port-file FILE     Write the port to FILE once the server is ready
  --domain DOMAIN      Serve canisters at <id>.DOMAIN and <id>.raw.DOMAIN (repeatable; default localhost
                       and 127.0.0.1); ?canisterId=<id> works on any host
  --custom-domain HOST=ID
                       Serve canister ID at http://HOST:PORT/ (repeatable)
  --funding MODE       lazy (default): every user starts with 1000 T cycles; icp-cli: the anonymous
                       principal holds very large ICP and cycles balances, nobody else is funded
  --apps NAME,…        Deploy only these applications of apps/ (default: all of them, on every start;
                       canisters are created once and upgraded when their source changes)
  --no-apps            Deploy no application
  --apps-dir DIR       Deploy the applications of DIR (each a folder with an app.ts) instead of Capsule's own
  --workers N          Workers that execute a round's canisters (default: the machine's cores); the
                       state is the same for any count
  --max-live-instances N
                       Wasm instances kept live (default 1000); beyond it the least recently used idle
                       canisters keep their memory as bytes and are instantiated again when called
`;

export type Command =
  | { kind: 'help' }
  | {
      kind: 'start';
      host: string;
      port: number;
      stateDir: string;
      portFile: string | undefined;
      domains: string[] | undefined;
      customDomains: Map<string, Principal>;
      funding: 'lazy' | 'icp-cli';
      /** The applications to deploy, by name, and the folder they are in. */
      apps: string[];
      appsDirectory: string;
      workers: number | undefined;
      maxLiveInstances: number | undefined;
    };

export class UsageError {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

function parseOptions(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      host: { type: 'string' },
      port: { type: 'string' },
      'state-dir': { type: 'string' },
      'port-file': { type: 'string' },
      domain: { type: 'string', multiple: true },
      'custom-domain': { type: 'string', multiple: true },
      funding: { type: 'string' },
      apps: { type: 'string' },
      'no-apps': { type: 'boolean' },
      'apps-dir': { type: 'string' },
      workers: { type: 'string' },
      'max-live-instances': { type: 'string' },
    },
  });
}

export function parseCommand(argv: readonly string[]): Command | UsageError {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (e) {
    return new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) return { kind: 'help' };
  if (positionals[0] !== 'start' || positionals.length > 1) return new UsageError(`Unknown command: ${positionals.join(' ')}`);
  const port = Number(values.port ?? '4943');
  if (!Number.isInteger(port) || port < 0 || port > 65535) return new UsageError(`Invalid port: ${values.port}`);
  const customDomains = parseCustomDomains(values['custom-domain'] ?? []);
  if (customDomains instanceof UsageError) return customDomains;
  const funding = values.funding ?? 'lazy';
  if (funding !== 'lazy' && funding !== 'icp-cli') return new UsageError(`Invalid --funding ${funding}: expected lazy or icp-cli`);
  const appsDirectory = values['apps-dir'] === undefined ? shippedApps : resolve(values['apps-dir']);
  const apps = parseApps(values.apps, values['no-apps'] ?? false, appsDirectory);
  if (apps instanceof UsageError) return apps;
  const workers = count(values.workers, '--workers', 1);
  if (workers instanceof UsageError) return workers;
  const maxLiveInstances = count(values['max-live-instances'], '--max-live-instances', 0);
  if (maxLiveInstances instanceof UsageError) return maxLiveInstances;
  return {
    kind: 'start',
    host: values.host ?? '127.0.0.1',
    port,
    stateDir: values['state-dir'] ?? '.capsule',
    portFile: values['port-file'],
    domains: values.domain?.map((d) => d.toLowerCase()),
    customDomains,
    funding,
    apps,
    appsDirectory,
    workers,
    maxLiveInstances,
  };
}

function parseApps(list: string | undefined, none: boolean, directory: string): string[] | UsageError {
  if (none && list !== undefined) return new UsageError('--apps and --no-apps exclude each other');
  if (none) return [];
  const known = appNames(directory);
  if (list === undefined) return known;
  const names = list.split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) return new UsageError(`Unknown application ${unknown.join(', ')} in --apps (known: ${known.join(', ') || 'none'})`);
  return names;
}

/** An integer option of at least `least`; undefined when not given (the replica's default). */
function count(value: string | undefined, flag: string, least: number): number | undefined | UsageError {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed) || parsed < least) return new UsageError(`Invalid ${flag} ${value}: expected an integer of at least ${least}`);
  return parsed;
}

function parseCustomDomains(values: readonly string[]): Map<string, Principal> | UsageError {
  const domains = new Map<string, Principal>();
  for (const value of values) {
    const [host, id] = value.split('=');
    try {
      if (!host || !id) throw new Error('expected HOST=ID');
      domains.set(host.toLowerCase(), Principal.fromText(id));
    } catch (e) {
      return new UsageError(`Invalid --custom-domain ${value}: ${(e as Error).message}`);
    }
  }
  return domains;
}
