// A custom-domains file as icp-cli writes it (`<status-dir>/custom-domains.txt`, rewritten on every
// deploy): one `host:canister-id` line per domain. The file is polled and, when it changes, its mapping
// replaces the contents of a live map that the HTTP gateway reads on every request (icp-cli's launcher and
// PocketIC's `domain_custom_provider_local_file` use the same format).
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { Principal } from '../state/index.ts';

const POLL_MS = 200;

/** The mapping of the file's lines; malformed lines are reported through `warn` and skipped. */
export function parseCustomDomains(text: string, warn: (message: string) => void): Map<string, Principal> {
  const domains = new Map<string, Principal>();
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    const host = line.slice(0, colon).trim().toLowerCase();
    try {
      if (colon <= 0) throw new Error('expected host:canister-id');
      domains.set(host, Principal.fromText(line.slice(colon + 1).trim()));
    } catch (e) {
      warn(`custom domains line ${index + 1} ignored (${(e as Error).message}): ${line}`);
    }
  }
  return domains;
}

function readInto(file: string, domains: Map<string, Principal>, warn: (message: string) => void): void {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') warn(`cannot read ${file}: ${(e as Error).message}`);
  }
  domains.clear();
  for (const [host, id] of parseCustomDomains(text, warn)) domains.set(host, id);
}

/** Keeps `domains` equal to the file's mapping (empty while the file is absent) until the returned stop. */
export function followCustomDomains(file: string, domains: Map<string, Principal>, warn: (message: string) => void): () => void {
  readInto(file, domains, warn);
  const listener = (): void => readInto(file, domains, warn);
  watchFile(file, { interval: POLL_MS, persistent: false }, listener);
  return () => unwatchFile(file, listener);
}
