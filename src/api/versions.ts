// The Engine API versions wasmbox serves.

/** The newest Engine API version served (docker 28.2's). */
export const API_VERSION = '1.50';

/**
 * The oldest version accepted. Shapes follow API_VERSION; older clients are still let in because
 * Debian's docker-compose 1.29 pins old versions (1.30 for v3 files) and reads only common fields.
 */
export const MIN_API_VERSION = '1.24';
