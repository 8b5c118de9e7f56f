// WebAssembly module validation (ic-ref-test "WebAssembly module validation", modules of
// ic-hs wabt-tests/gen.py rebuilt here with wabt): valid modules install, invalid ones are rejected
// with CANISTER_ERROR (5) (interface spec, section 'Canister module format'). Limits are the
// spec's (≤ 50,000 functions, ≤ 1,000 globals, ≤ 16 icp: sections, ≤ 1,000 exported methods,
// ≤ 20,000 bytes of method names, ≤ 1 MiB of icp: sections); the old ic-hs generator used 300 globals.
import assert from 'node:assert/strict';
import { before, describe } from 'node:test';
import { test } from './_sampled_test.ts';
import wabtInit from 'wabt';
import { candid } from '../../src/management/index.ts';
import { prog } from '../universal/program.ts';
import {
  type Capsule,
  create,
  hex,
  install,
  MGMT,
  newCapsule,
  rejects,
  relayed,
  relayReject,
  relayReply,
  u32,
  call,
  type Principal,
  status,
  USER,
} from './_harness.ts';

const wabt = await wabtInit();

function wat2wasm(source: string, memory64 = false): Uint8Array {
  const module = wabt.parseWat('test.wat', source, { memory64 });
  try {
    return module.toBinary({}).buffer.slice();
  } finally {
    module.destroy();
  }
}

const BASE = `(module
  (import "ic0" "call_new" (func $ic0_call_new (param i32 i32 i32 i32 i32 i32 i32 i32)))
  (import "ic0" "call_data_append" (func $ic0_call_data_append (param i32 i32)))
  (import "ic0" "call_cycles_add" (func $ic0_call_cycles_add (param i64)))
  (import "ic0" "call_perform" (func $ic0_call_perform (result i32)))
  (import "ic0" "msg_reply_data_append" (func $msg_reply_data_append (param i32 i32)))
  (import "ic0" "msg_reply" (func $msg_reply))
  (func $reta (result i32) (i32.const 42))
  (func $retb (param i32))
  (func $inc (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 4))))
  (func $read (call $msg_reply_data_append (i32.const 0) (i32.const 4)) (call $msg_reply))
`;
const END = '(memory $memory 1))';
const BASE_FUNCTIONS = 4;

const exportFn = (name: string, fn: string): string => `  (export "${name}" (func $${fn}))\n`;
const baseModule = (body: string): Uint8Array => wat2wasm(BASE + body + END);

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** A module made only of custom sections (name, content). */
function withCustomSections(sections: [string, Uint8Array | string][]): Uint8Array {
  const parts: Uint8Array[] = [Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00])];
  for (const [name, content] of sections) {
    const n = new TextEncoder().encode(name);
    const c = typeof content === 'string' ? new TextEncoder().encode(content) : content;
    parts.push(Uint8Array.from([0, ...leb(leb(n.length).length + n.length + c.length), ...leb(n.length), ...n]), c);
  }
  return new Uint8Array(Buffer.concat(parts));
}

function exportsOf(n: number): string {
  const kinds = ['update', 'query', 'composite_query'];
  let out = '';
  for (let i = 0; i < n; i++) out += exportFn(`canister_${kinds[i % 3]} m${i}`, 'read');
  return out;
}

function longNames(total: number): string {
  const a = Math.floor(total / 3);
  const b = Math.floor((total - a) / 2);
  const c = total - a - b;
  return exportFn(`canister_update ${'a'.repeat(a)}`, 'read') + exportFn(`canister_update ${'b'.repeat(b)}`, 'read') + exportFn(`canister_update ${'c'.repeat(c)}`, 'read');
}

const functions = (n: number): string => Array.from({ length: n }, (_, i) => `  (func $m${i})\n`).join('');
const globals = (n: number): string => Array.from({ length: n }, (_, i) => `  (global i32 (i32.const ${i}))\n`).join('');
const icpSections = (n: number): [string, string][] => [
  ...Array.from({ length: n }, (_, i): [string, string] => [`icp:${i % 2 === 0 ? 'public' : 'private'} c${i}`, `x${i}`]),
  // Other custom sections do not count.
  ...Array.from({ length: 16 }, (_, i): [string, string] => [`ic:${i % 2 === 0 ? 'public' : 'private'} c${i}`, `x${i}`]),
];
function largeSections(total: number): [string, Uint8Array][] {
  const a = Math.floor(total / 2);
  return [
    ['icp:private x', new Uint8Array(a).fill(0x61)],
    ['icp:public y', new Uint8Array(total - a).fill(0x62)],
  ];
}

