#!/usr/bin/env node
// `capsule`: the composition root (style R12). `capsule start` builds a replica from the state
// directory's seed, serves the IC HTTP interface and drives rounds until SIGINT/SIGTERM.
import { rmSync } from 'node:fs';
import { Replica } from '../api/replica.ts';
import { startHttpServer, type HttpServerHandle } from '../http/index.ts';
import { parseCommand, USAGE, UsageError } from './args.ts';
import { openStateDir, writeFileAtomic } from './state_dir.ts';

type StartCommand = Extract<ReturnType<typeof parseCommand>, { kind: 'start' }>;

async function start(command: StartCommand): Promise<void> {
  const stateDir = openStateDir(command.stateDir);
  const replica = new Replica({ seed: stateDir.seed, time: BigInt(Date.now()) * 1_000_000n, costSchedule: 'application' });
  const server = await startHttpServer({
    replica,
    host: command.host,
    port: command.port,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  if (command.portFile) writeFileAtomic(command.portFile, String(server.port));
  process.stdout.write(`Capsule replica listening on ${server.url}\n`);
  process.stdout.write(`  subnet ${replica.state.config.subnetId.toText()}, state dir ${stateDir.path}\n`);
  onShutdown(server, command.portFile);
}

function onShutdown(server: HttpServerHandle, portFile: string | undefined): void {
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) process.exit(1); // a second signal: stop now
    stopping = true;
    process.stdout.write(`Received ${signal}, shutting down\n`);
    void server.close().then(() => {
      if (portFile) rmSync(portFile, { force: true });
      process.exit(0);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function main(argv: readonly string[]): Promise<number> {
  const command = parseCommand(argv);
  if (command instanceof UsageError) {
    process.stderr.write(`${command.message}\n\n${USAGE}`);
    return 2;
  }
  if (command.kind === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  await start(command);
  return -1; // keep running
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (e: unknown) => {
    process.stderr.write(`capsule: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
