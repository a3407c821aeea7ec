// Builds: the Dockerfile parser, .dockerignore, build contexts, the build cache index and
// the builder (with the RunStep seam through which RUN reaches the runner).

export { build } from './builder.js';
export type { BuildOptions, BuildProgress, BuildResult } from './builder.js';
export type { RunStep, RunStepContext } from './run-step.js';
export { parseDockerfile, parseInstruction, splitStages } from './dockerfile/parser.js';
export type { ParseOptions } from './dockerfile/parser.js';
export type * from './dockerfile/ast.js';
export { expandWord, expandHeredoc, splitWords } from './dockerfile/words.js';
export type { VariableLookup } from './dockerfile/words.js';
export { IgnoreMatcher, cleanPath, parseDockerignore, patternToRegExp } from './dockerignore.js';
export { contextPath, memoryBuildContext, tarBuildContext } from './context.js';
export type { BuildContext, ContextEntry, ContextEntryType, MemoryContextFiles } from './context.js';
export { MemoryBuildCache, cacheEntryKey, cachedBlobs } from './cache.js';
export type { BuildCacheData, BuildCacheStore, CachedLayer, CachedStep } from './cache.js';
export { inlineRunStep } from './inline-run-step.js';
export type { InlineRunStepOptions } from './inline-run-step.js';
export { workerRunStep } from './worker-run-step.js';
export type { WorkerRunStepOptions } from './worker-run-step.js';
