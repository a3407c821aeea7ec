// Numbers of the wasi_snapshot_preview1 ABI (witx): errno values, rights, flags, file types
// and the byte layouts of the structs the host writes into guest memory. Rights are kept as
// plain numbers: every defined right fits in 30 bits, so no BigInt on the hot path.

import { ERRNO } from '../../errors.js';

/** errno values this host returns: the one table in src/errors.ts. */
export const E = ERRNO;

export const FILETYPE = {
  UNKNOWN: 0,
  BLOCK_DEVICE: 1,
  CHARACTER_DEVICE: 2,
  DIRECTORY: 3,
  REGULAR_FILE: 4,
  SOCKET_DGRAM: 5,
  SOCKET_STREAM: 6,
  SYMBOLIC_LINK: 7,
} as const;

export const FDFLAGS = { APPEND: 1, DSYNC: 2, NONBLOCK: 4, RSYNC: 8, SYNC: 16 } as const;
export const OFLAGS = { CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 } as const;
export const LOOKUP_SYMLINK_FOLLOW = 1;
export const FSTFLAGS = { ATIM: 1, ATIM_NOW: 2, MTIM: 4, MTIM_NOW: 8 } as const;
export const WHENCE = { SET: 0, CUR: 1, END: 2 } as const;
export const CLOCK = { REALTIME: 0, MONOTONIC: 1, PROCESS_CPUTIME: 2, THREAD_CPUTIME: 3 } as const;
export const EVENTTYPE = { CLOCK: 0, FD_READ: 1, FD_WRITE: 2 } as const;
export const SUBCLOCK_ABSTIME = 1;
export const EVENTRW_HANGUP = 1;
export const PREOPENTYPE_DIR = 0;

export const RIGHTS = {
  FD_DATASYNC: 1 << 0,
  FD_READ: 1 << 1,
  FD_SEEK: 1 << 2,
  FD_FDSTAT_SET_FLAGS: 1 << 3,
  FD_SYNC: 1 << 4,
  FD_TELL: 1 << 5,
  FD_WRITE: 1 << 6,
  FD_ADVISE: 1 << 7,
  FD_ALLOCATE: 1 << 8,
  PATH_CREATE_DIRECTORY: 1 << 9,
  PATH_CREATE_FILE: 1 << 10,
  PATH_LINK_SOURCE: 1 << 11,
  PATH_LINK_TARGET: 1 << 12,
  PATH_OPEN: 1 << 13,
  FD_READDIR: 1 << 14,
  PATH_READLINK: 1 << 15,
  PATH_RENAME_SOURCE: 1 << 16,
  PATH_RENAME_TARGET: 1 << 17,
  PATH_FILESTAT_GET: 1 << 18,
  PATH_FILESTAT_SET_SIZE: 1 << 19,
  PATH_FILESTAT_SET_TIMES: 1 << 20,
  FD_FILESTAT_GET: 1 << 21,
  FD_FILESTAT_SET_SIZE: 1 << 22,
  FD_FILESTAT_SET_TIMES: 1 << 23,
  PATH_SYMLINK: 1 << 24,
  PATH_REMOVE_DIRECTORY: 1 << 25,
  PATH_UNLINK_FILE: 1 << 26,
  POLL_FD_READWRITE: 1 << 27,
  SOCK_SHUTDOWN: 1 << 28,
  SOCK_ACCEPT: 1 << 29,
} as const;

/** Every right the ABI defines. */
export const RIGHTS_ALL = (1 << 30) - 1;

const R = RIGHTS;

/** Rights that make sense on a regular file. */
export const RIGHTS_FILE =
  R.FD_DATASYNC |
  R.FD_READ |
  R.FD_SEEK |
  R.FD_FDSTAT_SET_FLAGS |
  R.FD_SYNC |
  R.FD_TELL |
  R.FD_WRITE |
  R.FD_ADVISE |
  R.FD_ALLOCATE |
  R.FD_FILESTAT_GET |
  R.FD_FILESTAT_SET_SIZE |
  R.FD_FILESTAT_SET_TIMES |
  R.POLL_FD_READWRITE;

/** Rights that make sense on a directory (what the preopened `/` gets as its base). */
export const RIGHTS_DIR =
  R.FD_FDSTAT_SET_FLAGS |
  R.FD_SYNC |
  R.FD_DATASYNC |
  R.FD_ADVISE |
  R.PATH_CREATE_DIRECTORY |
  R.PATH_CREATE_FILE |
  R.PATH_LINK_SOURCE |
  R.PATH_LINK_TARGET |
  R.PATH_OPEN |
  R.FD_READDIR |
  R.PATH_READLINK |
  R.PATH_RENAME_SOURCE |
  R.PATH_RENAME_TARGET |
  R.PATH_FILESTAT_GET |
  R.PATH_FILESTAT_SET_SIZE |
  R.PATH_FILESTAT_SET_TIMES |
  R.FD_FILESTAT_GET |
  R.FD_FILESTAT_SET_TIMES |
  R.PATH_SYMLINK |
  R.PATH_REMOVE_DIRECTORY |
  R.PATH_UNLINK_FILE |
  R.POLL_FD_READWRITE;

/** stdin: readable, never seekable (no SEEK/TELL, which is also how wasi-libc's isatty tells a tty). */
export const RIGHTS_STDIN = R.FD_READ | R.FD_FDSTAT_SET_FLAGS | R.FD_FILESTAT_GET | R.POLL_FD_READWRITE;
export const RIGHTS_STDOUT = R.FD_WRITE | R.FD_FDSTAT_SET_FLAGS | R.FD_FILESTAT_GET | R.POLL_FD_READWRITE;

/** Byte sizes of the structs (witx layouts, little-endian, wasm32). */
export const SIZE = {
  FILESTAT: 64,
  FDSTAT: 24,
  PRESTAT: 8,
  DIRENT: 24,
  IOVEC: 8,
  SUBSCRIPTION: 48,
  EVENT: 32,
} as const;

/** Field offsets of `filestat`: dev u64, ino u64, filetype u8, nlink u64, size u64, atim, mtim, ctim. */
export const FILESTAT = { DEV: 0, INO: 8, FILETYPE: 16, NLINK: 24, SIZE: 32, ATIM: 40, MTIM: 48, CTIM: 56 } as const;
/** `fdstat`: filetype u8, flags u16, rights_base u64, rights_inheriting u64. */
export const FDSTAT = { FILETYPE: 0, FLAGS: 2, RIGHTS_BASE: 8, RIGHTS_INHERITING: 16 } as const;
/** `dirent`: d_next u64, d_ino u64, d_namlen u32, d_type u8; the name follows the 24 bytes. */
export const DIRENT = { NEXT: 0, INO: 8, NAMLEN: 16, TYPE: 20 } as const;
/** `subscription`: userdata u64, tag u8, then the union at 16 (clock: id u32, timeout u64, precision u64, flags u16; fd: u32). */
export const SUBSCRIPTION = { USERDATA: 0, TAG: 8, CLOCK_ID: 16, CLOCK_TIMEOUT: 24, CLOCK_PRECISION: 32, CLOCK_FLAGS: 40, FD: 16 } as const;
/** `event`: userdata u64, error u16, type u8, fd_readwrite { nbytes u64, flags u16 } at 16. */
export const EVENT = { USERDATA: 0, ERROR: 8, TYPE: 10, NBYTES: 16, FLAGS: 24 } as const;

/** Exit code of a process that trapped: what wasmtime reports (128 + SIGABRT). */
export const TRAP_EXIT_CODE = 134;
