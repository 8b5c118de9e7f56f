// Capsule's public library API.
export { Capsule, type CallOptions, type CapsuleOptions, type HttpOutcall, type HttpOutcallMock, type LogRecord } from './capsule.ts';
export { CallError, CallTimeoutError, CapsuleClosedError, HttpOutcallPendingError } from './errors.ts';
export { PersistenceError } from '../persistence/index.ts';
export { Principal } from '../state/index.ts';
