// The PocketIC front end: the REST API of the PocketIC server over Capsule replicas, so that
// PocketIC clients (pic-js, the Rust and Python crates) run their suites on Capsule.
export { startPocketIcServer, type PocketIcServerHandle, type PocketIcServerOptions } from './server.ts';
/** The PocketIC server version whose API this front end speaks (the one pic-js 0.23 downloads). */
export const POCKET_IC_SERVER_VERSION = '14.0.0';
