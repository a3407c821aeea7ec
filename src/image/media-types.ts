// Media types of the image formats wasmbox reads: OCI image-spec, Docker's v2 schema 2 (what
// `docker push` and `docker save` write) and the CNCF wasm artifact. wasmbox writes plain OCI.

import type { Compression } from '../layers/compression.js';

export const MediaType = {
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  OciConfig: 'application/vnd.oci.image.config.v1+json',
  OciLayer: 'application/vnd.oci.image.layer.v1.tar',
  OciLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  OciLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  OciLayerNondistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  OciLayerNondistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  OciLayerNondistributableZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  OciEmpty: 'application/vnd.oci.empty.v1+json',
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DockerManifestV1: 'application/vnd.docker.distribution.manifest.v1+json',
  DockerManifestV1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
  DockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  DockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
  DockerForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  WasmConfig: 'application/vnd.wasm.config.v0+json',
  WasmLayer: 'application/wasm',
} as const;

export type KnownMediaType = (typeof MediaType)[keyof typeof MediaType];

export const MANIFEST_MEDIA_TYPES: readonly string[] = [MediaType.OciManifest, MediaType.DockerManifest];
export const INDEX_MEDIA_TYPES: readonly string[] = [MediaType.OciIndex, MediaType.DockerManifestList];
export const CONFIG_MEDIA_TYPES: readonly string[] = [MediaType.OciConfig, MediaType.DockerConfig, MediaType.WasmConfig];


/** Layer media types with the compression of their blob; `application/wasm` is a bare module, not a tar. */
export const LAYER_MEDIA_TYPES: Readonly<Record<string, Compression>> = {
  [MediaType.OciLayer]: 'none',
  [MediaType.OciLayerGzip]: 'gzip',
  [MediaType.OciLayerZstd]: 'zstd',
  [MediaType.OciLayerNondistributable]: 'none',
  [MediaType.OciLayerNondistributableGzip]: 'gzip',
  [MediaType.OciLayerNondistributableZstd]: 'zstd',
  [MediaType.DockerLayer]: 'none',
  [MediaType.DockerLayerGzip]: 'gzip',
  [MediaType.DockerForeignLayerGzip]: 'gzip',
  [MediaType.WasmLayer]: 'none',
};

export function isManifestMediaType(t: string | undefined): boolean {
  return t !== undefined && MANIFEST_MEDIA_TYPES.includes(t);
}

export function isIndexMediaType(t: string | undefined): boolean {
  return t !== undefined && INDEX_MEDIA_TYPES.includes(t);
}

export function isConfigMediaType(t: string | undefined): boolean {
  return t !== undefined && CONFIG_MEDIA_TYPES.includes(t);
}

export function isLayerMediaType(t: string | undefined): boolean {
  return t !== undefined && Object.hasOwn(LAYER_MEDIA_TYPES, t);
}

/** True for the CNCF wasm artifact (a wasm module as the single layer, not a tar). */
export function isWasmArtifactMediaType(t: string | undefined): boolean {
  return t === MediaType.WasmConfig || t === MediaType.WasmLayer;
}

/** The OCI layer media type for a compression, as wasmbox writes it. */
export function ociLayerMediaType(compression: Compression): string {
  return compression === 'gzip' ? MediaType.OciLayerGzip : compression === 'zstd' ? MediaType.OciLayerZstd : MediaType.OciLayer;
}
