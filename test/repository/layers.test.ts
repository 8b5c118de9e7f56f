// The layers of src/ import only downward, and only through a layer's index.ts: a layer is a folder
// of src/, its index.ts is its door, and files inside a layer import each other freely.
// Order, bottom to top; http and api are two front ends side by side; cli is the root.
import assert from 'node:assert/strict';
import { dirname, join, normalize } from 'node:path';
import { test } from 'node:test';
import { filesUnder, readText } from './_files.ts';

const LAYERS = [
  'wasm',
  'state',
  'execution',
  'management',
  'system_canisters',
  'scheduler',
  'persistence',
  'certification',
  'replica',
  'http',
  'gateway',
  'dashboard',
  'pocketic',
  'api',
  'cli',
];
// Front ends beside each other: the library facade imports no server front end, and they not it.
const SIDE_BY_SIDE = [
  ['http', 'api'],
  ['gateway', 'api'],
  ['dashboard', 'api'],
  ['pocketic', 'api'],
];

interface Import {
  file: string;
  line: number;
  specifier: string;
}

// Static imports and re-exports (`import … from`, `import '…'`, `export … from`) and dynamic `import('…')`.
const IMPORT = /(?:\bimport|\bexport)\s+(?:type\s+)?(?:[^'";]*?\bfrom\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string, text: string): Import[] {
  const found: Import[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const specifier = (match[1] ?? match[2])!;
    found.push({ file, line: text.slice(0, match.index).split('\n').length, specifier });
  }
  return found;
}

function layerOf(path: string): string | undefined {
  const parts = path.split('/');
  return parts[0] === 'src' && parts.length > 2 ? parts[1] : undefined;
}

/** Why this import breaks the layering, or undefined if it is fine. */
function violation({ file, specifier }: Import): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const from = layerOf(file);
  const target = normalize(join(dirname(file), specifier)).split('\\').join('/');
  const to = layerOf(target);
  if (from === undefined) return undefined;
  if (to === undefined) return target.startsWith('src/') ? undefined : `reaches outside src/ (${target})`;
  if (from === to) return undefined;
  if (!LAYERS.includes(from)) return `${from}/ is not a known layer (add it to LAYERS in its place)`;
  if (!LAYERS.includes(to)) return `${to}/ is not a known layer (add it to LAYERS in its place)`;
  if (to === 'cli') return 'cli/ is the root: nothing imports it';
  if (SIDE_BY_SIDE.some((pair) => pair.includes(from) && pair.includes(to))) return `${from}/ and ${to}/ must not import each other`;
  if (LAYERS.indexOf(to) > LAYERS.indexOf(from)) return `goes up from ${from}/ to ${to}/`;
  if (target !== `src/${to}/index.ts`) return `reaches into ${to}/ around its index.ts`;
  return undefined;
}

const importsOfSrc = (): Import[] => filesUnder('src', ['.ts']).flatMap((file) => importsOf(file, readText(file)));

test('the import parser finds static, type-only, re-exported, multi-line and dynamic imports', () => {
  const text = [
    "import { a } from '../state/index.ts';",
    "import type { B } from '../execution/index.ts';",
    'import {',
    '  c,',
    "} from './c.ts';",
    "export * from './d.ts';",
    "export { e } from '../wasm/index.ts';",
    "const f = await import('../http/index.ts');",
    "import 'node:fs';",
  ].join('\n');
  const specifiers = importsOf('src/scheduler/x.ts', text).map((found) => `${found.line}:${found.specifier}`);
  assert.deepEqual(specifiers, ['1:../state/index.ts', '2:../execution/index.ts', '3:./c.ts', '6:./d.ts', '7:../wasm/index.ts', '8:../http/index.ts', '9:node:fs']);
});

test('an import that goes up, around an index.ts, between http and api, or into cli is a violation', () => {
  const check = (file: string, specifier: string) => violation({ file, line: 1, specifier });
  assert.equal(check('src/scheduler/round.ts', '../execution/index.ts'), undefined);
  assert.equal(check('src/scheduler/round.ts', './ingress.ts'), undefined);
  assert.equal(check('src/management/candid/index.ts', '../../state/index.ts'), undefined);
  assert.equal(check('src/api/capsule.ts', '@dfinity/principal'), undefined);
  assert.match(check('src/execution/update.ts', '../scheduler/index.ts')!, /goes up/);
  assert.match(check('src/scheduler/round.ts', '../execution/update.ts')!, /around its index\.ts/);
  assert.match(check('src/management/dispatch.ts', '../execution/index.ts/../journal.ts')!, /around its index\.ts/);
  assert.match(check('src/http/call.ts', '../api/index.ts')!, /must not import each other/);
  assert.match(check('src/api/capsule.ts', '../http/index.ts')!, /must not import each other/);
  assert.match(check('src/api/capsule.ts', '../cli/args.ts')!, /root/);
  assert.match(check('src/tools/x.ts', '../state/index.ts')!, /not a known layer/);
});

test('src/ imports only downward and only through index.ts', () => {
  const imports = importsOfSrc();
  assert.ok(imports.length > 300, `only ${imports.length} imports found`);
  const broken = imports.flatMap((found) => {
    const why = violation(found);
    return why === undefined ? [] : [`${found.file}:${found.line} imports ${found.specifier}: ${why}`];
  });
  assert.deepEqual(broken, [], 'imports that break the layering');
});
