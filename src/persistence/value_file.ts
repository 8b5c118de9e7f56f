// Files holding one value (the manifest, checkpoints): header, value, CRC-32 of everything before it.
import { ByteSink, ByteSource, crc32Parts } from './_bytes.ts';
import { corrupt } from './errors.ts';
import { checkHeader, type FileKind, HEADER_SIZE, writeHeader } from './format.ts';
import { type DecodeOptions, decodeRemainingValue, encodeValue } from './value_codec.ts';

export function encodeValueFile(kind: FileKind, value: unknown): Uint8Array[] {
  const sink = new ByteSink();
  writeHeader(sink, kind);
  encodeValue(sink, value, kind);
  const parts = sink.finish();
  const trailer = new ByteSink();
  trailer.u32(crc32Parts(parts));
  return [...parts, ...trailer.finish()];
}

/** The file's value; a wrong header, checksum or structure throws (see `checkHeader`, `corrupt`). */
export function decodeValueFile(bytes: Uint8Array, kind: FileKind, path: string, options: DecodeOptions = {}): unknown {
  checkHeader(bytes, kind, path);
  if (bytes.length < HEADER_SIZE + 4) throw corrupt(path, 0, bytes.length, 'the file is too short');
  const content = bytes.subarray(0, bytes.length - 4);
  const stored = new ByteSource(bytes, bytes.length - 4).u32();
  const actual = crc32Parts([content]);
  if (stored !== actual) throw corrupt(path, 0, bytes.length, `checksum mismatch (computed ${actual}, stored ${stored})`);
  return decodeRemainingValue(new ByteSource(content, HEADER_SIZE), path, bytes.length, options);
}
