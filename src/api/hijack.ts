// Connection hijacking (attach, exec start): a route answers with a HijackResponse carrying a
// handler; the transport adapter then hands the handler the raw connection as a pair of web
// streams. With `Upgrade: tcp` the Node adapter first answers `101 UPGRADED` (the docker CLI);
// without it, a 200 whose body is the output stream (dockerode), input being the request body.

/** The hijacked connection: bytes from the client, and bytes to it. */
export interface HijackedConnection {
  /** What the client sends after the request (stdin); ends when the client half-closes. */
  readable: ReadableStream<Uint8Array>;
  /** What goes to the client (raw, or frames of muxFrame); closing it ends the connection. */
  writable: WritableStream<Uint8Array>;
}

export type HijackHandler = (connection: HijackedConnection) => void | Promise<void>;

export const RAW_STREAM = 'application/vnd.docker.raw-stream';
export const MULTIPLEXED_STREAM = 'application/vnd.docker.multiplexed-stream';

export interface HijackResponseOptions {
  /** RAW_STREAM for a TTY, MULTIPLEXED_STREAM otherwise (API 1.42+ tells them apart). */
  mediaType?: string;
  headers?: Record<string, string>;
}

/**
 * A Response that asks the adapter to hand over the connection. Its own status (200) and body
 * (none) are placeholders: the fetch API cannot express 101, and a handler is not a body.
 */
export class HijackResponse extends Response {
  readonly hijack: HijackHandler;
  readonly mediaType: string;

  constructor(handler: HijackHandler, options: HijackResponseOptions = {}) {
    const mediaType = options.mediaType ?? RAW_STREAM;
    super(null, { status: 200, headers: { ...options.headers, 'Content-Type': mediaType } });
    this.hijack = handler;
    this.mediaType = mediaType;
  }
}

export function isHijackResponse(r: Response): r is HijackResponse {
  return r instanceof HijackResponse;
}

/** True when the request asks for Docker's `Upgrade: tcp` hijack. */
export function wantsUpgrade(request: Request): boolean {
  const connection = request.headers.get('connection')?.toLowerCase() ?? '';
  const upgrade = request.headers.get('upgrade')?.toLowerCase() ?? '';
  return connection.split(',').some((t) => t.trim() === 'upgrade') && upgrade === 'tcp';
}
