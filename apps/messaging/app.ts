// Secure messaging: a Motoko backend that stores profiles, rooms and ciphertext, and a browser frontend
// that keeps the keys and does all encryption (docs/apps/messaging.md).
import type { AppDefinition } from '../../src/cli/apps/app_definition.ts';

export const app: AppDefinition = {
  name: 'messaging',
  title: 'Secure messaging',
  canisters: [{ name: 'backend', main: 'backend/main.mo' }],
  frontend: { directory: 'frontend/public', bundles: { 'frontend/src/main.ts': '/main.js' } },
};
