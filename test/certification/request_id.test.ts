// Representation-independent hashing: the interface spec's request-id example, LEB128 examples,
// independence from CBOR representation, nested values, and rejections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { concatBytes, fromHex, toHex, utf8 } from '../../src/certification/_bytes.ts';
import { hashOfMap, hashOfValue, requestIdOf } from '../../src/certification/request_id.ts';
import { decodeUleb128, sleb128, uleb128 } from '../../src/certification/leb128.ts';
import { decodeCbor, encodeCbor, type CborMap } from '../../src/certification/cbor.ts';
import * as sep from '../../src/certification/domain_separators.ts';

const h = (b: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(b).digest());

const specContent = {
  request_type: 'call',
  sender: Uint8Array.of(0x04),
  ingress_expiry: 1685570400000000000n,
  canister_id: fromHex('00000000000004D2'),
  method_name: 'hello',
  arg: fromHex('4449444c00fd2a'), // "DIDL\x00\xFD*"
};

test('interface spec request-id example', () => {
  assert.equal(toHex(requestIdOf(specContent)), '1d1091364d6bb8a6c16b203ee75467d59ead468f523eb058880ae8ec80e2b101');
});

test('an older spec example without sender and expiry', () => {
  const { request_type, canister_id, method_name, arg } = specContent;
  assert.equal(toHex(hashOfMap({ request_type, canister_id, method_name, arg })), '8781291c347db32a9d8c10eb62b710fce5a93be676474c42babc74c51858f94b');
});

test('the id does not depend on CBOR key order, integer width or tag 55799', () => {
  const a = encodeCbor({ content: specContent }, { selfDescribe: true });
  const reordered = new Map<string, unknown>(Object.entries(specContent).reverse());
  const b = encodeCbor({ content: reordered as never });
  const idOf = (bytes: Uint8Array): string => toHex(requestIdOf((decodeCbor(bytes) as CborMap).get('content') as CborMap));
  assert.equal(idOf(a), idOf(b));
  // A nat written with a non-shortest head (0x19 0x00 0x05 for 5) hashes like 5.
  assert.equal(toHex(hashOfMap(decodeCbor(fromHex('a1616e190005')) as CborMap)), toHex(hashOfMap({ n: 5n })));
  assert.equal(toHex(hashOfMap({ n: 5 })), toHex(hashOfMap({ n: 5n })));
});

test('nested arrays (read_state paths) and maps follow the definition', () => {
  const paths = [[utf8('request_status'), fromHex('aa')], [utf8('time')]];
  const expectedPaths = concatBytes(...paths.map((p) => h(concatBytes(...p.map(h)))));
  const manual = h(concatBytes(...[
    concatBytes(h(utf8('paths')), h(expectedPaths)),
    concatBytes(h(utf8('request_type')), h(utf8('read_state'))),
  ].sort((x, y) => Buffer.compare(x, y))));
  assert.deepStrictEqual(hashOfMap({ request_type: 'read_state', paths }), manual);
  const inner = { info: fromHex('01'), signer: fromHex('02') };
  const withMap = hashOfMap({ sender_info: inner });
  // A nested map's value hash is its hash_of_map, not hashed again (as the replica and agent-js do).
  assert.deepStrictEqual(withMap, h(concatBytes(h(utf8('sender_info')), hashOfMap(inner))));
  assert.deepStrictEqual(hashOfMap({ a: 1n, b: undefined }), hashOfMap({ a: 1n }));
  assert.deepStrictEqual(hashOfValue(-1n), h(fromHex('7f')));
});

test('values without a representation-independent hash are rejected', () => {
  assert.throws(() => hashOfMap({ x: true } as never), /x: a boolean has no representation-independent hash/);
  assert.throws(() => hashOfMap({ x: null } as never), /a null has no/);
  assert.throws(() => hashOfMap({ x: 1.5 }), /1.5 is not an integer/);
  assert.throws(() => hashOfMap(new Map([[1n, 'v']])), /map key 1 is not text/);
});

test('LEB128: spec examples, edges, strict decoding', () => {
  assert.equal(toHex(uleb128(624485n)), 'e58e26');
  assert.equal(toHex(sleb128(-123456n)), 'c0bb78');
  assert.equal(toHex(uleb128(0)), '00');
  assert.equal(toHex(uleb128(127)), '7f');
  assert.equal(toHex(uleb128(128)), '8001');
  assert.equal(toHex(sleb128(63)), '3f');
  assert.equal(toHex(sleb128(64)), 'c000');
  assert.equal(toHex(sleb128(-64)), '40');
  assert.equal(toHex(sleb128(-65)), 'bf7f');
  assert.equal(toHex(uleb128(2n ** 64n - 1n)), 'ffffffffffffffffff01');
  assert.equal(decodeUleb128(fromHex('e58e26')), 624485n);
  assert.equal(decodeUleb128(uleb128(1685570400000000000n)), 1685570400000000000n);
  assert.throws(() => uleb128(-1n), /negative/);
  assert.throws(() => decodeUleb128(fromHex('80')), /truncated/);
  assert.throws(() => decodeUleb128(fromHex('')), /truncated/);
  assert.throws(() => decodeUleb128(fromHex('0000')), /trailing/);
  assert.throws(() => decodeUleb128(fromHex('8000')), /shortest/);
});

test('domain separators are a length byte and the ASCII name', () => {
  assert.equal(toHex(sep.IC_REQUEST), '0a' + toHex(utf8('ic-request')));
  assert.equal(sep.IC_REQUEST_AUTH_DELEGATION[0], 0x1a);
  assert.equal(sep.IC_RESPONSE[0], 0x0b);
  assert.equal(sep.IC_STATE_ROOT[0], 0x0d);
  assert.equal(sep.IC_SENDER_INFO[0], 0x0e);
  assert.deepStrictEqual([sep.IC_HASHTREE_EMPTY[0], sep.IC_HASHTREE_FORK[0], sep.IC_HASHTREE_LABELED[0], sep.IC_HASHTREE_LEAF[0]], [0x11, 0x10, 0x13, 0x10]);
});
