// Engine: the daemon's services (images, volumes, events, system) over injected stores.

export { Engine } from './engine.js';
export type { EngineOptions } from './engine.js';
export { ManualClock, rfc3339, systemClock } from './clock.js';
export type { Clock } from './clock.js';
export { EVENT_FILTER_KEYS, EventService, matchEvent } from './events.js';
export type { EngineEvent, EventServiceOptions, EventType, SubscribeOptions } from './events.js';
export { boolFilter, checkFilterKeys, globMatch, matchLabels, parseFilters, parseTimeFilter } from './filters.js';
export type { Filters } from './filters.js';
export { IMAGE_LIST_FILTERS, IMAGE_PRUNE_FILTERS, ImageService, displayName } from './images.js';
export type { ImageHistoryItem, ImagePuller, ImageServiceOptions, RemoveImageOptions } from './images.js';
export { SystemService, UNKNOWN_HOST } from './system.js';
export type { ContainerCounts, DiskUsage, HostInfo, SystemServiceOptions } from './system.js';
export { UsageTracker } from './usage.js';
export type { UsageKind } from './usage.js';
export { ANONYMOUS_VOLUME_LABEL, MemoryVolumeBackend, VOLUME_LIST_FILTERS, VOLUME_PRUNE_FILTERS, VolumeService } from './volumes.js';
export type { CreateVolumeOptions, Volume, VolumeBackend, VolumeRecord, VolumeServiceOptions } from './volumes.js';
