// The shape of an ic0 handler: the execution's SystemApi plus the raw wasm arguments.
import type { SystemApi } from './system_api.ts';

/** A wasm value as JS sees it: i32/f32/f64 as number, i64 as (signed) bigint. */
export type Word = number | bigint;

export type Handler = (api: SystemApi, ...args: Word[]) => Word | void;
export type Handlers = Record<string, Handler>;
