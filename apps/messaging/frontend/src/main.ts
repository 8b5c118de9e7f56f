// The messaging page: this browser's identity and keys, registration, the room list with unread badges,
// one open room whose history loads a page at a time, and polling every second while the page is visible.
import { safeGetCanisterEnv } from '@icp-sdk/core/agent/canister-env';
import type { RoomSummary } from './interface.ts';
import { loadKeys } from './keystore.ts';
import { Session, type ShownMessage } from './session.ts';

const POLL_MS = 1000;

interface OpenRoom {
  readonly summary: RoomSummary;
  /** Id of the oldest message shown, for loading older pages. */
  oldest: bigint | undefined;
  /** Id one past the newest message shown: the read marker sent to the canister. */
  next: bigint;
}

function element<T extends HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

const status = element<HTMLParagraphElement>('status');
let session: Session;
let open: OpenRoom | undefined;

function report(error: unknown): void {
  status.textContent = error instanceof Error ? error.message : String(error);
}

/** Runs a form's action with its button disabled, and clears the status line when it succeeds. */
function onSubmit(id: string, action: (form: HTMLFormElement) => Promise<void>): void {
  const form = element<HTMLFormElement>(id);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button')!;
    button.disabled = true;
    try {
      await action(form);
      status.textContent = '';
    } catch (error) {
      report(error);
    } finally {
      button.disabled = false;
    }
  });
}

function renderRooms(rooms: RoomSummary[]): void {
  const list = element<HTMLUListElement>('rooms');
  list.replaceChildren(
    ...rooms.map((room) => {
      const item = document.createElement('li');
      item.dataset.roomId = String(room.id);
      item.className = open?.summary.id === room.id ? 'open' : '';
      const name = document.createElement('span');
      name.className = 'room-name';
      name.textContent = room.name;
      item.append(name);
      if (room.unread > 0n && open?.summary.id !== room.id) {
        const badge = document.createElement('span');
        badge.className = 'unread';
        badge.textContent = String(room.unread);
        item.append(badge);
      }
      item.addEventListener('click', () => openRoom(room).catch(report));
      return item;
    }),
  );
}

function messageItem(message: ShownMessage): HTMLLIElement {
  const item = document.createElement('li');
  item.className = message.mine ? 'message mine' : 'message';
  item.dataset.messageId = String(message.id);
  const sender = document.createElement('span');
  sender.className = 'sender';
  sender.textContent = `${message.sender} · ${message.time.toLocaleTimeString()}`;
  const text = document.createElement('span');
  text.className = 'text';
  text.textContent = message.text;
  item.append(sender, text);
  return item;
}

async function showMembers(room: bigint): Promise<void> {
  element('room-members').textContent = `Members: ${(await session.members(room)).join(', ')}`;
}

async function openRoom(summary: RoomSummary): Promise<void> {
  open = { summary, oldest: undefined, next: 0n };
  element('room').hidden = false;
  element('room-name').textContent = summary.name;
  element('add-member').hidden = summary.creator.toText() !== session.principal.toText();
  element('messages').replaceChildren();
  await showMembers(summary.id);
  const page = await session.messages(summary.id);
  if (open?.summary.id !== summary.id) return;
  appendNewer(page);
  await refreshRooms();
}

/** Appends messages newer than those shown, scrolls to them, and moves the read marker past them. */
function appendNewer(page: ShownMessage[]): void {
  if (!open) return;
  const fresh = page.filter((message) => message.id >= open!.next);
  const list = element<HTMLOListElement>('messages');
  // More arrived since the last poll than a page holds: show the newest page, older ones load on demand.
  if (page[0] && page[0].id > open.next) {
    list.replaceChildren();
    open.oldest = undefined;
  }
  list.append(...fresh.map(messageItem));
  if (open.oldest === undefined) open.oldest = page[0]?.id;
  element('load-older').hidden = (open.oldest ?? 0n) === 0n;
  list.scrollTop = list.scrollHeight;
  const last = fresh.at(-1);
  if (!last) return;
  open.next = last.id + 1n;
  // Posting already moved the marker past one's own messages.
  if (fresh.some((message) => !message.mine)) session.markRead(open.summary.id, open.next).catch(report);
}

async function loadOlder(): Promise<void> {
  if (!open || open.oldest === undefined || open.oldest === 0n) return;
  const page = await session.messages(open.summary.id, open.oldest);
  if (page.length === 0) return;
  open.oldest = page[0]!.id;
  element('messages').prepend(...page.map(messageItem));
  element('load-older').hidden = open.oldest === 0n;
}

async function refreshRooms(): Promise<void> {
  renderRooms(await session.rooms());
}

/** One poll: the room list (unread badges) and, for the open room, messages newer than those shown. */
async function poll(): Promise<void> {
  const rooms = await session.rooms();
  renderRooms(rooms);
  const current = open && rooms.find((room) => room.id === open!.summary.id);
  if (current && current.messages > open!.next) appendNewer(await session.messages(current.id));
}

function startPolling(): void {
  const tick = async () => {
    if (document.visibilityState === 'visible') await poll().catch(report);
    setTimeout(tick, POLL_MS);
  };
  setTimeout(tick, POLL_MS);
}

function showApp(name: string): void {
  element('register').hidden = true;
  element('app').hidden = false;
  element('me-name').textContent = name;
}

function wireForms(): void {
  onSubmit('register', async () => {
    showApp((await session.register(element<HTMLInputElement>('register-name').value.trim())).name);
    await refreshRooms();
    startPolling();
  });
  onSubmit('new-room', async (form) => {
    const room = await session.createRoom(element<HTMLInputElement>('new-room-name').value.trim());
    form.reset();
    await openRoom(room);
  });
  onSubmit('add-member', async (form) => {
    if (!open) return;
    await session.addMember(open.summary.id, element<HTMLInputElement>('member-principal').value.trim());
    form.reset();
    await showMembers(open.summary.id);
  });
  onSubmit('post', async (form) => {
    if (!open) return;
    const room = open.summary.id;
    await session.post(room, element<HTMLInputElement>('message-text').value);
    form.reset();
    if (open?.summary.id === room) appendNewer(await session.messages(room));
  });
  element('load-older').addEventListener('click', () => loadOlder().catch(report));
  element('copy-principal').addEventListener('click', () => navigator.clipboard.writeText(session.principal.toText()).catch(report));
}

async function main(): Promise<void> {
  const env = safeGetCanisterEnv<{ readonly 'PUBLIC_CANISTER_ID:backend': string }>();
  const backend = env?.['PUBLIC_CANISTER_ID:backend'];
  if (!backend) throw new Error('The page was not served with the backend canister id (the ic_env cookie of its asset canister).');
  session = await Session.connect(await loadKeys(), backend, env.IC_ROOT_KEY);
  element('principal').textContent = session.principal.toText();
  wireForms();
  // A first visit's keys were just made: no profile can exist yet, so the page skips the query.
  const profile = session.keys.fresh ? undefined : await session.profile();
  if (!profile) {
    element('register').hidden = false;
    return;
  }
  showApp(profile.name);
  await refreshRooms();
  startPolling();
}

main().catch(report);
