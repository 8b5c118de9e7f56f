// The page's script: reads the backend's id from /env.json (written at upload time), then calls the
// backend through the same origin's /api with @icp-sdk/core (bundled into /app.js at build time).
import { Actor, HttpAgent } from '@icp-sdk/core/agent';

const idlFactory = ({ IDL }) =>
  IDL.Service({
    greet: IDL.Func([IDL.Text], [IDL.Text], ['query']),
    visit: IDL.Func([], [IDL.Nat], []),
  });

async function main() {
  document.getElementById('route').textContent = location.pathname;
  const greeting = document.getElementById('greeting');
  try {
    const env = await (await fetch('/env.json')).json();
    // A local network's root key is not the mainnet's: the agent fetches it from /api/v2/status.
    const agent = await HttpAgent.create({ host: location.origin, shouldFetchRootKey: true });
    const backend = Actor.createActor(idlFactory, { agent, canisterId: env.backend });
    greeting.textContent = await backend.greet('browser');
    greeting.className = 'ready';
    document.getElementById('visits').textContent = `Visits: ${await backend.visit()}`;
  } catch (error) {
    greeting.textContent = `The backend call failed: ${error.message}`;
    greeting.className = 'failed';
  }
}

main();
