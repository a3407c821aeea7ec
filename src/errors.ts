// One error type for the whole runtime. Every failure a user or a guest can meet carries a
// code; two exhaustive tables map the code to an HTTP status (the API) and to a WASI errno
// (the runner), so adding a code without deciding both is a type error.

export const ERROR_CODES = [
  // File system errors, named after their POSIX errno.
  'ENOENT',
  'EEXIST',
  'ENOTDIR',
  'EISDIR',
  'ENOTEMPTY',
  'ELOOP',
  'EACCES',
  'EPERM',
  'EINVAL',
  'EBADF',
  'EXDEV',
  'EROFS',
  'ENOSPC',
  'ENAMETOOLONG',
  'EBUSY',
  'EMFILE',
  'ENOSYS',
  'ENOTSUP',
  'EFBIG',
  'EIO',
  'EPIPE',
  // Content and archives.
  'INVALID_DIGEST',
  'DIGEST_MISMATCH',
  'BLOB_NOT_FOUND',
  'INVALID_TAR',
  'INVALID_GZIP',
  'UNSAFE_PATH',
  'INVALID_ARCHIVE',
  // Images and layers.
  'INVALID_REFERENCE',
  'IMAGE_NOT_FOUND',
  'LAYER_NOT_FOUND',
  'INVALID_MANIFEST',
  'UNSUPPORTED_MEDIA_TYPE',
  'UNSUPPORTED_PLATFORM',
  'IMAGE_IN_USE',
  // Registries.
  'UNAUTHORIZED',
  'REGISTRY_ERROR',
  // Processes.
  'INVALID_MODULE',
  // Builds.
  'DOCKERFILE_PARSE',
  'BUILD_FAILED',
  // Generic.
  'NOT_FOUND',
  'CONFLICT',
  'INVALID_ARGUMENT',
  'NOT_IMPLEMENTED',
  'CANCELLED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface WasmboxErrorOptions {
  cause?: unknown;
  /** Extra facts for the user or for logs: a path, a digest, a line number. */
  details?: Record<string, unknown>;
}

export class WasmboxError extends Error {
  override readonly name = 'WasmboxError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: WasmboxErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.code];
  }

  get errno(): number {
    return WASI_ERRNO[this.code];
  }
}

export function isWasmboxError(e: unknown, code?: ErrorCode): e is WasmboxError {
  return e instanceof WasmboxError && (code === undefined || e.code === code);
}

