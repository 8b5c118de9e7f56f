// Which canister a browser request is for, in the local gateways' order: the Host (`<id>.<domain>`,
// `<id>.raw.<domain>`, a `name--<id>` label, a custom domain), then `?canisterId=` on any host, then
// the Referer of a page that was found either way (HTTP Gateway Protocol, "Canister ID Resolution").
import { Principal } from '../state/index.ts';

export interface ResolutionConfig {
  /** Base domains whose subdomains name canisters (default `localhost`, `127.0.0.1`). */
  readonly domains: readonly string[];
  /** Host names (no port) served by one canister each. */
  readonly customDomains: ReadonlyMap<string, Principal>;
}

export type Resolution =
  | { readonly kind: 'canister'; readonly canisterId: Principal; readonly raw: boolean }
  | { readonly kind: 'invalid'; readonly message: string }
  | { readonly kind: 'none' };

const NONE: Resolution = { kind: 'none' };

export function resolveCanister(config: ResolutionConfig, host: string | undefined, url: URL, referer: string | undefined): Resolution {
  const fromHost = resolveHost(config, hostName(host));
  if (fromHost.kind !== 'none') return fromHost;
  const fromQuery = fromQueryParameter(url);
  if (fromQuery.kind !== 'none') return fromQuery;
  return fromReferer(config, referer);
}

/** The host without its port, lower case (`[::1]:4943` → `::1`). */
function hostName(host: string | undefined): string {
  if (!host) return '';
  const lower = host.trim().toLowerCase();
  if (lower.startsWith('[')) return lower.slice(1, lower.indexOf(']'));
  const colon = lower.lastIndexOf(':');
  return (colon >= 0 ? lower.slice(0, colon) : lower).replace(/\.$/, '');
}

function resolveHost(config: ResolutionConfig, host: string): Resolution {
  const custom = config.customDomains.get(host);
  if (custom) return { kind: 'canister', canisterId: custom, raw: false };
  for (const domain of config.domains) {
    if (!host.endsWith(`.${domain}`)) continue;
    const labels = host.slice(0, -domain.length - 1).split('.');
    // `<id>.raw.<domain>` serves without verification; a bare `raw.<domain>` is the base domain.
    if (labels.length === 2 && labels[1] === 'raw') return parseId(labels[0]!, true);
    if (labels.length === 1 && labels[0] !== 'raw') return parseId(labels[0]!, false);
  }
  return NONE;
}

function parseId(label: string, raw: boolean): Resolution {
  // `myapp--<id>` names a canister by the part after the last `--`.
  const prefixEnd = label.lastIndexOf('--');
  const text = prefixEnd < 0 ? label : label.slice(prefixEnd + 2);
  try {
    return { kind: 'canister', canisterId: Principal.fromText(text), raw };
  } catch {
    return { kind: 'invalid', message: `Incorrect canister id in the host: ${text}` };
  }
}

function fromQueryParameter(url: URL): Resolution {
  const value = url.searchParams.get('canisterId');
  if (value === null) return NONE;
  try {
    return { kind: 'canister', canisterId: Principal.fromText(value), raw: false };
  } catch {
    return { kind: 'invalid', message: `Incorrect canister id: ${value}` };
  }
}

/** A sub-resource of a page loaded as `http://localhost:P/?canisterId=X` (or `<X>.localhost`). */
function fromReferer(config: ResolutionConfig, referer: string | undefined): Resolution {
  if (!referer) return NONE;
  let page: URL;
  try {
    page = new URL(referer);
  } catch {
    return NONE;
  }
  const resolved = resolveHost(config, hostName(page.host));
  if (resolved.kind === 'canister') return { ...resolved, raw: false };
  const fromQuery = fromQueryParameter(page);
  return fromQuery.kind === 'canister' ? fromQuery : NONE;
}
