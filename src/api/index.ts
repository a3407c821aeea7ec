// The Docker Engine API as a fetch handler: createApi(engine).fetch(request).

export { createApi } from './api.js';
export type { Api, ApiLogger, ApiOptions } from './api.js';
export { API_VERSION, MIN_API_VERSION } from './versions.js';
export { Router } from './router.js';
export type { RouteContext, RouteHandler, RouteMatch } from './router.js';
export { boolParam, compareVersions, errorResponse, filtersParam, json, noContent, readJson, stringMap } from './http.js';
export { HijackResponse, MULTIPLEXED_STREAM, RAW_STREAM, isHijackResponse, wantsUpgrade } from './hijack.js';
export type { HijackHandler, HijackResponseOptions, HijackedConnection } from './hijack.js';
export { MuxDecoder, STDERR, STDIN, STDOUT, iterateStream, jsonLine, jsonStreamError, muxFrame, streamFrom } from './stream-format.js';
export type { MuxStream } from './stream-format.js';
export { imageInspect, imageSummary } from './routes/images.js';
export { eventJson } from './routes/system.js';
export { volumeJson } from './routes/volumes.js';
