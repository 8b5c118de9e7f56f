// Shared helpers of the persistence tests: temporary state directories, management calls, and a
// reader of round-log segments that locates records so tests can damage them precisely.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Principal } from '@dfinity/principal';
import type { Capsule } from '../../src/api/index.ts';
import { candid } from '../../src/management/index.ts';

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `capsule-${label}-`));
}

export async function takeSnapshot(ic: Capsule, canisterId: Principal): Promise<Uint8Array> {
  const arg = candid.encodeManagementArg('take_canister_snapshot', { canister_id: canisterId, replace_snapshot: [], uninstall_code: [], sender_canister_version: [] });
  return candid.decodeManagementResult('take_canister_snapshot', await ic.callManagement('take_canister_snapshot', arg)).id;
}

export async function loadSnapshot(ic: Capsule, canisterId: Principal, snapshotId: Uint8Array): Promise<void> {
  const arg = candid.encodeManagementArg('load_canister_snapshot', { canister_id: canisterId, snapshot_id: snapshotId, sender_canister_version: [] });
  await ic.callManagement('load_canister_snapshot', arg);
}

export async function uploadChunk(ic: Capsule, canisterId: Principal, chunk: Uint8Array): Promise<void> {
  await ic.callManagement('upload_chunk', candid.encodeManagementArg('upload_chunk', { canister_id: canisterId, chunk }));
}

export async function deleteCanister(ic: Capsule, canisterId: Principal): Promise<void> {
  await ic.callManagement('stop_canister', candid.encodeManagementArg('stop_canister', { canister_id: canisterId }));
  await ic.callManagement('delete_canister', candid.encodeManagementArg('delete_canister', { canister_id: canisterId }));
}

/** Log segments of a state directory, oldest first. */
export function segments(stateDir: string): string[] {
  return readdirSync(join(stateDir, 'log')).filter((name) => name.endsWith('.log')).sort().map((name) => join(stateDir, 'log', name));
}

/** Offsets and sizes of the records of a segment (header 32 bytes; frame 24 bytes + body). */
export function records(path: string): { offset: number; size: number; round: bigint }[] {
  const bytes = readFileSync(path);
  const out: { offset: number; size: number; round: bigint }[] = [];
  for (let offset = 32; offset + 24 <= bytes.length; ) {
    const size = 24 + Number(bytes.readBigUInt64LE(offset + 8));
    out.push({ offset, size, round: bytes.readBigUInt64LE(offset + 16) });
    offset += size;
  }
  return out;
}

/**
 * SHA-256 of every file under `dir`, by relative path: to show that nothing was written. The `lock`
 * folder is left out: opening a directory claims its lock even when it then refuses the state.
 */
export function fileTree(dir: string, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const relative = join(prefix, entry.name);
    if (relative === 'lock') continue;
    if (entry.isDirectory()) for (const [path, hash] of fileTree(dir, relative)) out.set(path, hash);
    else out.set(relative, createHash('sha256').update(readFileSync(join(dir, relative))).digest('hex') + `:${statSync(join(dir, relative)).size}`);
  }
  return out;
}