const VALID: Record<string, () => Uint8Array> = {
  empty_custom_section_name: () => withCustomSections([['icp:public ', 'a']]),
  // names ("x", "y") plus contents = 1 MiB exactly
  large_custom_sections: () => withCustomSections(largeSections(2 ** 20 - 2)),
  long_exported_function_names: () => baseModule(longNames(20_000)),
  many_custom_sections: () => withCustomSections(icpSections(16)),
  many_exports: () => baseModule(exportsOf(1000)),
  many_functions: () => baseModule(functions(50_000 - BASE_FUNCTIONS)),
  many_globals: () => wat2wasm(`(module\n${globals(1000)}${END}`),
  valid_import: () => wat2wasm('(module (import "ic0" "call_perform" (func (result i32))))'),
};

const INVALID: Record<string, () => Uint8Array> = {
  duplicate_custom_section: () => withCustomSections([['icp:public x', 'a'], ['icp:private x', 'b']]),
  invalid_canister_export: () => baseModule(exportFn('canister_callback read', 'read')),
  invalid_custom_section: () => withCustomSections([['icp:mine x', 'y']]),
  invalid_empty_custom_section_name: () => withCustomSections([['icp:public', 'a']]),
  invalid_empty_query_name: () => baseModule(exportFn('canister_query', 'read')),
  invalid_import: () => wat2wasm('(module (import "ic0" "my_call_perform" (func (result i32))))'),
  name_clash_query_composite_query: () => baseModule(exportFn('canister_query read', 'read') + exportFn('canister_composite_query read', 'read')),
  name_clash_update_composite_query: () => baseModule(exportFn('canister_update read', 'read') + exportFn('canister_composite_query read', 'read')),
  name_clash_update_query: () => baseModule(exportFn('canister_update read', 'read') + exportFn('canister_query read', 'read')),
  too_large_custom_sections: () => withCustomSections(largeSections(2 ** 20 - 2 + 1)),
  too_long_exported_function_names: () => baseModule(longNames(20_001)),
  too_many_custom_sections: () => withCustomSections(icpSections(17)),
  too_many_exports: () => baseModule(exportsOf(1001)),
  too_many_functions: () => baseModule(functions(50_000 - BASE_FUNCTIONS + 1)),
  too_many_globals: () => wat2wasm(`(module\n${globals(1001)}${END}`),
};
// A system method or method export of the wrong type: returning a value (reta) or taking one (retb).
for (const fn of ['reta', 'retb']) {
  for (const method of [
    'canister_init',
    'canister_inspect_message',
    'canister_heartbeat',
    'canister_global_timer',
    'canister_update upd',
    'canister_query que',
    'canister_composite_query cq',
    'canister_pre_upgrade',
    'canister_post_upgrade',
  ]) {
    INVALID[`invalid_${method.replaceAll(' ', '_')}_${fn}`] = () => baseModule(exportFn(method, fn));
  }
}

// Further rules of the interface spec's 'Canister module format' (not in ic-hs's list).
const INVALID_EXTRA: Record<string, () => Uint8Array> = {
  'wasm64 module importing legacy ic0.stable_size': () =>
    wat2wasm('(module (import "ic0" "stable_size" (func (result i32))) (memory i64 1))', true),
  'wasm64 module importing legacy ic0.msg_cycles_available': () =>
    wat2wasm('(module (import "ic0" "msg_cycles_available" (func (result i64))) (memory i64 1))', true),
  'wasm64 module importing msg_arg_data_size with the i32 signature': () =>
    wat2wasm('(module (import "ic0" "msg_arg_data_size" (func (result i32))) (memory i64 1))', true),
  'import with a wrong signature': () => wat2wasm('(module (import "ic0" "msg_reply" (func (param i32))))'),
  'import from a module other than ic0': () => wat2wasm('(module (import "env" "msg_reply" (func)))'),
  // memory section (id 5) with two entries
  'two memories': () => Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x05, 0x05, 0x02, 0x00, 0x01, 0x00, 0x01]),
  'not a wasm module': () => new TextEncoder().encode('this is not wasm'),
  'empty bytes': () => new Uint8Array(0),
};

const VALID_EXTRA: Record<string, () => Uint8Array> = {
  'the empty module (header only)': () => Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]),
  'wasm64 module with 64-bit imports': () =>
    wat2wasm('(module (import "ic0" "msg_arg_data_size" (func (result i64))) (import "ic0" "stable64_size" (func (result i64))) (memory i64 1))', true),
  'canister_update with an empty name next to a query with spaces': () =>
    baseModule(exportFn('canister_update ', 'read') + exportFn('canister_query a b', 'read')),
};

let c: Capsule;
before(async () => {
  c = await newCapsule();
});

function installRaw(id: Principal, wasm: Uint8Array, mode: 'install' | 'upgrade' = 'install'): Promise<void> {
  return c.installCode({ canisterId: id, wasm, arg: new Uint8Array(), sender: USER, mode });
}

