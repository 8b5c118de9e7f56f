// The dashboard page: renders the replica's JSON views and refreshes them on each `round` event.
// Canister-provided strings (method names, log lines, reject messages) reach the page only as text
// nodes, never as markup.
const BASE = '/_/dashboard';
const SVG = 'http://www.w3.org/2000/svg';
let selected = new URLSearchParams(location.search).get('canister');
let refreshing = false;
let again = false;

/** An element with attributes and children (strings become text nodes). */
function element(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

function svg(tag, attributes, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function short(id) {
  return id.length > 17 ? `${id.slice(0, 11)}…${id.slice(-5)}` : id;
}

function cycles(amount) {
  const value = Number(amount);
  if (value >= 1e12) return `${(value / 1e12).toFixed(3)} T`;
  if (value >= 1e9) return `${(value / 1e9).toFixed(3)} B`;
  return amount;
}

function bytes(amount) {
  const value = Number(amount);
  if (value >= 2 ** 20) return `${(value / 2 ** 20).toFixed(1)} MiB`;
  if (value >= 2 ** 10) return `${(value / 2 ** 10).toFixed(1)} KiB`;
  return `${amount} B`;
}

function clock(nanos) {
  return new Date(Number(BigInt(nanos) / 1000000n)).toISOString().replace('T', ' ').replace('Z', ' UTC');
}

function cell(text, className) {
  return element('td', className ? { class: className } : {}, text);
}

function renderCanisters(canisters) {
  const body = document.querySelector('#canisters tbody');
  body.replaceChildren(
    ...canisters.map((canister) => {
      const row = element(
        'tr',
        { 'data-canister': canister.id },
        cell(canister.id, 'mono'),
        cell(canister.status, `status-${canister.status}`),
        cell(canister.moduleHash ? `0x${canister.moduleHash.slice(0, 16)}…` : 'empty', 'mono'),
        cell(cycles(canister.cycles), 'number'),
        cell(bytes(canister.memoryBytes), 'number'),
        cell(canister.controllers.map(short).join(', '), 'mono'),
      );
      if (canister.moduleHash) row.cells[2].title = canister.moduleHash;
      if (canister.id === selected) row.classList.add('selected');
      row.addEventListener('click', () => select(canister.id));
      return row;
    }),
  );
  document.getElementById('canister-count').textContent = `(${canisters.length})`;
  document.getElementById('no-canisters').hidden = canisters.length > 0;
}

function outcomeCell(call) {
  if (!call.outcome) return cell('pending', 'pending');
  if (call.outcome.kind === 'reply') return cell(`reply (${call.outcome.bytes} B)`, 'reply');
  return cell(`reject ${call.outcome.code}: ${call.outcome.message}`, 'reject');
}

function renderCalls(calls) {
  const body = document.querySelector('#calls tbody');
  body.replaceChildren(
    ...calls.map((call) =>
      element('tr', {}, cell(call.round, 'number'), cell(call.kind), cell(short(call.caller), 'mono'), cell(short(call.callee), 'mono'), cell(call.method, 'mono'), outcomeCell(call)),
    ),
  );
}

function renderRounds(rounds) {
  const latest = rounds.slice(-15).reverse();
  const widest = Math.max(1, ...latest.map((round) => round.executionMs + round.commitMs));
  const bar = (ms, className) => {
    const node = element('span', { class: className });
    // Through the CSSOM: the page's content security policy refuses style attributes.
    node.style.width = `${Math.max(1, Math.round((ms / widest) * 120))}px`;
    return node;
  };
  document.querySelector('#rounds tbody').replaceChildren(
    ...latest.map((round) =>
      element(
        'tr',
        {},
        cell(round.round, 'number'),
        cell(String(round.calls), 'number'),
        cell(round.executionMs.toFixed(2), 'number'),
        cell(round.commitMs.toFixed(2), 'number'),
        element('td', {}, bar(round.executionMs, 'bar'), bar(round.commitMs, 'bar commit')),
      ),
    ),
  );
}

function renderGraph(graph) {
  const view = document.getElementById('graph');
  const count = graph.nodes.length;
  const place = new Map(graph.nodes.map((node, i) => {
    const angle = (2 * Math.PI * i) / Math.max(1, count) - Math.PI / 2;
    return [node.id, { x: 300 + 140 * Math.cos(angle), y: 180 + 140 * Math.sin(angle) }];
  }));
  const lines = graph.edges.map((edge) => {
    const from = place.get(edge.from);
    const to = place.get(edge.to);
    const line = svg('line', { x1: from.x, y1: from.y, x2: to.x, y2: to.y, class: edge.rejects > 0 ? 'rejected' : '', 'marker-end': 'url(#arrow)' });
    line.append(svg('title', {}, `${edge.from} → ${edge.to}: ${edge.calls} calls`));
    return line;
  });
  const arrow = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 18, refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto-start-reverse' });
  arrow.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#8a94a6' }));
  const defs = svg('defs', {});
  defs.append(arrow);
  const circles = graph.nodes.flatMap((node) => {
    const { x, y } = place.get(node.id);
    const circle = svg('circle', { cx: x, cy: y, r: 9, class: node.kind });
    circle.append(svg('title', {}, node.id));
    return [circle, svg('text', { x: x + 12, y: y + 4 }, node.kind === 'management' ? 'aaaaa-aa (management)' : short(node.id))];
  });
  view.replaceChildren(defs, ...lines, ...circles);
  document.getElementById('edges').replaceChildren(
    ...graph.edges.map((edge) =>
      element('li', {}, `${short(edge.from)} → ${short(edge.to)}: ${edge.calls} call${edge.calls === 1 ? '' : 's'}${edge.rejects ? `, ${edge.rejects} rejected` : ''} (${edge.methods.join(', ')})`),
    ),
  );
}

async function refreshLogs() {
  if (!selected) return;
  const answer = await fetch(`${BASE}/api/logs?canister=${encodeURIComponent(selected)}`);
  if (!answer.ok) return;
  const { logs, traps } = await answer.json();
  document.getElementById('logs-canister').textContent = selected;
  document.getElementById('logs').textContent = logs.length === 0 ? '(no log records)' : logs.map((line) => `[${line.index}. ${clock(line.timestampNanos)}]: ${line.text}`).join('\n');
  document.getElementById('traps').replaceChildren(
    ...traps.map((trap) =>
      element('div', { class: 'trap' }, `round ${trap.round}, ${trap.method}: ${trap.outcome.message}`, element('ol', {}, ...trap.outcome.backtrace.map((frame) => element('li', {}, frame)))),
    ),
  );
}

function select(id) {
  selected = id;
  for (const row of document.querySelectorAll('#canisters tbody tr')) row.classList.toggle('selected', row.dataset.canister === id);
  void refreshLogs();
}

async function refresh() {
  if (refreshing) {
    again = true;
    return;
  }
  refreshing = true;
  try {
    const answer = await fetch(`${BASE}/api/overview`);
    const overview = await answer.json();
    document.getElementById('subnet').textContent = short(overview.subnet);
    document.getElementById('round').textContent = overview.round;
    document.getElementById('time').textContent = clock(overview.time);
    if (!selected && overview.canisters.length > 0) selected = overview.canisters[0].id;
    renderCanisters(overview.canisters);
    renderCalls(overview.calls);
    renderRounds(overview.rounds);
    renderGraph(overview.graph);
    await refreshLogs();
    document.body.dataset.round = overview.round;
  } catch {
    // The server went away: the event stream says so and reconnects; its `open` refreshes again.
  } finally {
    refreshing = false;
    if (again) {
      again = false;
      void refresh();
    }
  }
}

function listen() {
  const live = document.getElementById('live');
  const events = new EventSource(`${BASE}/events`);
  events.addEventListener('open', () => {
    live.textContent = 'live';
    live.className = 'on';
    void refresh();
  });
  events.addEventListener('error', () => {
    live.textContent = 'reconnecting';
    live.className = 'off';
  });
  events.addEventListener('round', () => void refresh());
}

void refresh();
listen();
