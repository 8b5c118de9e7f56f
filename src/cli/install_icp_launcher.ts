// `capsule install-icp-launcher`: makes Capsule the network launcher that a plain `icp network start`
// uses, with no environment variable, by entering it in icp-cli's package cache as the latest launcher
// version: `<pkg>/manifest.json` names the version, `<pkg>/network-launcher/<version>/icp-cli-network-launcher`
// is a script that execs this repository's bin/icp-cli-network-launcher (exec keeps the pid icp-cli signals).
import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from './state_dir.ts';

export const CAPSULE_LAUNCHER_VERSION = 'v99.0.0-capsule';
const LATEST_TAG = 'icp-cli-network-launcher:latest';
const UPDATER_KEY = 'icp-cli-network-launcher';
/** icp-cli takes a cached "latest" as fresh when its recorded updater version is at least its own. */
const DEFAULT_ICP_VERSION = '1.5.0';

const USAGE = `Usage: capsule install-icp-launcher [--pkg-dir DIR] [--icp-version V]
  Enters Capsule in icp-cli's package cache as its network launcher, so that \`icp network start\` runs
  Capsule offline.
  --pkg-dir DIR      icp-cli's package cache (default $XDG_DATA_HOME/icp-cli/pkg or ~/.local/share/icp-cli/pkg)
  --icp-version V    The icp-cli version to count as up to date (default ${DEFAULT_ICP_VERSION})
`;

interface Manifest {
  tags?: Record<string, string>;
  updater_versions?: Record<string, string>;
  [key: string]: unknown;
}

function defaultPkgDir(): string {
  const dataHome = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(dataHome, 'icp-cli', 'pkg');
}

function readManifest(file: string): Manifest {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`${file} is not a JSON manifest: ${(e as Error).message}`);
  }
}

/** The repository's launcher entry point (bin/icp-cli-network-launcher). */
export function launcherEntryPoint(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'icp-cli-network-launcher');
}

/** Writes the launcher and the manifest into `pkgDir`; returns the launcher's path in the cache. */
export function installIcpLauncher(pkgDir: string, icpVersion: string): string {
  const launcherDir = join(pkgDir, 'network-launcher', CAPSULE_LAUNCHER_VERSION);
  mkdirSync(launcherDir, { recursive: true });
  const launcher = join(launcherDir, 'icp-cli-network-launcher');
  const quoted = `'${launcherEntryPoint().replaceAll("'", `'\\''`)}'`;
  writeFileAtomic(launcher, `#!/bin/sh\n# Capsule as icp-cli's network launcher (capsule install-icp-launcher).\nexec ${quoted} "$@"\n`);
  chmodSync(launcher, 0o755);
  const manifestFile = join(pkgDir, 'manifest.json');
  const manifest = readManifest(manifestFile);
  manifest.tags = { ...manifest.tags, [LATEST_TAG]: CAPSULE_LAUNCHER_VERSION };
  manifest.updater_versions = { ...manifest.updater_versions, [UPDATER_KEY]: icpVersion };
  writeFileAtomic(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  return launcher;
}

export function runInstallIcpLauncher(argv: readonly string[]): number {
  let values: { 'pkg-dir'?: string; 'icp-version'?: string; help?: boolean };
  try {
    values = parseArgs({ args: [...argv], options: { 'pkg-dir': { type: 'string' }, 'icp-version': { type: 'string' }, help: { type: 'boolean', short: 'h' } } }).values;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const launcher = installIcpLauncher(values['pkg-dir'] ?? defaultPkgDir(), values['icp-version'] ?? DEFAULT_ICP_VERSION);
  process.stdout.write(`icp-cli's network launcher is now Capsule: ${launcher}\n`);
  return 0;
}
