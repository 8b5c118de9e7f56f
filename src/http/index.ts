// The HTTP interface of the IC (interface spec, "HTTPS Interface") in front of a Replica.
export { startHttpServer, type HttpServerHandle, type HttpServerOptions } from './server.ts';
export { HttpContext, DEFAULT_LIMITS, type HttpContextOptions, type HttpLimits } from './context.ts';
export { IC_API_VERSION, IMPL_VERSION } from './status.ts';
export { interfaceRoutes } from './routes.ts';
export { Router, type HttpResponse } from './router.ts';
export type { FrontEnd, FrontEndRequest, FrontEndResponse, FrontEndStream } from './front_end.ts';
