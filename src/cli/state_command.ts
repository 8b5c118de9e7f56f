// `capsule state list|export|import|repair`: look into a state directory, move canisters between state
// directories as snapshot files, repair a damaged one (docs/storage-format.md). Errors come back as values to print.
import { parseArgs } from 'node:util';
import { exportCanister, importCanister, inspectStateDir, PersistenceError, describeWarning, type RepairReport, repairStateDir, type StateDirSummary } from '../persistence/index.ts';

export const STATE_USAGE = `Usage:
  capsule state list [--state-dir DIR] [--json]
      The subnet, last durable round and canisters (status, heap, stable memory, snapshots) of DIR.
  capsule state export CANISTER FILE [--snapshot ID] [--state-dir DIR]
      Write CANISTER's current state, or its snapshot ID (hex), to FILE as a snapshot file.
  capsule state import CANISTER FILE [--state-dir DIR]
      Add the snapshot file FILE to CANISTER of DIR (not in use) as a snapshot; load it with
      load_canister_snapshot. Prints the snapshot's id.
  capsule state repair [--state-dir DIR]
      Make DIR (not in use) open again after damage, keeping every round that can be read: what
      cannot be read is moved to DIR/damaged/ (never deleted) and any lost rounds are reported.
The state directory defaults to .capsule/ in the current directory.
`;

function bytes(value: bigint): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let amount = Number(value);
  let unit = 0;
  while (amount >= 1024 && unit < units.length - 1) {
    amount /= 1024;
    unit++;
  }
  return `${unit === 0 ? amount : amount.toFixed(1)} ${units[unit]}`;
}

function table(summary: StateDirSummary): string {
  const lines = [
    `state dir ${summary.path} (format ${summary.formatVersion}, ${bytes(BigInt(summary.diskBytes))} on disk)`,
    `subnet ${summary.subnetId} (${summary.costSchedule}), round ${summary.round}, time ${summary.time}, checkpoint at round ${summary.checkpointRound}`,
  ];
  const header = ['canister', 'status', 'module', 'heap', 'stable', 'cycles', 'snapshots'];
  const rows = summary.canisters.map((c) => [c.id, c.status, c.moduleHash ? c.moduleHash.slice(0, 12) : '-', bytes(c.heapBytes), bytes(c.stableBytes), String(c.cycles), String(c.snapshots)]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  for (const row of [header, ...rows]) lines.push(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
  for (const warning of summary.warnings) lines.push(`warning: ${describeWarning(warning)}`);
  return `${lines.join('\n')}\n`;
}

function repairText(report: RepairReport): string {
  if (report.actions.length === 0) return `${report.path} needs no repair: rounds up to ${report.round} (checkpoint at round ${report.checkpointRound})\n`;
  const lines = [...report.actions.map((action) => `repaired: ${action}`), `${report.path} now holds rounds up to ${report.round} (checkpoint at round ${report.checkpointRound})`];
  lines.push(report.losses.length === 0 ? 'no round was lost' : `lost: ${report.losses.join('; ')}`);
  return `${lines.join('\n')}\n`;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: { 'state-dir': { type: 'string' }, snapshot: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
}

/** Runs `capsule state …` (argv after `state`); returns the exit code. */
export function runStateCommand(argv: readonly string[], out: (text: string) => void, err: (text: string) => void): number {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    err(`${(error as Error).message}\n\n${STATE_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [action, canister, file] = positionals;
  const dir = values['state-dir'] ?? '.capsule';
  try {
    if (values.help || action === undefined) out(STATE_USAGE);
    else if (action === 'list' && positionals.length === 1) {
      const summary = inspectStateDir(dir);
      out(values.json ? `${JSON.stringify(summary, (_, value) => (typeof value === 'bigint' ? value.toString() : value), 2)}\n` : table(summary));
    } else if (action === 'export' && canister && file && positionals.length === 3) {
      const result = exportCanister(dir, canister, file, { snapshotId: values.snapshot });
      out(`wrote ${file} (${bytes(BigInt(result.bytes))}, snapshot ${result.snapshotId})\n`);
    } else if (action === 'repair' && positionals.length === 1) {
      out(repairText(repairStateDir(dir)));
    } else if (action === 'import' && canister && file && positionals.length === 3) {
      out(`${importCanister(dir, canister, file).snapshotId}\n`);
    } else {
      err(`Unknown state command: ${positionals.join(' ')}\n\n${STATE_USAGE}`);
      return 2;
    }
    return 0;
  } catch (error) {
    if (!(error instanceof PersistenceError)) throw error;
    err(`capsule state ${action}: ${error.message}\n`);
    return 1;
  }
}
