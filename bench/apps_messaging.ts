// Messaging application benchmark, printed as JSON:
//
//   node bench/apps_messaging.ts [--loads N] [--users U] [--messages M]
//
// A real `capsule start --apps messaging` child process. Measured: the page's load time through the HTTP
// gateway in headless Chromium until it is usable (HTML, stylesheet and script verified, keys made in
// IndexedDB, the profile query answered: the registration form shows), cold (a fresh browser context) and
// warm (a reload of the same context), N times each; and messages per second posted by U users, each an
// agent in Node with its own identity posting M end-to-end encrypted messages over HTTP, all at once
// (the agents verify every answer's BLS certificate in this one process: `clientCpuSeconds` shows that share).
import { parseArgs } from 'node:util';
import { Actor, HttpAgent } from '@icp-sdk/core/agent';
import { Ed25519KeyIdentity } from '@icp-sdk/core/identity';
import { chromium } from 'playwright-core';
import { encryptMessage, generateEncryptionKeys, generateRoomKey, wrapRoomKey } from '../apps/messaging/frontend/src/crypto.ts';
import { idlFactory, type MessagingActor, type MessagingService, unwrap } from '../apps/messaging/frontend/src/interface.ts';
import { backendIdOf, messagingUrl, startMessagingServer } from '../test/apps/_messaging_app.ts';
import { chromiumPath } from '../test/examples/_browser.ts';

const { values } = parseArgs({ options: { loads: { type: 'string' }, users: { type: 'string' }, messages: { type: 'string' } } });
const LOADS = Number(values.loads ?? 5);
const USERS = Number(values.users ?? 10);
const MESSAGES = Number(values.messages ?? 20);

const round = (ms: number) => Math.round(ms * 10) / 10;
function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { medianMs: round(sorted[Math.floor(sorted.length / 2)]!), minMs: round(sorted[0]!), maxMs: round(sorted.at(-1)!) };
}

/** Cold and warm page loads; returns the timings and the backend's id the page was given. */
async function pageLoads(url: string, executablePath: string) {
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  const cold: number[] = [];
  const warm: number[] = [];
  let backend = '';
  try {
    for (let i = 0; i < LOADS; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const usable = () => page.locator('#register:not([hidden])').waitFor({ timeout: 30_000 });
      let started = performance.now();
      await page.goto(url);
      await usable();
      cold.push(performance.now() - started);
      started = performance.now();
      await page.reload();
      await usable();
      warm.push(performance.now() - started);
      backend = await backendIdOf(context);
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return { backend, result: { loads: LOADS, cold: summary(cold), warm: summary(warm) } };
}

interface Poster {
  readonly identity: Ed25519KeyIdentity;
  readonly api: MessagingActor;
  readonly keys: Awaited<ReturnType<typeof generateEncryptionKeys>>;
}

async function posting(host: string, canisterId: string) {
  const users: Poster[] = await Promise.all(
    Array.from({ length: USERS }, async (_, i) => {
      const identity = Ed25519KeyIdentity.generate();
      const agent = await HttpAgent.create({ host, identity, shouldFetchRootKey: true });
      const api = Actor.createActor<MessagingService>(idlFactory, { agent, canisterId });
      const keys = await generateEncryptionKeys();
      unwrap(await api.register(`user ${i}`, keys.publicKey));
      return { identity, api, keys };
    }),
  );
  const [owner, ...others] = users;
  const roomKey = await generateRoomKey();
  const room = unwrap(await owner!.api.create_room('bench', await wrapRoomKey(roomKey, owner!.keys, owner!.keys.publicKey))).id;
  for (const other of others) {
    unwrap(await owner!.api.add_member(room, other.identity.getPrincipal(), await wrapRoomKey(roomKey, owner!.keys, other.keys.publicKey)));
  }
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    users.map(async (user, i) => {
      for (let m = 0; m < MESSAGES; m++) {
        const sealed = await encryptMessage(roomKey, `message ${m} from user ${i}`);
        unwrap(await user.api.post(room, sealed.ciphertext, sealed.nonce));
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const { user, system } = process.cpuUsage(cpu);
  const total = unwrap(await owner!.api.my_rooms())[0]!.messages;
  if (total !== BigInt(USERS * MESSAGES)) throw new Error(`the room holds ${total} messages, not ${USERS * MESSAGES}`);
  return { users: USERS, messages: USERS * MESSAGES, seconds: Math.round(seconds * 100) / 100, messagesPerSecond: round((USERS * MESSAGES) / seconds), clientCpuSeconds: Math.round((user + system) / 1e4) / 100 };
}

const executablePath = chromiumPath();
if (!executablePath) throw new Error('the messaging benchmark needs chromium (apt-get install -y chromium)');
const server = await startMessagingServer();
try {
  const url = await messagingUrl(server);
  const { backend, result: pageLoad } = await pageLoads(url, executablePath);
  const posted = await posting(server.url, backend);
  console.log(JSON.stringify({ pageLoad, posting: posted }, null, 2));
} finally {
  await server.stop();
}
