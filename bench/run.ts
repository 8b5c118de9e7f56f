// Runs every benchmark and prints one JSON document (`npm run bench`).
import { executionBenchmarks } from './execution.ts';

const results: Record<string, unknown> = { node: process.version, execution: await executionBenchmarks() };
console.log(JSON.stringify(results, null, 2));
