// Module-level rules: encoding (wasm / gzip), size limits, memories, tables, globals,
// functions, data offsets, per-function limits and `icp:` custom sections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { assertInvalid, assertInvalidWat, canister, wat } from './_helpers.ts';
import { concat, HEADER, leb, manyFunctions, section, withCustom } from './_binary.ts';
import { parseCanisterModule } from '../../src/wasm/index.ts';
import { decodeWasm } from '../../src/wasm/decode_wasm.ts';

const sha256 = (b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest());

test('gzip-compressed modules are decompressed; module_hash is of the bytes as uploaded', async () => {
  const wasm = await wat(`(module (memory 1) (func $f) (export "canister_update go" (func $f)))`);
  const gz = new Uint8Array(gzipSync(wasm));
  const m = parseCanisterModule(gz);
  assert.deepEqual(m.wasm, wasm);
  assert.equal(m.bytes, gz);
  assert.deepEqual(m.moduleHash, sha256(gz));
  assert.deepEqual(m.updateMethods, ['go']);
  assert.deepEqual(parseCanisterModule(wasm).moduleHash, sha256(wasm));
});

test('undecodable input is rejected cleanly', async () => {
  assertInvalid(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), 'decodingError', 'Failed to decode wasm module: unsupported canister module format');
  assertInvalid(new Uint8Array([0x1f, 0x8b, 0x08, 0, 0, 0]), 'decodingError', 'gzip stream is too short');
  const gz = new Uint8Array(gzipSync(await wat('(module (memory 1) (data (i32.const 0) "some data to compress"))')));
  gz[gz.length - 12]! ^= 0xff; // corrupt the deflate stream (or its CRC)
  assertInvalid(gz, 'decodingError', 'failed to decode compressed Wasm module');
  assertInvalid(concat(HEADER.subarray(0, 4), new Uint8Array([2, 0, 0, 0])), 'decodingError', 'unsupported wasm binary version');
  assertInvalid(concat(HEADER, new Uint8Array([1, 5, 1, 0x60])), 'wasmValidation', 'Failed to validate wasm module:');
});

test('modules above 100 MiB are rejected, also by their gzip footer', async () => {
  const wasm = await wat('(module)');
  assert.throws(() => decodeWasm(wasm, 4), new RegExp(`Wasm module size of ${wasm.length} exceeds the maximum allowed size of 4\\.`));
  assert.equal(decodeWasm(wasm, wasm.length), wasm);
  const gz = new Uint8Array(gzipSync(wasm));
  new DataView(gz.buffer).setUint32(gz.length - 4, 200 * 1024 * 1024, true);
  assertInvalid(gz, 'moduleTooLarge', 'Wasm module size of 209715200 exceeds the maximum allowed size of 104857600.');
});

test('pointer width: 64 iff the memory is a memory64', async () => {
  assert.equal((await canister('(module)')).pointerWidth, 32);
  assert.equal((await canister('(module (memory 1))')).pointerWidth, 32);
  assert.equal((await canister('(module (memory i64 1))')).pointerWidth, 64);
  assert.equal((await canister('(module (import "env" "memory" (memory i64 1)))')).pointerWidth, 64);
});

test('at most one memory, not shared, wasm64 initial size within 6 GiB', async () => {
  await assertInvalidWat('(module (memory 1) (memory 1))', 'invalidMemorySection', 'Wasm module has 2 memories but at most 1 is allowed.');
  await assertInvalidWat('(module (import "env" "memory" (memory 1)) (memory 1))', 'invalidMemorySection', '2 memories');
  await assertInvalidWat('(module (memory 1 1 shared))', 'invalidMemorySection', 'Shared memories are not supported.', { threads: true });
  await canister('(module (memory i64 98304))');
  await assertInvalidWat('(module (memory i64 98305))', 'initialWasm64MemoryTooLarge', '98305 pages');
});

test('tables must hold funcref', async () => {
  await canister('(module (table 1 funcref))');
  await assertInvalidWat('(module (table 1 externref))', 'invalidTableSection', 'Wasm module has an invalid table section. Table element type must be funcref, got externref');
});

test('at most 1,000 globals, of numeric or v128 type', async () => {
  const globals = (n: number) => Array.from({ length: n }, () => '(global i32 (i32.const 0))').join('');
  const m = await canister(`(module ${globals(1000)})`);
  assert.equal(m.globals.length, 1000);
  await assertInvalidWat(`(module ${globals(1001)})`, 'tooManyGlobals', 'Wasm module defined 1001 globals which exceeds the maximum number allowed 1000.');
  await canister('(module (global v128 (v128.const i64x2 0 0)))');
  await assertInvalidWat('(module (global funcref (ref.null func)))', 'invalidGlobalSection', 'Unsupported global type: FuncRef');
});

test('at most 50,000 functions', () => {
  parseCanisterModule(manyFunctions(50_000));
  assertInvalid(manyFunctions(50_001), 'tooManyFunctions', 'Wasm module defined 50001 functions which exceeds the maximum number allowed 50000.');
});

test('data segments must start at a single constant of the pointer width', async () => {
  await canister('(module (memory 1) (data (i32.const 16) "hi") (data "passive"))');
  await canister('(module (memory i64 1) (data (i64.const 16) "hi"))');
  await assertInvalidWat(
    '(module (memory 1) (data (i32.add (i32.const 1) (i32.const 2)) "x"))',
    'invalidDataSection',
    'Wasm module has an invalid data section. Invalid offset expression in data segment for 32bit memory',
  );
});

