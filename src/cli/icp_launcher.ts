// `capsule icp-launcher`: Capsule as icp-cli's network launcher (interface 1.1, as icp-cli 1.5 runs it).
// It serves the IC API, the HTTP gateway and the replica's dashboard on `--bind`:`--gateway-port`, writes
// `<status-dir>/status.json` only once the network is ready, follows icp-cli's custom-domains file, and on
// SIGINT/SIGTERM (repeated signals are normal: a terminal's Ctrl-C reaches icp-cli and the launcher) stops
// within 10 s and removes the status directory, which icp-cli leaves to the launcher. A failure to start
// exits 1 with the reason on stderr, after closing whatever was opened.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { followCustomDomains } from '../gateway/index.ts';
import { type HttpServerHandle, startHttpServer } from '../http/index.ts';
import { describeWarning, type PersistenceWarning } from '../persistence/index.ts';
import { type OpenedReplica, openReplica } from '../replica/index.ts';
import type { Principal } from '../state/index.ts';
import { UsageError } from './args.ts';
import { replicaFrontEnd } from './front_end.ts';
import { LAUNCHER_USAGE, type LauncherOptions, parseLauncherArgs } from './icp_launcher_args.ts';
import { writeFileAtomic } from './state_dir.ts';

/** icp-cli waits 10 s for the launcher to exit after its SIGINT; leave margin for process exit. */
const STOP_DEADLINE_MS = 8_000;

export interface LauncherStatus {
  v: '1';
  gateway_port: number;
  root_key: string;
  supported_features: string[];
}

const stderr = (line: string): void => void process.stderr.write(`${line}\n`);

function statusOf(server: HttpServerHandle, opened: OpenedReplica): LauncherStatus {
  const rootKey = Buffer.from(opened.replica.rootKey.publicKeyDer).toString('hex');
  return { v: '1', gateway_port: server.port, root_key: rootKey, supported_features: ['custom-domains'] };
}

/** Runs the launcher until a signal; resolves with the exit code only when it cannot start. */
export async function runIcpLauncher(argv: readonly string[]): Promise<number> {
  const options = parseLauncherArgs(argv);
  if (options instanceof UsageError) {
    stderr(`capsule icp-launcher: ${options.message}\n\n${LAUNCHER_USAGE}`);
    return 2;
  }
  if ('kind' in options) {
    process.stdout.write(LAUNCHER_USAGE);
    return 0;
  }
  for (const warning of options.warnings) stderr(`warning: ${warning}`);
  const stop = new Stopper(options.statusDir);
  stop.listen();
  try {
    await launch(options, stop);
    return -1;
  } catch (error) {
    stderr(`capsule icp-launcher: ${reasonOf(error, options)}`);
    stop.cleanUp();
    return 1;
  }
}

async function launch(options: LauncherOptions, stop: Stopper): Promise<void> {
  const onWarning = (warning: PersistenceWarning): void => stderr(`warning: ${describeWarning(warning)}`);
  const onBroken = (cause: string): void => {
    stderr(`capsule icp-launcher: stopping: the state directory cannot be written or read back: ${cause}`);
    stop.now(1);
  };
  if (options.stateDir !== undefined) mkdirSync(options.stateDir, { recursive: true });
  const opened = openReplica({ stateDir: options.stateDir, store: { onWarning, onBroken }, funding: 'icp-cli' });
  stop.opened = opened;
  const customDomains = new Map<string, Principal>();
  const domainsFile = options.customDomainsFile ?? (options.statusDir && join(options.statusDir, 'custom-domains.txt'));
  if (domainsFile) stop.unfollow = followCustomDomains(domainsFile, customDomains, (message) => stderr(`warning: ${message}`));
  const server = await startHttpServer({
    replica: opened.replica,
    host: options.bind,
    port: options.gatewayPort ?? 0,
    log: stderr,
    debug: options.verbose ? stderr : undefined,
    frontEnd: (context) => replicaFrontEnd(context, { domains: options.domains, customDomains }),
  });
  stop.server = server;
  const status = statusOf(server, opened);
  if (options.statusDir !== undefined) {
    mkdirSync(options.statusDir, { recursive: true });
    // icp-cli reads the file as soon as it ends with a newline: it is written whole, by rename.
    writeFileAtomic(join(options.statusDir, 'status.json'), `${JSON.stringify(status)}\n`);
  }
  process.stdout.write(`Capsule network ready: API and gateway at http://${options.domains[0]}:${server.port}/ (bind ${server.host})\n`);
}

function reasonOf(error: unknown, options: LauncherOptions): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return `cannot listen on ${options.bind}:${options.gatewayPort}: the address is already in use (EADDRINUSE)`;
  if (code === 'EADDRNOTAVAIL' || code === 'EACCES') return `cannot listen on ${options.bind}:${options.gatewayPort ?? 0}: ${(error as Error).message}`;
  return error instanceof Error ? error.message : String(error);
}

/** What has been started so far, taken down once, whatever the number of signals. */
class Stopper {
  readonly #statusDir: string | undefined;
  opened: OpenedReplica | undefined;
  server: HttpServerHandle | undefined;
  unfollow: (() => void) | undefined;
  #stopping = false;

  constructor(statusDir: string | undefined) {
    this.#statusDir = statusDir;
  }

  listen(): void {
    process.on('SIGINT', () => this.now(0));
    process.on('SIGTERM', () => this.now(0));
  }

  /** Stops the server, checkpoints the state, removes the status directory and exits with `code`. */
  now(code: number): void {
    if (this.#stopping) return;
    this.#stopping = true;
    setTimeout(() => {
      stderr('capsule icp-launcher: the network did not stop in time; exiting');
      this.#removeStatusDir();
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    const closed = this.server ? this.server.close() : Promise.resolve();
    void closed.then(() => process.exit(this.cleanUp() ? code : 1));
  }

  /** Closes the state and removes the status directory; false when the final checkpoint failed. */
  cleanUp(): boolean {
    this.unfollow?.();
    let saved = true;
    try {
      this.opened?.close();
    } catch (error) {
      stderr(`capsule icp-launcher: the final checkpoint failed: ${error instanceof Error ? error.message : String(error)}`);
      saved = false;
    }
    this.opened = undefined;
    this.#removeStatusDir();
    return saved;
  }

  #removeStatusDir(): void {
    if (this.#statusDir !== undefined) rmSync(this.#statusDir, { recursive: true, force: true });
  }
}
