// `icp:` custom sections (replica validation.rs `validate_custom_section`): the name must
// be `icp:public <name>` or `icp:private <name>` (exactly one space; `<name>` may be
// empty), each `<name>` at most once, at most 16 of them and at most 1 MiB of names
// plus contents. They become the canister's metadata (state tree, canister_metadata).
import { invalidModule } from './errors.ts';
import type { ModuleInfo } from './decode.ts';

export const MAX_CUSTOM_SECTIONS = 16;
export const MAX_CUSTOM_SECTIONS_SIZE = 1024 * 1024;

export interface CustomSection {
  visibility: 'public' | 'private';
  content: Uint8Array;
}

function parseName(sectionName: string): [string, 'public' | 'private'] | undefined {
  if (!sectionName.startsWith('icp:')) return undefined;
  if (sectionName.startsWith('icp:public ')) return [sectionName.slice('icp:public '.length), 'public'];
  if (sectionName.startsWith('icp:private ')) return [sectionName.slice('icp:private '.length), 'private'];
  if (sectionName === 'icp:public' || sectionName === 'icp:private') {
    throw invalidModule('invalidCustomSection', "'icp:' section names must have a space after the public/private scope");
  }
  throw invalidModule('invalidCustomSection', `Invalid custom section: Custom section '${sectionName}' has no public/private scope defined.`);
}

/** Validates the `icp:` sections and returns them keyed by `<name>`. */
export function validateCustomSections(info: ModuleInfo): Map<string, CustomSection> {
  const sections = new Map<string, CustomSection>();
  let total = 0;
  for (const custom of info.customSections) {
    const parsed = parseName(custom.name);
    if (!parsed) continue;
    const [name, visibility] = parsed;
    if (sections.has(name)) {
      throw invalidModule('invalidCustomSection', `Invalid custom section: name ${name} already exists`);
    }
    total += custom.end - custom.start + new TextEncoder().encode(name).length;
    if (total > MAX_CUSTOM_SECTIONS_SIZE) {
      throw invalidModule('invalidCustomSection', `Invalid custom sections: total size of the custom sections exceeds the maximum allowed: size ${total} bytes, allowed ${MAX_CUSTOM_SECTIONS_SIZE} bytes`);
    }
    sections.set(name, { visibility, content: info.bytes.slice(custom.start, custom.end) });
    if (sections.size > MAX_CUSTOM_SECTIONS) {
      throw invalidModule('tooManyCustomSections', `Wasm module defined ${sections.size} custom sections which exceeds the maximum number allowed ${MAX_CUSTOM_SECTIONS}.`);
    }
  }
  return sections;
}
