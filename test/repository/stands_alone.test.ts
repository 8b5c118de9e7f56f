// The repository stands alone: no source file, test, benchmark, example or document points to
// something a clone does not have (another checkout's files, a private tracker, a private digest).
// Public references are fine: the interface specification by section name or URL, dfinity/ic paths.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { filesUnder, ROOT, readText } from './_files.ts';

const FORBIDDEN: { what: string; pattern: RegExp }[] = [
  { what: 'a path outside the repository', pattern: /\.\.\/shared\b/ },
  { what: 'an absolute path of one machine', pattern: /\/work\// },
  { what: 'a section of a private spec digest', pattern: /\bdigest §|\bspec-digest\b|\bdigest (section )?\d/i },
  { what: 'the design document outside the repository', pattern: /\bDESIGN(\.md| \d)/ },
  { what: 'an issue of a private tracker', pattern: /\bissues? \d/i },
  { what: 'a rule of a private style guide', pattern: /\bstyle( guide)? R\d|\(R\d+[:),]/ },
  // The interface spec has no section numbers (cite section names); RFCs and drafts do.
  { what: 'a numbered section the interface spec does not have', pattern: /(?<!RFC \d{4} )(?<!-\d\d )§\d/ },
];


const SELF = 'test/repository/stands_alone.test.ts';
const EXTENSIONS = ['.ts', '.md', '.mo', '.json', '.did', '.txt', '.sh', '.cjs', '.js'];

function repositoryFiles(): string[] {
  const folders = ['src', 'test', 'bench', 'examples', 'docs'].flatMap((folder) => filesUnder(folder, EXTENSIONS));
  const topLevel = ['README.md', 'CONTRIBUTING.md'].filter((name) => existsSync(join(ROOT, name)));
  return [...folders, ...topLevel].filter((path) => path !== SELF);
}

function offences(text: string): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, index) => {
    for (const { what, pattern } of FORBIDDEN) if (pattern.test(line)) found.push(`${index + 1}: ${what}: ${line.trim()}`);
  });
  return found;
}

test('each kind of outside reference is recognised, and public references are not', () => {
  // Assembled from parts so that this file itself names no path outside the repository.
  const [parent, folder, machine] = ['..', 'shared', 'work'];
  const outside = [
    `see [DESIGN.md](${parent}/${folder}/DESIGN.md)`,
    `in \`/${machine}/${folder}/ref/conformance-tests.md\``,
    '// Prices (digest §8.1).',
    '// (DESIGN 4: the ratio should be close to 1)',
    '// Recovery from damage (issue 4.3):',
    '// as data (style guide R3).',
    '// checked, then applied (R5: see the guide)',
    '// Reject codes (spec §3.4); 0 is never a reject code.',
  ];
  for (const line of outside) assert.ok(offences(line).length > 0, line);
  const inside = [
    '// interface spec, section "The system state tree" (https://internetcomputer.org/docs/references/ic-interface-spec)',
    '// the replica (dfinity/ic rs/embedders) provides it beyond the spec',
    'const digest = createHash("sha256").update(bytes).digest("hex");',
    'see docs/architecture.md and docs/storage-format.md',
    '/** The self-describe tag (RFC 8949 §3.4.6). */',
    ' * draft-irtf-cfrg-bls-signature-05 §2.3, HKDF-SHA-256, empty key_info).',
  ];
  for (const line of inside) assert.deepEqual(offences(line), [], line);
});

test('no file in src, test, bench, examples, docs, README or CONTRIBUTING points outside the repository', () => {
  const files = repositoryFiles();
  assert.ok(files.length > 100, `only ${files.length} files found under ${ROOT}`);
  const report = files.flatMap((path) => offences(readText(path)).map((offence) => `${path}:${offence}`));
  assert.deepEqual(report, []);
});
