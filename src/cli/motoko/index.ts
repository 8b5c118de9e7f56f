export { buildMotoko, moduleCacheDirectory, moduleCacheFile, readMotokoSources } from './build.ts';
export { compileMotoko, type MotokoJob, type MotokoResult, motokoVersion } from './compile.ts';
