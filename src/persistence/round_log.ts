// The round log: append-only segment files of framed, checksummed round records, one fdatasync per
// round (docs/storage-format.md). A new segment starts at each checkpoint and at each opening, so old segments are
// dropped whole once no kept checkpoint needs them. Scanning stops at the first torn or corrupt frame.
import { crc32 } from 'node:zlib';
import { ByteSink, ByteSource, crc32Parts, totalLength } from './_bytes.ts';
import { corrupt, PersistenceError } from './errors.ts';
import {
  closeFile,
  fileSize,
  type IoStats,
  listDir,
  openFile,
  readExactly,
  removeFile,
  syncData,
  syncDir,
  truncateFile,
  writeParts,
} from './file_io.ts';
import { checkHeader, HEADER_SIZE, layout, seqOf, writeHeader } from './format.ts';

export const RECORD_MAGIC = 0x31444e52; // "RND1"
/** magic (u32), crc (u32), body length (u64), round (u64). */
export const FRAME_SIZE = 24;
/** File header, then the segment's sequence number and first round (u64 each). */
export const SEGMENT_HEADER = HEADER_SIZE + 16;

export class LogSegment {
  readonly path: string;
  readonly seq: number;
  readonly firstRound: bigint;
  #fd: number;
  #size: number;
  #failed: string | undefined;

  private constructor(path: string, seq: number, firstRound: bigint, fd: number, size: number) {
    this.path = path;
    this.seq = seq;
    this.firstRound = firstRound;
    this.#fd = fd;
    this.#size = size;
  }

  /** Creates segment `seq` whose first record will be `firstRound`, durably. */
  static create(dir: string, seq: number, firstRound: bigint, stats: IoStats): LogSegment {
    const path = layout.log(dir, seq);
    const fd = openFile(path, 'wx');
    const sink = new ByteSink();
    writeHeader(sink, 'log');
    sink.u64(BigInt(seq));
    sink.u64(firstRound);
    try {
      writeParts(fd, path, sink.finish(), stats, 0);
      syncData(fd, path, stats);
      syncDir(layout.logs(dir), stats);
    } catch (error) {
      // A segment that could not be made durable holds no record: it goes, so a retry starts clean.
      closeFile(fd, path);
      removeFile(path);
      throw error;
    }
    return new LogSegment(path, seq, firstRound, fd, SEGMENT_HEADER);
  }

  get size(): number {
    return this.#size;
  }

  /**
   * Appends one record and makes it durable. On failure the partial record is cut off again, so the
   * log stays a sequence of whole records; if even that fails, the segment refuses further appends.
   */
  append(round: bigint, body: readonly Uint8Array[], stats: IoStats): void {
    if (this.#failed) throw new PersistenceError({ kind: 'storeFailed', path: this.path, cause: this.#failed });
    const frame = new ByteSink();
    const tail = new ByteSink();
    tail.u64(BigInt(totalLength(body)));
    tail.u64(round);
    const tailParts = tail.finish();
    frame.u32(RECORD_MAGIC);
    frame.u32(crc32Parts(body, crc32Parts(tailParts)));
    const parts = [...frame.finish(), ...tailParts, ...body];
    try {
      const written = writeParts(this.#fd, this.path, parts, stats, this.#size);
      syncData(this.#fd, this.path, stats);
      this.#size += written;
    } catch (error) {
      try {
        truncateFile(this.#fd, this.path, this.#size);
      } catch (undo) {
        this.#failed = (undo as Error).message;
      }
      throw error;
    }
  }

  close(): void {
    if (this.#fd < 0) return;
    closeFile(this.#fd, this.path);
    this.#fd = -1;
  }
}

export interface SegmentInfo {
  path: string;
  seq: number;
  firstRound: bigint;
}

export function readSegmentHeader(fd: number, path: string): SegmentInfo {
  const head = new Uint8Array(SEGMENT_HEADER);
  readExactly(fd, path, head, 0);
  checkHeader(head, 'log', path);
  const source = new ByteSource(head, HEADER_SIZE);
  return { path, seq: Number(source.u64()), firstRound: source.u64() };
}

export interface ScanResult {
  /** Offset after the last whole record. */
  end: number;
  /** Why scanning stopped before the end of the file, if it did. */
  damage?: { offset: number; size: number; reason: string };
}

/**
 * Visits the records of a segment in order. Records of rounds up to `skipThrough` are skipped unread;
 * `visit` gets the others with their body, and may refuse one by returning the reason. Stops at a torn,
 * corrupt or refused record and reports where.
 */
export function scanSegment(path: string, skipThrough: bigint, visit: (round: bigint, body: Uint8Array, offset: number) => string | undefined): ScanResult {
  const fd = openFile(path, 'r');
  try {
    const size = fileSize(fd, path);
    let offset = SEGMENT_HEADER;
    const frame = new Uint8Array(FRAME_SIZE);
    while (offset < size) {
      const damage = (reason: string) => ({ end: offset, damage: { offset, size: size - offset, reason } });
      if (size - offset < FRAME_SIZE) return damage(`a torn frame of ${size - offset} bytes`);
      readExactly(fd, path, frame, offset);
      const source = new ByteSource(frame);
      if (source.u32() !== RECORD_MAGIC) return damage('no record magic');
      const crc = source.u32();
      const length = source.u64();
      const round = source.u64();
      if (length > BigInt(size - offset - FRAME_SIZE)) return damage(`a torn record: ${length} bytes announced, ${size - offset - FRAME_SIZE} present`);
      const bodyLength = Number(length);
      if (round > skipThrough) {
        const body = new Uint8Array(bodyLength);
        readExactly(fd, path, body, offset + FRAME_SIZE);
        if (crc32(body, crc32(frame.subarray(8))) !== crc) return damage(`record checksum mismatch (round ${round})`);
        const refused = visit(round, body, offset);
        if (refused) return damage(refused);
      }
      offset += FRAME_SIZE + bodyLength;
    }
    return { end: offset };
  } finally {
    closeFile(fd, path);
  }
}

/** Cuts a segment after its last good record and makes that durable. */
export function truncateSegment(path: string, end: number, stats: IoStats): void {
  const fd = openFile(path, 'r+');
  try {
    truncateFile(fd, path, end);
    syncData(fd, path, stats);
  } finally {
    closeFile(fd, path);
  }
}

/** The log's segments in sequence order, with their headers read (a foreign version throws). */
export function listSegments(dir: string): SegmentInfo[] {
  const segments: SegmentInfo[] = [];
  for (const name of listDir(layout.logs(dir))) {
    const seq = seqOf(name);
    if (seq === undefined || !name.endsWith('.log')) continue;
    const path = layout.log(dir, seq);
    const fd = openFile(path, 'r');
    try {
      const size = fileSize(fd, path);
      // A segment is made durable whole before any record goes in (a failed creation removes it), so
      // one shorter than its header was cut: the rounds it held are unknown, and it is refused.
      if (size < SEGMENT_HEADER) throw corrupt(path, 0, size, `the log segment has ${size} bytes, less than its ${SEGMENT_HEADER}-byte header: its rounds are lost`);
      const segment = readSegmentHeader(fd, path);
      if (segment.seq !== seq) throw corrupt(path, HEADER_SIZE, 8, `the segment's header says it is segment ${segment.seq}, not ${seq}`);
      segments.push(segment);
    } finally {
      closeFile(fd, path);
    }
  }
  return segments;
}
