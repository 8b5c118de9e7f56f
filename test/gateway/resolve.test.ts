// Canister resolution: the host first, then ?canisterId=, then the Referer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_DOMAINS, type Resolution, resolveCanister } from '../../src/gateway/index.ts';
import { Principal } from '../../src/state/index.ts';

const ID = 'rrkah-fqaaa-aaaaa-aaaaq-cai';
const OTHER = 'ryjl3-tyaaa-aaaaa-aaaba-cai';
const config = { domains: [...DEFAULT_DOMAINS, 'capsule.test'], customDomains: new Map([['shop.example', Principal.fromText(OTHER)]]) };

function resolve(host: string, path = '/', referer?: string): Resolution {
  return resolveCanister(config, host, new URL(path, 'http://x'), referer);
}

function canister(resolution: Resolution): string {
  assert.equal(resolution.kind, 'canister', JSON.stringify(resolution));
  return resolution.kind === 'canister' ? `${resolution.canisterId.toText()}${resolution.raw ? ' raw' : ''}` : '';
}

test('the host names the canister: <id>.<domain>, <id>.raw.<domain> (unverified), name--<id>, any configured domain', () => {
  assert.equal(canister(resolve(`${ID}.localhost:4943`)), ID);
  assert.equal(canister(resolve(`${ID}.raw.localhost`)), `${ID} raw`);
  assert.equal(canister(resolve(`app--${ID}.localhost`)), ID);
  assert.equal(canister(resolve(`${ID.toUpperCase()}.CAPSULE.TEST:80`)), ID);
  assert.equal(canister(resolve(`${ID}.127.0.0.1`)), ID);
});

test('a custom domain serves its canister', () => {
  assert.equal(canister(resolve('shop.example:4943')), OTHER);
});

test('the host wins over ?canisterId=, which works on any host, and the Referer comes last', () => {
  assert.equal(canister(resolve(`${ID}.localhost`, `/?canisterId=${OTHER}`)), ID);
  assert.equal(canister(resolve('127.0.0.1:4943', `/a?canisterId=${OTHER}`)), OTHER);
  assert.equal(canister(resolve('[::1]:4943', `/?canisterId=${OTHER}`)), OTHER);
  assert.equal(canister(resolve('localhost', '/app.js', `http://localhost:4943/?canisterId=${OTHER}`)), OTHER);
  assert.equal(canister(resolve('localhost', '/app.js', `http://${ID}.localhost:4943/`)), ID);
  // `raw.<domain>` with ?canisterId= is not the raw domain: that needs `<id>.raw.`.
  assert.equal(canister(resolve('raw.localhost', `/?canisterId=${ID}`)), ID);
});

test('a bad principal is invalid; a host outside the domains or too deep names nothing', () => {
  assert.equal(resolve('nope.localhost').kind, 'invalid');
  assert.equal(resolve('localhost', '/?canisterId=nope').kind, 'invalid');
  assert.equal(resolve('example.org').kind, 'none');
  assert.equal(resolve(`a.${ID}.localhost`).kind, 'none');
  assert.equal(resolve('localhost', '/', 'not a url').kind, 'none');
  assert.equal(resolve('127.0.0.1').kind, 'none');
});
