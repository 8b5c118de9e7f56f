// `capsule pocket-ic`: Capsule as the PocketIC server executable, with the real server's start-up
// contract: the port file is created exclusively, filled with "<port>\n" only once the server
// listens, and removed on exit. An existing port file belongs to another server: this one stays
// idle until SIGTERM, so that a client's stop() still sees it exit.
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { POCKET_IC_SERVER_VERSION, type PocketIcServerHandle, startPocketIcServer } from '../pocketic/index.ts';
import { UsageError } from './args.ts';

export const POCKET_IC_USAGE = `Usage: capsule pocket-ic [options]   (also: bin/pocket-ic [options])
Serve the PocketIC REST API (server ${POCKET_IC_SERVER_VERSION}) for pic-js and the Rust and Python clients.

Options:
  --port-file FILE      Create FILE exclusively and write the port into it once listening
  -p, --port PORT       Port to listen on (default 0: a free port)
  -i, --ip-addr IP      Address to listen on (default 127.0.0.1)
  --ttl SECONDS         Exit after SECONDS without requests (default: exit when the parent process exits)
  --hard-ttl SECONDS    Exit after SECONDS in any case
  -l, --log-levels L    Server log level: trace, debug, info (default), warn, error or off
  --version             Print the PocketIC server version whose API is served
  --pid PID             Legacy: the port file is <tmp>/pocket_ic_PID.port
`;

export interface PocketIcCommand {
  kind: 'version' | 'help' | 'serve';
  portFile: string | undefined;
  readyFile: string | undefined;
  port: number;
  host: string;
  ttlSeconds: number | undefined;
  hardTtlSeconds: number | undefined;
  quiet: boolean;
  /** The process whose exit ends a server without --ttl. */
  parentPid: number;
}

function seconds(value: string | undefined, name: string): number | undefined | UsageError {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : new UsageError(`Invalid ${name}: ${value}`);
}

/**
 * bin/pocket-ic passes its own parent's pid: a parent that exits while Node is still starting is
 * noticed too (Node's own `ppid` would already be the reaper's).
 */
function parentPid(env: NodeJS.ProcessEnv): number {
  const passed = Number(env.CAPSULE_POCKET_IC_PARENT_PID);
  return Number.isInteger(passed) && passed > 0 ? passed : process.ppid;
}

export function parsePocketIcCommand(argv: readonly string[], env: NodeJS.ProcessEnv = {}): PocketIcCommand | UsageError {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        'port-file': { type: 'string' },
        port: { type: 'string', short: 'p' },
        'ip-addr': { type: 'string', short: 'i' },
        ttl: { type: 'string' },
        'hard-ttl': { type: 'string' },
        'log-levels': { type: 'string', short: 'l' },
        version: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        pid: { type: 'string' },
        // Flags of the real server that only matter for mainnet routing: accepted, without effect.
        'mainnet-routing-table': { type: 'string' },
        'fetch-mainnet-routing-table': { type: 'boolean' },
        'mainnet-registry-version': { type: 'string' },
      },
    }).values;
  } catch (e) {
    return new UsageError((e as Error).message);
  }
  const port = Number(values.port ?? '0');
  if (!Number.isInteger(port) || port < 0 || port > 65535) return new UsageError(`Invalid port: ${String(values.port)}`);
  const ttl = seconds(values.ttl as string | undefined, 'ttl');
  const hardTtl = seconds(values['hard-ttl'] as string | undefined, 'hard-ttl');
  if (ttl instanceof UsageError) return ttl;
  if (hardTtl instanceof UsageError) return hardTtl;
  const pid = values.pid as string | undefined;
  const level = String(values['log-levels'] ?? 'info').toLowerCase();
  return {
    kind: values.version ? 'version' : values.help ? 'help' : 'serve',
    portFile: (values['port-file'] as string | undefined) ?? (pid ? join(tmpdir(), `pocket_ic_${pid}.port`) : undefined),
    readyFile: pid ? join(tmpdir(), `pocket_ic_${pid}.ready`) : undefined,
    port,
    host: (values['ip-addr'] as string | undefined) ?? '127.0.0.1',
    ttlSeconds: ttl,
    hardTtlSeconds: hardTtl,
    quiet: ['warn', 'error', 'off'].includes(level),
    parentPid: parentPid(env),
  };
}

