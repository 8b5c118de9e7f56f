#!/usr/bin/env node
// `capsule`: the composition root. `capsule start` builds a replica from the state directory's seed,
// serves the IC HTTP interface and, on the same port, the replica's dashboard and the HTTP gateway to
// canisters' pages, and drives rounds until SIGINT/SIGTERM.
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { DASHBOARD_PATH } from '../dashboard/index.ts';
import { startHttpServer, type HttpServerHandle } from '../http/index.ts';
import { describeWarning, type PersistenceWarning } from '../persistence/index.ts';
import { type OpenedReplica, openReplica } from '../replica/index.ts';
import { AppRecords, type CatalogedApp, deployApp, loadApps } from './apps/index.ts';
import { parseCommand, USAGE, UsageError } from './args.ts';
import { runDeployCommand } from './deploy_command.ts';
import { replicaFrontEnd } from './front_end.ts';
import { runIcpLauncher } from './icp_launcher.ts';
import { runInstallIcpLauncher } from './install_icp_launcher.ts';
import { runPocketIc } from './pocket_ic_command.ts';
import { runStateCommand } from './state_command.ts';
import { writeFileAtomic } from './state_dir.ts';

type StartCommand = Extract<ReturnType<typeof parseCommand>, { kind: 'start' }>;

async function start(command: StartCommand): Promise<void> {
  // Every round is durable before its results are served; a restart continues the state.
  const onWarning = (warning: PersistenceWarning): void => void process.stderr.write(`warning: ${describeWarning(warning)}\n`);
  const onBroken = (cause: string): void => {
    // Nothing of the failed round was acknowledged; serving on would show state the disk does not hold.
    process.stderr.write(`capsule: stopping: the state directory cannot be written or read back: ${cause}\n`);
    process.exit(1);
  };
  const { workers, maxLiveInstances } = command;
  const opened = openReplica({ stateDir: command.stateDir, store: { onWarning, onBroken }, funding: command.funding, workers, maxLiveInstances });
  const replica = opened.replica;
  const server = await startHttpServer({
    replica,
    host: command.host,
    port: command.port,
    log: (line) => process.stderr.write(`${line}\n`),
    frontEnd: (context) => replicaFrontEnd(context, { domains: command.domains, customDomains: command.customDomains }),
  });
  if (command.portFile) writeFileAtomic(command.portFile, String(server.port));
  process.stdout.write(`Capsule replica listening on ${server.url}\n`);
  process.stdout.write(`  canisters' pages at http://<canister-id>.localhost:${server.port}/\n`);
  process.stdout.write(`  dashboard at ${server.url}${DASHBOARD_PATH}\n`);
  const restored = opened.restoredRound === undefined ? 'new' : `restored at round ${opened.restoredRound}`;
  process.stdout.write(`  subnet ${replica.state.config.subnetId.toText()}, state dir ${resolve(command.stateDir)} (${restored})\n`);
  onShutdown(server, command.portFile, () => closeState(opened));
  await deployApps(command, server.url);
}

/** Deploys the chosen applications on the running server; one that fails is reported and skipped. */
async function deployApps({ apps: names, appsDirectory, stateDir }: StartCommand, url: string): Promise<void> {
  if (names.length === 0) return;
  process.stdout.write(`Deploying applications (${names.join(', ')}; --no-apps starts without them)\n`);
  let records: AppRecords;
  let apps: CatalogedApp[];
  try {
    records = new AppRecords(stateDir);
    apps = await loadApps(names, appsDirectory);
  } catch (error) {
    process.stderr.write(`capsule: no application deployed: ${error instanceof Error ? error.message : String(error)}\n`);
    return;
  }
  for (const app of apps) {
    const { name } = app.definition;
    try {
      const deployed = await deployApp(app, { url, stateDir, records, log: (line) => process.stdout.write(`  ${line}\n`) });
      process.stdout.write(`  ${name}: ${deployed.title} at ${deployed.url}\n`);
    } catch (error) {
      process.stderr.write(`capsule: the ${name} application could not be deployed: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
}

/** Checkpoints and releases the state directory; returns the exit code, saying what was not saved. */
function closeState(opened: OpenedReplica): number {
  const failure = opened.store?.failure;
  try {
    opened.close();
  } catch (error) {
    process.stderr.write(`capsule: the final checkpoint failed (${error instanceof Error ? error.message : String(error)}); every acknowledged round is in the round log and will be replayed at the next start\n`);
    return 1;
  }
  if (failure === undefined) return 0;
  process.stderr.write(
    `capsule: the state directory could not be written (${failure}): rounds after round ${opened.replica.state.round} were not saved; none of their calls was acknowledged\n`,
  );
  return 1;
}

function onShutdown(server: HttpServerHandle, portFile: string | undefined, closeState: () => number): void {
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) process.exit(1); // a second signal: stop now
    stopping = true;
    process.stdout.write(`Received ${signal}, shutting down\n`);
    void server.close().then(() => {
      const code = closeState();
      if (portFile) rmSync(portFile, { force: true });
      process.exit(code);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** Log lines never kill the server: a closed stdout or stderr (EPIPE) is ignored. */
function ignoreBrokenPipes(): void {
  process.stdout.on('error', () => {});
  process.stderr.on('error', () => {});
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv[0] === 'pocket-ic') {
    ignoreBrokenPipes();
    return runPocketIc(argv.slice(1), (line) => void process.stdout.write(`${line}\n`), (line) => void process.stderr.write(`${line}\n`));
  }
  if (argv[0] === 'icp-launcher') {
    ignoreBrokenPipes();
    return runIcpLauncher(argv.slice(1));
  }
  if (argv[0] === 'install-icp-launcher') return runInstallIcpLauncher(argv.slice(1));
  if (argv[0] === 'state') return runStateCommand(argv.slice(1), (text) => process.stdout.write(text), (text) => process.stderr.write(text));
  if (argv[0] === 'deploy') return runDeployCommand(argv.slice(1), (text) => process.stdout.write(text), (text) => process.stderr.write(text));
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
