// OCI/Docker v2 manifests, indexes (manifest lists) and descriptors: typed, and validated from
// untrusted JSON bytes so every later step can trust the shape. Errors name the field and the
// digest of the document they came from.

import { WasmboxError } from '../errors.js';
import { digestOf, isDigest } from '../content/digest.js';
import type { Digest } from '../content/digest.js';
import {
  MediaType,
  isConfigMediaType,
  isIndexMediaType,
  isLayerMediaType,
  isManifestMediaType,
} from './media-types.js';

export interface Platform {
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
  artifactType?: string;
  data?: string;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export type ParsedManifest = { kind: 'manifest'; manifest: ImageManifest } | { kind: 'index'; index: ImageIndex };

export interface ParseDocumentOptions {
  /** Digest of the bytes, for messages; computed when absent. */
  digest?: Digest;
  /** Media type the referring descriptor (or registry) announced; must agree with the document's own. */
  mediaType?: string;
  /** Where the document came from (an archive path, a registry URL), for messages. */
  source?: string;
}

/** Thrown for a document that is not valid JSON or has the wrong shape. */
function bad(where: string, message: string, details: Record<string, unknown> = {}): WasmboxError {
  return new WasmboxError('INVALID_MANIFEST', `${where}: ${message}`, { details });
}

function whereOf(kind: string, bytes: Uint8Array, options: ParseDocumentOptions): { where: string; digest: Digest } {
  const digest = options.digest ?? digestOf(bytes);
  return { where: `${kind} ${digest}${options.source ? ` (${options.source})` : ''}`, digest };
}

/** JSON.parse of bytes into a plain object, or INVALID_MANIFEST. */
export function parseJsonObject(bytes: Uint8Array, where: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new WasmboxError('INVALID_MANIFEST', `${where}: not valid JSON (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw bad(where, 'expected a JSON object');
  return value as Record<string, unknown>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function checkStringMap(v: unknown, where: string, field: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v) || Object.values(v).some((x) => typeof x !== 'string')) throw bad(where, `${field} must be an object of strings`);
  return v as Record<string, string>;
}

/** Validates one descriptor found at `field` of a document. */
export function parseDescriptor(v: unknown, where: string, field: string): Descriptor {
  if (!isRecord(v)) throw bad(where, `${field} must be a descriptor object`);
  const { mediaType, digest, size } = v;
  if (typeof mediaType !== 'string' || mediaType === '') throw bad(where, `${field}.mediaType is missing`);
  if (typeof digest !== 'string' || !isDigest(digest)) {
    throw bad(where, `${field}.digest ${JSON.stringify(digest)} is not a sha256 digest`);
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw bad(where, `${field}.size ${JSON.stringify(size)} must be a non-negative integer`);
  }
  const d: Descriptor = { mediaType, digest, size };
  if (v.urls !== undefined) {
    if (!Array.isArray(v.urls) || v.urls.some((u) => typeof u !== 'string')) throw bad(where, `${field}.urls must be strings`);
    d.urls = v.urls as string[];
  }
  const annotations = checkStringMap(v.annotations, where, `${field}.annotations`);
  if (annotations) d.annotations = annotations;
  if (v.platform !== undefined) {
    const p = v.platform;
    if (!isRecord(p) || typeof p.architecture !== 'string' || typeof p.os !== 'string') {
      throw bad(where, `${field}.platform needs string architecture and os`);
    }
    d.platform = p as unknown as Platform;
  }
  if (typeof v.artifactType === 'string') d.artifactType = v.artifactType;
  if (typeof v.data === 'string') d.data = v.data;
  return d;
}

function checkSchemaVersion(doc: Record<string, unknown>, where: string): void {
  if (doc.schemaVersion === 1) {
    throw new WasmboxError('UNSUPPORTED_MEDIA_TYPE', `${where}: Docker schema 1 manifests are not supported (re-push the image with a current client)`);
  }
  if (doc.schemaVersion !== 2) throw bad(where, `schemaVersion must be 2, got ${JSON.stringify(doc.schemaVersion)}`);
}

function unsupported(where: string, field: string, mediaType: string): WasmboxError {
  return new WasmboxError('UNSUPPORTED_MEDIA_TYPE', `${where}: ${field} "${mediaType}" is not a supported media type`, {
    details: { mediaType, field },
  });
}

/** The document's media type: its own field, else the announced one, else guessed from its shape. */
function documentMediaType(doc: Record<string, unknown>, options: ParseDocumentOptions, where: string): string {
  const own = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  if (own !== undefined && options.mediaType !== undefined && own !== options.mediaType) {
    throw bad(where, `mediaType "${own}" does not match the descriptor's "${options.mediaType}"`);
  }
  if (own !== undefined) return own;
  if (options.mediaType !== undefined) return options.mediaType;
  if (Array.isArray(doc.manifests)) return MediaType.OciIndex;
  if (doc.config !== undefined || Array.isArray(doc.layers)) return MediaType.OciManifest;
  if (Array.isArray(doc.fsLayers)) return MediaType.DockerManifestV1;
  throw bad(where, 'neither a manifest (config, layers) nor an index (manifests)');
}

function buildManifest(doc: Record<string, unknown>, where: string, mediaType: string): ImageManifest {
  const config = parseDescriptor(doc.config, where, 'config');
  if (!isConfigMediaType(config.mediaType) && config.mediaType !== MediaType.OciEmpty) {
    throw unsupported(where, 'config.mediaType', config.mediaType);
  }
  if (!Array.isArray(doc.layers)) throw bad(where, 'layers must be an array');
  const layers = doc.layers.map((l, i) => parseDescriptor(l, where, `layers[${i}]`));
  const wasmArtifact = config.mediaType === MediaType.WasmConfig;
  layers.forEach((l, i) => {
    if (!isLayerMediaType(l.mediaType) && !wasmArtifact) throw unsupported(where, `layers[${i}].mediaType`, l.mediaType);
  });
  const m: ImageManifest = { schemaVersion: 2, mediaType, config, layers };
  if (typeof doc.artifactType === 'string') m.artifactType = doc.artifactType;
  if (doc.subject !== undefined) m.subject = parseDescriptor(doc.subject, where, 'subject');
  const annotations = checkStringMap(doc.annotations, where, 'annotations');
  if (annotations) m.annotations = annotations;
  return m;
}

function buildIndex(doc: Record<string, unknown>, where: string, mediaType: string): ImageIndex {
  if (!Array.isArray(doc.manifests)) throw bad(where, 'manifests must be an array');
  const manifests = doc.manifests.map((m, i) => parseDescriptor(m, where, `manifests[${i}]`));
  const ix: ImageIndex = { schemaVersion: 2, mediaType, manifests };
  if (typeof doc.artifactType === 'string') ix.artifactType = doc.artifactType;
  if (doc.subject !== undefined) ix.subject = parseDescriptor(doc.subject, where, 'subject');
  const annotations = checkStringMap(doc.annotations, where, 'annotations');
  if (annotations) ix.annotations = annotations;
  return ix;
}

/** Parses a manifest or an index (manifest list); UNSUPPORTED_MEDIA_TYPE for anything else. */
export function parseManifestOrIndex(bytes: Uint8Array, options: ParseDocumentOptions = {}): ParsedManifest {
  const { where } = whereOf('manifest', bytes, options);
  const doc = parseJsonObject(bytes, where);
  const mediaType = documentMediaType(doc, options, where);
  if (mediaType === MediaType.DockerManifestV1 || mediaType === MediaType.DockerManifestV1Signed) {
    throw new WasmboxError('UNSUPPORTED_MEDIA_TYPE', `${where}: Docker schema 1 manifests are not supported (re-push the image with a current client)`);
  }
  if (isManifestMediaType(mediaType)) {
    checkSchemaVersion(doc, where);
    return { kind: 'manifest', manifest: buildManifest(doc, where, mediaType) };
  }
  if (isIndexMediaType(mediaType)) {
    checkSchemaVersion(doc, where);
    return { kind: 'index', index: buildIndex(doc, where, mediaType) };
  }
  throw unsupported(where, 'mediaType', mediaType);
}

/** Parses an image manifest; an index here is INVALID_MANIFEST. */
export function parseManifest(bytes: Uint8Array, options: ParseDocumentOptions = {}): ImageManifest {
  const parsed = parseManifestOrIndex(bytes, options);
  if (parsed.kind !== 'manifest') {
    const { where } = whereOf('manifest', bytes, options);
    throw bad(where, 'expected an image manifest, got an index (manifest list)');
  }
  return parsed.manifest;
}

/** Parses an image index / manifest list (also an OCI layout's index.json). */
export function parseIndex(bytes: Uint8Array, options: ParseDocumentOptions = {}): ImageIndex {
  const { where } = whereOf('index', bytes, options);
  const doc = parseJsonObject(bytes, where);
  // An OCI layout's index.json may omit mediaType; treat it as an OCI index.
  const mediaType = documentMediaType({ ...doc, manifests: doc.manifests ?? [] }, options, where);
  if (!isIndexMediaType(mediaType)) {
    if (isManifestMediaType(mediaType)) throw bad(where, 'expected an index (manifest list), got an image manifest');
    throw unsupported(where, 'mediaType', mediaType);
  }
  checkSchemaVersion(doc, where);
  return buildIndex(doc, where, mediaType);
}

/** The JSON bytes wasmbox writes for a document (compact, stable key order as given). */
export function encodeJson(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

/** A new OCI image manifest. */
export function createManifest(config: Descriptor, layers: Descriptor[], annotations?: Record<string, string>): ImageManifest {
  const m: ImageManifest = { schemaVersion: 2, mediaType: MediaType.OciManifest, config, layers };
  if (annotations && Object.keys(annotations).length > 0) m.annotations = annotations;
  return m;
}

/**
 * Picks the manifest of an index for a platform: an exact os/architecture match first, else the
 * only entry. Undefined when nothing fits.
 */
export function selectPlatformManifest(
  index: ImageIndex,
  platform: { os: string; architecture: string } = { os: 'wasi', architecture: 'wasm' },
): Descriptor | undefined {
  const manifests = index.manifests.filter((d) => isManifestMediaType(d.mediaType) || isIndexMediaType(d.mediaType));
  const exact = manifests.find((d) => d.platform?.os === platform.os && d.platform?.architecture === platform.architecture);
  if (exact) return exact;
  const real = manifests.filter((d) => d.platform?.architecture !== 'unknown');
  return real.length === 1 ? real[0] : undefined;
}