/** Resolves on SIGTERM or SIGINT; the process stays alive until then (signal listeners alone do not keep it). */
function waitForSignal(): Promise<string> {
  const alive = setInterval(() => {}, 2 ** 30);
  return new Promise((resolve) => {
    const stop = (signal: string): void => {
      clearInterval(alive);
      resolve(signal);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

/** Creates the port file exclusively; undefined if it exists (another server owns it). */
function claimPortFile(path: string): number | undefined {
  try {
    return openSync(path, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw e;
  }
}

const WATCH_MS = 250;

/** Resolves once the process that started this one has exited (it is then re-parented). */
function parentExited(parentPid: number): Promise<string> {
  return new Promise((resolve) => {
    setInterval(() => {
      if (process.ppid !== parentPid) resolve('parent process exited');
    }, WATCH_MS).unref();
  });
}

/** Resolves with the reason to stop: a signal, the hard TTL, and the idle TTL or else the parent's exit. */
function stopReason(server: PocketIcServerHandle, command: PocketIcCommand, signal: Promise<string>): Promise<string> {
  return new Promise((resolve) => {
    void signal.then(resolve);
    if (command.hardTtlSeconds !== undefined) setTimeout(() => resolve('hard TTL'), command.hardTtlSeconds * 1000);
    if (command.ttlSeconds === undefined) {
      void parentExited(command.parentPid).then(resolve);
      return;
    }
    const idleMs = command.ttlSeconds * 1000;
    setInterval(() => {
      if (server.inFlight() === 0 && performance.now() - server.lastActivity() >= idleMs) resolve('TTL');
    }, WATCH_MS).unref();
  });
}

async function serve(command: PocketIcCommand, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  // Signals are handled from the start: a SIGTERM during start-up still removes the port file.
  const signal = waitForSignal();
  const fd = command.portFile === undefined ? undefined : claimPortFile(command.portFile);
  if (command.portFile !== undefined && fd === undefined) {
    out(`The port file ${command.portFile} exists: another server owns it. Idle until SIGTERM.`);
    await Promise.race([signal, parentExited(command.parentPid)]);
    return 0;
  }
  const removePortFile = (): void => {
    if (command.portFile !== undefined) rmSync(command.portFile, { force: true });
    if (command.readyFile !== undefined) rmSync(command.readyFile, { force: true });
  };
  process.once('exit', removePortFile);
  const log = command.quiet ? () => {} : out;
  const server = await startPocketIcServer({ host: command.host, port: command.port, log, canisterLog: err });
  if (fd !== undefined) {
    writeSync(fd, `${server.port}\n`);
    closeSync(fd);
  }
  if (command.readyFile !== undefined) closeSync(openSync(command.readyFile, 'w'));
  log(`PocketIC server (Capsule, API ${POCKET_IC_SERVER_VERSION}) listening on ${server.url}`);
  const reason = await stopReason(server, command, signal);
  log(`Stopping (${reason})`);
  // Instances with a state directory write a checkpoint; the exit does not wait longer than this.
  await Promise.race([server.close(), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
  removePortFile();
  return 0;
}

export async function runPocketIc(argv: readonly string[], out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const command = parsePocketIcCommand(argv, process.env);
  if (command instanceof UsageError) {
    err(`${command.message}\n\n${POCKET_IC_USAGE}`);
    return 2;
  }
  if (command.kind === 'version') {
    out(`pocket-ic-server ${POCKET_IC_SERVER_VERSION}`);
    return 0;
  }
  if (command.kind === 'help') {
    out(POCKET_IC_USAGE);
    return 0;
  }
  return serve(command, out, err);
}