/** Wraps anything thrown into a WasmboxError, keeping the original as `cause`. */
export function toWasmboxError(e: unknown, fallback: ErrorCode = 'INTERNAL'): WasmboxError {
  if (e instanceof WasmboxError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new WasmboxError(fallback, message, { cause: e });
}

/** Status codes the Docker Engine API uses for each kind of failure. */
export const HTTP_STATUS = {
  ENOENT: 404,
  EEXIST: 409,
  ENOTDIR: 400,
  EISDIR: 400,
  ENOTEMPTY: 409,
  ELOOP: 400,
  EACCES: 403,
  EPERM: 403,
  EINVAL: 400,
  EBADF: 400,
  EXDEV: 400,
  EROFS: 403,
  ENOSPC: 507,
  ENAMETOOLONG: 400,
  EBUSY: 409,
  EMFILE: 503,
  ENOSYS: 501,
  ENOTSUP: 501,
  EFBIG: 413,
  EIO: 500,
  EPIPE: 500,
  INVALID_DIGEST: 400,
  DIGEST_MISMATCH: 400,
  BLOB_NOT_FOUND: 404,
  INVALID_TAR: 400,
  INVALID_GZIP: 400,
  UNSAFE_PATH: 400,
  INVALID_ARCHIVE: 400,
  INVALID_REFERENCE: 400,
  IMAGE_NOT_FOUND: 404,
  LAYER_NOT_FOUND: 404,
  INVALID_MANIFEST: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNSUPPORTED_PLATFORM: 400,
  IMAGE_IN_USE: 409,
  UNAUTHORIZED: 401,
  REGISTRY_ERROR: 502,
  INVALID_MODULE: 400,
  DOCKERFILE_PARSE: 400,
  BUILD_FAILED: 500,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INVALID_ARGUMENT: 400,
  NOT_IMPLEMENTED: 501,
  CANCELLED: 499,
  INTERNAL: 500,
} as const satisfies Record<ErrorCode, number>;

/** WASI preview1 errno values (wasi_snapshot_preview1 `errno` enum). */
export const ERRNO = {
  SUCCESS: 0,
  ACCES: 2,
  AGAIN: 6,
  BADF: 8,
  BUSY: 10,
  EXIST: 20,
  FAULT: 21,
  FBIG: 22,
  ILSEQ: 25,
  INVAL: 28,
  IO: 29,
  ISDIR: 31,
  LOOP: 32,
  MFILE: 33,
  NAMETOOLONG: 37,
  NOENT: 44,
  NOSPC: 51,
  NOSYS: 52,
  NOTDIR: 54,
  NOTEMPTY: 55,
  NOTSOCK: 57,
  NOTSUP: 58,
  OVERFLOW: 61,
  PERM: 63,
  PIPE: 64,
  ROFS: 69,
  SPIPE: 70,
  XDEV: 75,
  NOTCAPABLE: 76,
} as const;

export const WASI_ERRNO = {
  ENOENT: ERRNO.NOENT,
  EEXIST: ERRNO.EXIST,
  ENOTDIR: ERRNO.NOTDIR,
  EISDIR: ERRNO.ISDIR,
  ENOTEMPTY: ERRNO.NOTEMPTY,
  ELOOP: ERRNO.LOOP,
  EACCES: ERRNO.ACCES,
  EPERM: ERRNO.PERM,
  EINVAL: ERRNO.INVAL,
  EBADF: ERRNO.BADF,
  EXDEV: ERRNO.XDEV,
  EROFS: ERRNO.ROFS,
  ENOSPC: ERRNO.NOSPC,
  ENAMETOOLONG: ERRNO.NAMETOOLONG,
  EBUSY: ERRNO.BUSY,
  EMFILE: ERRNO.MFILE,
  ENOSYS: ERRNO.NOSYS,
  ENOTSUP: ERRNO.NOTSUP,
  EFBIG: ERRNO.FBIG,
  EIO: ERRNO.IO,
  EPIPE: ERRNO.PIPE,
  INVALID_DIGEST: ERRNO.INVAL,
  DIGEST_MISMATCH: ERRNO.IO,
  BLOB_NOT_FOUND: ERRNO.NOENT,
  INVALID_TAR: ERRNO.INVAL,
  INVALID_GZIP: ERRNO.INVAL,
  UNSAFE_PATH: ERRNO.PERM,
  INVALID_ARCHIVE: ERRNO.INVAL,
  INVALID_REFERENCE: ERRNO.INVAL,
  IMAGE_NOT_FOUND: ERRNO.NOENT,
  LAYER_NOT_FOUND: ERRNO.NOENT,
  INVALID_MANIFEST: ERRNO.INVAL,
  UNSUPPORTED_MEDIA_TYPE: ERRNO.NOTSUP,
  UNSUPPORTED_PLATFORM: ERRNO.NOTSUP,
  IMAGE_IN_USE: ERRNO.BUSY,
  UNAUTHORIZED: ERRNO.ACCES,
  REGISTRY_ERROR: ERRNO.IO,
  INVALID_MODULE: ERRNO.INVAL,
  DOCKERFILE_PARSE: ERRNO.INVAL,
  BUILD_FAILED: ERRNO.IO,
  NOT_FOUND: ERRNO.NOENT,
  CONFLICT: ERRNO.EXIST,
  INVALID_ARGUMENT: ERRNO.INVAL,
  NOT_IMPLEMENTED: ERRNO.NOSYS,
  CANCELLED: ERRNO.IO,
  INTERNAL: ERRNO.IO,
} as const satisfies Record<ErrorCode, number>;

/** Shorthand for the file system: `fsError('ENOENT', 'open', '/etc/x')`. */
export function fsError(code: ErrorCode, syscall: string, path: string): WasmboxError {
  return new WasmboxError(code, `${code}: ${syscall} '${path}'`, { details: { syscall, path } });
}
