// A load client as cheap as Node allows, since it shares the machine's cores with the server it measures:
// requests are encoded before the clock starts (request line, headers and body in one buffer), sent over a
// few keep-alive sockets with one request in flight per socket, and answers are only framed (status line
// and content-length), never decoded. What it costs is measured too: its own CPU time and the server's.
import { connect, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';

const HEADER_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length: *(\d+)/i;

/** One POST of `body` to `path`, encoded once. */
export function encodePost(host: string, path: string, body: Uint8Array): Buffer {
  const head = `POST ${path} HTTP/1.1\r\nhost: ${host}\r\ncontent-type: application/cbor\r\ncontent-length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/** A keep-alive socket answering one request at a time. */
class Connection {
  readonly #socket: Socket;
  #buffer: Buffer = Buffer.alloc(0);
  #waiting: ((status: number) => void) | undefined;
  #failed: ((error: Error) => void) | undefined;

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
      this.#frame();
    });
    socket.on('error', (error) => this.#failed?.(error));
    socket.on('close', () => this.#failed?.(new Error('the server closed the connection')));
  }

  static open(port: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new Connection(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends `request` and resolves with the answer's status once its whole body has arrived. */
  send(request: Buffer): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#waiting = resolve;
      this.#failed = reject;
      this.#socket.write(request);
    });
  }

  close(): void {
    this.#failed = undefined;
    this.#socket.destroy();
  }

  #frame(): void {
    const end = this.#buffer.indexOf(HEADER_END);
    if (end < 0) return;
    const head = this.#buffer.toString('latin1', 0, end);
    const length = Number(CONTENT_LENGTH.exec(head)?.[1] ?? 0);
    if (this.#buffer.length < end + 4 + length) return;
    const status = Number(head.slice(9, 12));
    this.#buffer = this.#buffer.subarray(end + 4 + length);
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.(status);
  }
}

export interface LoadResult {
  readonly calls: number;
  readonly concurrency: number;
  readonly perSecond: number;
  /** The server's CPU time (all its threads) per call, ms. */
  readonly serverCpuMsPerCall: number;
  /** The part of it on the server's main thread (parsing, rounds, answers), which bounds its throughput. */
  readonly serverMainThreadCpuMsPerCall: number;
  /** This client's share of the CPU time both processes spent. */
  readonly clientCpuShare: number;
}

/** Sends every request with `concurrency` in flight; each must be answered with `expected`. */
export async function load(port: number, serverPid: number, requests: readonly Buffer[], concurrency: number, expected = 200): Promise<LoadResult> {
  const connections = await Promise.all(Array.from({ length: concurrency }, () => Connection.open(port)));
  let next = 0;
  const serverBefore = processCpuMs(serverPid);
  const mainBefore = processCpuMs(serverPid, serverPid);
  const clientBefore = process.cpuUsage();
  const t0 = performance.now();
  try {
    await Promise.all(
      connections.map(async (connection) => {
        while (next < requests.length) {
          const status = await connection.send(requests[next++]!);
          if (status !== expected) throw new Error(`the server answered ${status}, not ${expected}`);
        }
      }),
    );
  } finally {
    for (const connection of connections) connection.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  const client = process.cpuUsage(clientBefore);
  const clientMs = (client.user + client.system) / 1000;
  const serverMs = processCpuMs(serverPid) - serverBefore;
  const mainMs = processCpuMs(serverPid, serverPid) - mainBefore;
  return {
    calls: requests.length,
    concurrency,
    perSecond: Math.round(requests.length / seconds),
    serverCpuMsPerCall: Math.round((1000 * serverMs) / requests.length) / 1000,
    serverMainThreadCpuMsPerCall: Math.round((1000 * mainMs) / requests.length) / 1000,
    clientCpuShare: Math.round((100 * clientMs) / (clientMs + serverMs)) / 100,
  };
}

/** User and system CPU time of a process, all threads, or of one of its threads (Linux: /proc, in ticks of 10 ms). */
function processCpuMs(pid: number, thread?: number): number {
  const stat = readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