async function installModule(wasm: Uint8Array): Promise<Principal> {
  const id = await create(c);
  await installRaw(id, wasm);
  return id;
}

describe('WebAssembly module validation', () => {
  for (const [name, build] of [...Object.entries(VALID), ...Object.entries(VALID_EXTRA)]) {
    test(`valid: ${name}`, async () => {
      const id = await installModule(build());
      // Installed and instantiated: a call finds a module without that method (not an empty canister).
      const error = await rejects(c.updateCall({ canisterId: id, method: 'no_such_method', sender: USER }), 5);
      assert.equal(error.errorCode, 'IC0536', error.rejectMessage);
    });
  }
  for (const [name, build] of [...Object.entries(INVALID), ...Object.entries(INVALID_EXTRA)]) {
    test(`invalid: ${name}`, async () => {
      const id = await create(c);
      await rejects(installRaw(id, build()), 5);
      // The canister stays empty (install is atomic).
      assert.deepEqual((await status(c, id)).module_hash, []);
    });
  }
});

/** Reads the i32 at heap offset 0 through the module's `read` method (update call). */
async function read(id: Principal, method: string): Promise<number> {
  return u32(await c.updateCall({ canisterId: id, method, arg: new Uint8Array() }));
}

describe('(start) and method names', () => {
  test('(start) function runs at installation', async () => {
    const id = await installModule(baseModule('  (start $inc)\n' + exportFn('canister_query read', 'read')));
    assert.equal(await read(id, 'read'), 4);
  });
  test('no (start) function', async () => {
    const id = await installModule(baseModule(exportFn('canister_query read', 'read')));
    assert.equal(await read(id, 'read'), 0);
  });
  test('(start) runs again on upgrade (fresh instance)', async () => {
    const wasm = baseModule('  (start $inc)\n' + exportFn('canister_query read', 'read'));
    const id = await installModule(wasm);
    await installRaw(id, wasm, 'upgrade');
    assert.equal(await read(id, 'read'), 4);
  });
  test('empty query name', async () => {
    const id = await installModule(baseModule(exportFn('canister_query ', 'read')));
    assert.equal(await read(id, ''), 0);
  });
  test('query name with spaces', async () => {
    const id = await installModule(baseModule(exportFn('canister_query name with spaces', 'read')));
    assert.equal(await read(id, 'name with spaces'), 0);
  });
  test('empty query name is callable as a non-replicated query', async () => {
    const id = await installModule(baseModule(exportFn('canister_query ', 'read')));
    assert.equal(u32(await c.queryCall({ canisterId: id, method: '', arg: new Uint8Array() })), 0);
  });
});

describe('custom section metadata', () => {
  async function metadata(module: Uint8Array, name: string) {
    const viaId = await install(c, 32);
    const id = await installModule(module);
    const p = prog()
      .callNew(MGMT, 'canister_metadata', { onReply: relayReply(), onReject: relayReject() })
      .callDataAppend(candid.encodeManagementArg('canister_metadata', { canister_id: id, name }))
      .callPerform();
    return relayed(await call(c, viaId, p));
  }
  test('empty custom section name', async () => {
    const r = await metadata(withCustomSections([['icp:public ', 'a']]), '');
    assert.equal(r.kind, 'reply');
    assert.deepEqual(candid.decodeManagementResult('canister_metadata', (r as { payload: Uint8Array }).payload).value, new TextEncoder().encode('a'));
  });
  test('custom section name with spaces', async () => {
    const r = await metadata(withCustomSections([['icp:public name with spaces', 'a']]), 'name with spaces');
    assert.equal(r.kind, 'reply');
    assert.deepEqual(candid.decodeManagementResult('canister_metadata', (r as { payload: Uint8Array }).payload).value, new TextEncoder().encode('a'));
  });
  test('unicode metadata name', async () => {
    const r = await metadata(withCustomSections([['icp:public ☃️', 'bar']]), '☃️');
    assert.equal(r.kind, 'reply');
  });
  test('invalid utf8 in a section name is rejected at install', async () => {
    const id = await create(c);
    const bad = Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0, 16, 14, ...new TextEncoder().encode('icp:public '), 0xe2, 0x28, 0xa1, 0x62]);
    await rejects(installRaw(id, bad), 5);
  });
  test('module hash is SHA-256 of the uploaded bytes', async () => {
    const module = withCustomSections([['icp:public x', 'y']]);
    const id = await installModule(module);
    const { createHash } = await import('node:crypto');
    assert.equal(hex((await status(c, id)).module_hash[0]!), createHash('sha256').update(module).digest('hex'));
  });
});
