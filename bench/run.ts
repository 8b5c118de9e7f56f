// Runs every benchmark in its own process and prints one JSON document (`npm run bench`).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BENCHMARKS = ['execution', 'heavy_memory', 'instrument', 'http', 'gateway', 'assets', 'persistence', 'idle_rounds', 'canisters', 'workers', 'pocketic', 'launcher'];
const results: Record<string, unknown> = { node: process.version };
for (const name of BENCHMARKS) {
  const script = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  if (!existsSync(script)) continue;
  const output = execFileSync(process.execPath, [script], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  results[name] = JSON.parse(output.slice(output.indexOf('{')));
}
console.log(JSON.stringify(results, null, 2));
