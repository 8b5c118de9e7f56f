// Checkpoint page images: one file per canister memory and generation, made of sections appended at
// checkpoints (pages changed since the previous checkpoint). A checkpoint lists the sections it uses,
// so appending never disturbs an older checkpoint; when sections pile up, a new generation starts
// with one section holding the whole image (a merge, as the IC merges overlay files).
import { crc32 } from 'node:zlib';
import { join } from 'node:path';
import { ByteSink, ByteSource } from './_bytes.ts';
import { corrupt } from './errors.ts';
import { closeFile, fileSize, type IoStats, openFile, readExactly, syncData, writeParts } from './file_io.ts';
import { checkHeader, HEADER_SIZE, layout, PAGE_SIZE, writeHeader } from './format.ts';
import { type PageRun, pageCount, runData } from './pages.ts';

/** Where one section of a page file is, and what it must hold. */
export interface SectionRef {
  offset: number;
  pages: number;
  crc: number;
}

/** A page image: sections of one page file, applied in order. */
export interface PageImage {
  /** File name inside `pages/`; empty for an image without pages. */
  file: string;
  sections: SectionRef[];
}

export const SECTION_MAGIC = 0x43455350; // "PSEC"
const SECTION_HEADER = 16;

export function pageFileName(canisterHex: string, memory: 'heap' | 'stable', generation: number): string {
  return `${canisterHex}.${memory}.${generation}.pages`;
}

/** Appends a section with `runs` to the page file (created with its header if new) and makes it durable. */
export function appendSection(dir: string, file: string, runs: readonly PageRun[], stats: IoStats): SectionRef {
  const path = join(layout.pages(dir), file);
  const fd = openFile(path, 'a');
  try {
    const sink = new ByteSink();
    let offset = fileSize(fd, path);
    if (offset === 0) {
      writeHeader(sink, 'pages');
      offset = HEADER_SIZE;
    }
    const table = new ByteSink();
    for (const run of runs) {
      table.u32(run.start);
      table.u32(run.count);
    }
    const body = [...table.finish(), ...runData(runs)];
    let crc = 0;
    for (const part of body) crc = crc32(part, crc);
    const pages = pageCount(runs);
    sink.u32(SECTION_MAGIC);
    sink.u32(runs.length);
    sink.u32(pages);
    sink.u32(crc);
    writeParts(fd, path, [...sink.finish(), ...body], stats);
    syncData(fd, path, stats);
    return { offset, pages, crc };
  } finally {
    closeFile(fd, path);
  }
}

/**
 * Reads an image's sections in order; `target(start, count)` gives the bytes to fill for a run (for a
 * heap, a view of the wasm memory itself, so a large image is read without a copy). Checksums are
 * verified; a mismatch is a `corrupt` failure.
 */
export function readImage(dir: string, image: PageImage, target: (start: number, count: number) => Uint8Array): void {
  if (image.sections.length === 0) return;
  const path = join(layout.pages(dir), image.file);
  const fd = openFile(path, 'r');
  try {
    const header = new Uint8Array(HEADER_SIZE);
    readExactly(fd, path, header, 0);
    checkHeader(header, 'pages', path);
    for (const section of image.sections) readSection(fd, path, section, target);
  } finally {
    closeFile(fd, path);
  }
}

function readSection(fd: number, path: string, section: SectionRef, target: (start: number, count: number) => Uint8Array): void {
  const head = new Uint8Array(SECTION_HEADER);
  readExactly(fd, path, head, section.offset);
  const source = new ByteSource(head);
  const magic = source.u32();
  const runCount = source.u32();
  const pages = source.u32();
  const crc = source.u32();
  if (magic !== SECTION_MAGIC || pages !== section.pages || crc !== section.crc) {
    throw corrupt(path, section.offset, SECTION_HEADER, `the section header does not match the checkpoint (${pages} pages, crc ${crc}; expected ${section.pages}, ${section.crc})`);
  }
  const table = new Uint8Array(runCount * 8);
  readExactly(fd, path, table, section.offset + SECTION_HEADER);
  let actual = crc32(table);
  const runs = new ByteSource(table);
  let position = section.offset + SECTION_HEADER + table.length;
  let seen = 0;
  for (let i = 0; i < runCount; i++) {
    const start = runs.u32();
    const count = runs.u32();
    seen += count;
    if (seen > pages) break;
    const bytes = target(start, count);
    readExactly(fd, path, bytes, position);
    actual = crc32(bytes, actual);
    position += count * PAGE_SIZE;
  }
  if (seen !== pages || actual !== crc) {
    throw corrupt(path, section.offset, position - section.offset, `section checksum mismatch (computed ${actual}, stored ${crc})`);
  }
}

/** Every page index the given sections hold (their run tables only; no page data is read). */
export function sectionPages(dir: string, file: string, sections: readonly SectionRef[]): Set<number> {
  const path = join(layout.pages(dir), file);
  const pages = new Set<number>();
  const fd = openFile(path, 'r');
  try {
    for (const section of sections) {
      const head = new Uint8Array(SECTION_HEADER);
      readExactly(fd, path, head, section.offset);
      const source = new ByteSource(head);
      if (source.u32() !== SECTION_MAGIC) throw corrupt(path, section.offset, SECTION_HEADER, 'no section magic');
      const table = new Uint8Array(source.u32() * 8);
      readExactly(fd, path, table, section.offset + SECTION_HEADER);
      const runs = new ByteSource(table);
      while (runs.remaining > 0) {
        const start = runs.u32();
        const count = runs.u32();
        for (let page = start; page < start + count; page++) pages.add(page);
      }
    }
    return pages;
  } finally {
    closeFile(fd, path);
  }
}
