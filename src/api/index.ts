// Capsule's public library API.
export { Capsule, type CallOptions, type CapsuleOptions, type LogRecord } from './capsule.ts';
export { CallError } from './errors.ts';
export { Principal } from '../state/index.ts';
