// A user reads a canister's logs with a query call to the management canister (interface spec, "IC
// method fetch_canister_logs"), as `icp canister logs` does; log_visibility decides who may.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IDL } from '@dfinity/candid';
import { CallError, Principal } from '../../src/api/index.ts';
import { candid } from '../../src/management/index.ts';
import { call, install, newCapsule, USER } from '../conformance/_harness.ts';
import { prog } from '../universal/program.ts';

test('a controller reads the logs by a query to aaaaa-aa; anyone else is refused', async () => {
  const c = await newCapsule();
  const id = await install(c, 32);
  await call(c, id, prog().debugPrint('hello logs').reply());
  const arg = new Uint8Array(IDL.encode([candid.ManagementIdl.fetch_canister_logs_args], [{ canister_id: id, filter: [] }]));
  const reply = await c.queryCall({ canisterId: Principal.managementCanister(), method: 'fetch_canister_logs', arg, sender: USER });
  const [logs] = IDL.decode([candid.ManagementIdl.fetch_canister_logs_result], reply.slice()) as unknown as [{ canister_log_records: { content: Uint8Array }[] }];
  assert.deepEqual(logs.canister_log_records.map((record) => Buffer.from(record.content).toString()), ['hello logs']);
  await assert.rejects(
    c.queryCall({ canisterId: Principal.managementCanister(), method: 'fetch_canister_logs', arg, sender: Principal.anonymous() }),
    (e: unknown) => e instanceof CallError && /not allowed to read the logs/.test(e.rejectMessage),
  );
});