test('the code section is at most 10 MiB', () => {
  const body = new Uint8Array(1_000_001).fill(0x01);
  body[1_000_000] = 0x0b;
  assertInvalid(manyFunctions(11, body), 'codeSectionTooLarge', /Wasm module code section size of \d+ exceeds the maximum allowed size of 10485760\./);
});

test('functions above the complexity limit are rejected', async () => {
  const blocks = '(block)'.repeat(19_000);
  await canister(`(module (func ${blocks}))`);
  await assertInvalidWat(
    `(module (func ${'(block)'.repeat(20_000)}))`,
    'functionComplexityTooHigh',
    'Wasm module contains a function at index 0 with complexity 1020001 which exceeds the maximum complexity allowed 1000000.',
  );
});

test('table mutation instructions are refused like the replica does', async () => {
  const cases: [string, string][] = [
    ['(drop (table.grow (ref.null func) (i32.const 1)))', 'table.grow'],
    ['(table.set (i32.const 0) (ref.null func))', 'table.set'],
    ['(table.fill (i32.const 0) (ref.null func) (i32.const 1))', 'table.fill'],
    ['(table.copy (i32.const 0) (i32.const 0) (i32.const 0))', 'table.copy'],
  ];
  for (const [body, name] of cases) {
    await assertInvalidWat(
      `(module (import "ic0" "trap" (func (param i32 i32))) (table 1 funcref) (func ${body}))`,
      'unsupportedWasmInstruction',
      `Wasm module contains a function at index 1 with unsupported instruction ${name}.`,
    );
  }
  await canister('(module (table 1 funcref) (func (drop (table.size)) (drop (table.get (i32.const 0)))))');
});

test('instructions the walker does not know are refused, not passed through', async () => {
  // ref.i31 (0xFB 0x1C) is valid for V8 (GC) but not part of what Capsule instruments.
  const body = [0x00, 0x41, 0x01, 0xfb, 0x1c, 0x1a, 0x0b];
  const gc = concat(HEADER, section(1, [1, 0x60, 0, 0]), section(3, [1, 0]), section(10, [1, ...leb(body.length), ...body]));
  assert.ok(WebAssembly.validate(gc));
  assertInvalid(gc, 'decodingError', 'unknown opcode 0xfb');
  await assertInvalidWat(
    '(module (func (drop (i32x4.relaxed_trunc_f32x4_s (v128.const i32x4 0 0 0 0)))))',
    'unsupportedWasmInstruction',
    'relaxed SIMD',
    { relaxed_simd: true },
  );
});

test('icp: custom sections become metadata, keyed by name with visibility', async () => {
  let wasm: Uint8Array = await wat('(module)');
  wasm = withCustom(wasm, 'icp:public candid:service', 'service : {}');
  wasm = withCustom(wasm, 'icp:private enhanced-orthogonal-persistence', '');
  wasm = withCustom(wasm, 'icp:public ', 'empty name');
  wasm = withCustom(wasm, 'other', 'ignored');
  const m = parseCanisterModule(wasm);
  assert.deepEqual([...m.customSections.keys()], ['candid:service', 'enhanced-orthogonal-persistence', '']);
  assert.equal(m.customSections.get('candid:service')!.visibility, 'public');
  assert.equal(new TextDecoder().decode(m.customSections.get('candid:service')!.content), 'service : {}');
  assert.equal(m.customSections.get('enhanced-orthogonal-persistence')!.visibility, 'private');
  assert.equal(m.enhancedOrthogonalPersistence, true);
  assert.equal(parseCanisterModule(await wat('(module)')).enhancedOrthogonalPersistence, false);
});

test('icp: section names need a scope and a space, and are unique', async () => {
  const base = await wat('(module)');
  assertInvalid(withCustom(base, 'icp:public', ''), 'invalidCustomSection', "Wasm module has an invalid custom section. 'icp:' section names must have a space after the public/private scope");
  assertInvalid(withCustom(base, 'icp:protected x', ''), 'invalidCustomSection', "Invalid custom section: Custom section 'icp:protected x' has no public/private scope defined.");
  assertInvalid(withCustom(withCustom(base, 'icp:public x', ''), 'icp:private x', ''), 'invalidCustomSection', 'Invalid custom section: name x already exists');
});

test('at most 16 icp: sections and 1 MiB of names plus contents', async () => {
  let wasm: Uint8Array = await wat('(module)');
  for (let i = 0; i < 16; i++) wasm = withCustom(wasm, `icp:public s${i}`, 'x');
  parseCanisterModule(wasm);
  assertInvalid(withCustom(wasm, 'icp:public s16', 'x'), 'tooManyCustomSections', 'Wasm module defined 17 custom sections which exceeds the maximum number allowed 16.');
  const big = withCustom(await wat('(module)'), 'icp:public big', new Uint8Array(1024 * 1024 - 3));
  parseCanisterModule(big);
  assertInvalid(withCustom(await wat('(module)'), 'icp:public big', new Uint8Array(1024 * 1024 - 2)), 'invalidCustomSection', 'size 1048577 bytes, allowed 1048576 bytes');
});

test('start function, function names and globals are reported', async () => {
  const m = await canister(`(module
    (import "ic0" "msg_reply" (func $reply))
    (global $a (mut i64) (i64.const 7)) (global $b f32 (f32.const 1))
    (func $init) (func $other)
    (start $init))`);
  assert.equal(m.hasStart, true);
  assert.deepEqual([...m.functionNames], [[0, 'reply'], [1, 'init'], [2, 'other']]);
  assert.deepEqual(m.globals, [{ type: 'i64', mutable: true }, { type: 'f32', mutable: false }]);
  assert.equal(m.memory, undefined);
  assert.equal((await canister('(module)')).hasStart, false);
});
