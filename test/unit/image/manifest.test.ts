// Manifest, index and config validation: good documents parse into typed objects; bad ones fail
// with INVALID_MANIFEST / UNSUPPORTED_MEDIA_TYPE naming the field and the document's digest.
import { describe, expect, it } from 'vitest';
import { digestOf } from '../../../src/content/digest.js';
import { WasmboxError } from '../../../src/errors.js';
import { createImageConfig, parseImageConfig } from '../../../src/image/config.js';
import { parseIndex, parseManifest, parseManifestOrIndex, selectPlatformManifest } from '../../../src/image/manifest.js';
import { MediaType } from '../../../src/image/media-types.js';

const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
const D1 = `sha256:${'1'.repeat(64)}` as const;
const D2 = `sha256:${'2'.repeat(64)}` as `sha256:${string}`;

function manifest(over: Record<string, unknown> = {}) {
  return {
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciConfig, digest: D1, size: 10 },
    layers: [{ mediaType: MediaType.OciLayerGzip, digest: D2, size: 20 }],
    ...over,
  };
}

function expectError(fn: () => unknown, code: string, ...patterns: (string | RegExp)[]) {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected an error').toBeInstanceOf(WasmboxError);
  expect((err as WasmboxError).code).toBe(code);
  for (const p of patterns) expect((err as WasmboxError).message).toMatch(p);
}

describe('parseManifest', () => {
  it('parses OCI and Docker v2 manifests', () => {
    const m = parseManifest(enc(manifest()));
    expect(m.config.digest).toBe(D1);
    expect(m.layers[0]!.size).toBe(20);
    const docker = parseManifest(
      enc(
        manifest({
          mediaType: MediaType.DockerManifest,
          config: { mediaType: MediaType.DockerConfig, digest: D1, size: 1 },
          layers: [{ mediaType: MediaType.DockerLayerGzip, digest: D2, size: 2 }],
        }),
      ),
    );
    expect(docker.mediaType).toBe(MediaType.DockerManifest);
  });

  it('accepts a manifest without mediaType (guessed from its shape or the descriptor)', () => {
    const { mediaType: _, ...rest } = manifest();
    expect(parseManifest(enc(rest)).mediaType).toBe(MediaType.OciManifest);
    expect(parseManifest(enc(rest), { mediaType: MediaType.DockerManifest }).mediaType).toBe(MediaType.DockerManifest);
  });

  it('recognises the CNCF wasm artifact', () => {
    const m = parseManifest(
      enc(manifest({ config: { mediaType: MediaType.WasmConfig, digest: D1, size: 2 }, layers: [{ mediaType: MediaType.WasmLayer, digest: D2, size: 3 }] })),
    );
    expect(m.config.mediaType).toBe(MediaType.WasmConfig);
  });

  it('names the field and the digest in errors', () => {
    const bytes = enc(manifest({ layers: [{ mediaType: MediaType.OciLayer, digest: 'sha256:xyz', size: 1 }] }));
    expectError(() => parseManifest(bytes), 'INVALID_MANIFEST', 'layers[0].digest', digestOf(bytes));
    expectError(() => parseManifest(enc(manifest({ layers: [{ mediaType: MediaType.OciLayer, digest: D2, size: -1 }] }))), 'INVALID_MANIFEST', 'layers[0].size');
    expectError(() => parseManifest(enc(manifest({ config: undefined }))), 'INVALID_MANIFEST', 'config must be a descriptor');
    expectError(() => parseManifest(enc(manifest({ layers: 'x' }))), 'INVALID_MANIFEST', 'layers must be an array');
    expectError(() => parseManifest(enc(manifest({ schemaVersion: 3 }))), 'INVALID_MANIFEST', 'schemaVersion');
    expectError(() => parseManifest(enc('{not json')), 'INVALID_MANIFEST', 'not valid JSON');
    expectError(() => parseManifest(enc('[1]')), 'INVALID_MANIFEST', 'JSON object');
    expectError(() => parseManifest(new Uint8Array([0xff, 0xfe])), 'INVALID_MANIFEST', 'not valid JSON');
    expectError(() => parseManifest(enc(manifest({ annotations: { a: 1 } }))), 'INVALID_MANIFEST', 'annotations');
  });

  it('refuses unknown media types with UNSUPPORTED_MEDIA_TYPE', () => {
    expectError(
      () => parseManifest(enc(manifest({ layers: [{ mediaType: 'application/x-foo', digest: D2, size: 1 }] }))),
      'UNSUPPORTED_MEDIA_TYPE',
      'layers[0].mediaType',
      'application/x-foo',
    );
    expectError(() => parseManifest(enc(manifest({ config: { mediaType: 'text/plain', digest: D1, size: 1 } }))), 'UNSUPPORTED_MEDIA_TYPE', 'config.mediaType');
    expectError(() => parseManifest(enc(manifest({ mediaType: 'application/x-bar' }))), 'UNSUPPORTED_MEDIA_TYPE', 'application/x-bar');
    expectError(() => parseManifest(enc({ schemaVersion: 1, fsLayers: [] })), 'UNSUPPORTED_MEDIA_TYPE', 'schema 1');
  });

  it('refuses a document whose mediaType disagrees with its descriptor', () => {
    expectError(() => parseManifest(enc(manifest()), { mediaType: MediaType.DockerManifest }), 'INVALID_MANIFEST', 'does not match');
  });

  it('tells an index from a manifest', () => {
    const index = { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [{ mediaType: MediaType.OciManifest, digest: D1, size: 5, platform: { os: 'wasi', architecture: 'wasm' } }] };
    expect(parseManifestOrIndex(enc(index)).kind).toBe('index');
    expectError(() => parseManifest(enc(index)), 'INVALID_MANIFEST', 'got an index');
    expectError(() => parseIndex(enc(manifest())), 'INVALID_MANIFEST', 'got an image manifest');
    expect(parseIndex(enc({ schemaVersion: 2, manifests: [] })).manifests).toEqual([]);
    expectError(() => parseIndex(enc({ schemaVersion: 2, manifests: [{ mediaType: 'x', digest: D1, size: 1, platform: { os: 1 } }] })), 'INVALID_MANIFEST', 'manifests[0].platform');
  });

  it('selects the wasi/wasm manifest of an index', () => {
    const ix = parseIndex(
      enc({
        schemaVersion: 2,
        manifests: [
          { mediaType: MediaType.OciManifest, digest: D1, size: 1, platform: { os: 'linux', architecture: 'amd64' } },
          { mediaType: MediaType.OciManifest, digest: D2, size: 1, platform: { os: 'wasi', architecture: 'wasm' } },
        ],
      }),
    );
    expect(selectPlatformManifest(ix)?.digest).toBe(D2);
    expect(selectPlatformManifest({ ...ix, manifests: ix.manifests.slice(0, 1) })?.digest).toBe(D1);
    expect(selectPlatformManifest({ ...ix, manifests: [ix.manifests[0]!, ix.manifests[0]!] })).toBeUndefined();
  });
});

describe('parseImageConfig', () => {
  const good = {
    created: '2024-01-01T00:00:00Z',
    architecture: 'wasm',
    os: 'wasi',
    config: { Env: ['A=1'], Cmd: ['/x.wasm'], Entrypoint: null, Labels: { a: 'b' }, ExposedPorts: { '80/tcp': {} }, WorkingDir: '/w' },
    rootfs: { type: 'layers', diff_ids: [D1] },
    history: [{ created_by: 'COPY x /', comment: 'c' }, { created_by: 'ENV A=1', empty_layer: true }],
    docker_version: '25.0.0',
  };

  it('parses a config, drops Docker nulls and keeps extra fields', () => {
    const c = parseImageConfig(enc(good));
    expect(c.config?.Cmd).toEqual(['/x.wasm']);
    expect(c.config && 'Entrypoint' in c.config).toBe(false);
    expect(c.rootfs.diff_ids).toEqual([D1]);
    expect(c.history?.[1]?.empty_layer).toBe(true);
    expect(c.docker_version).toBe('25.0.0');
  });

  it('defaults new images to wasi/wasm', () => {
    const c = createImageConfig();
    expect([c.os, c.architecture]).toEqual(['wasi', 'wasm']);
    expect(parseImageConfig(enc(c)).rootfs.diff_ids).toEqual([]);
  });

  it('names the bad field and the digest', () => {
    const bad = (over: Record<string, unknown>) => enc({ ...good, ...over });
    expectError(() => parseImageConfig(bad({ os: undefined }), { digest: D2 }), 'INVALID_MANIFEST', 'os is missing', D2);
    expectError(() => parseImageConfig(bad({ architecture: 3 })), 'INVALID_MANIFEST', 'architecture');
    expectError(() => parseImageConfig(bad({ rootfs: { type: 'layers', diff_ids: ['nope'] } })), 'INVALID_MANIFEST', 'rootfs.diff_ids[0]');
    expectError(() => parseImageConfig(bad({ rootfs: { type: 'x', diff_ids: [] } })), 'INVALID_MANIFEST', 'rootfs.type');
    expectError(() => parseImageConfig(bad({ rootfs: undefined })), 'INVALID_MANIFEST', 'rootfs is missing');
    expectError(() => parseImageConfig(bad({ config: { Env: 'A=1' } })), 'INVALID_MANIFEST', 'config.Env');
    expectError(() => parseImageConfig(bad({ config: { Labels: { a: 1 } } })), 'INVALID_MANIFEST', 'config.Labels');
    expectError(() => parseImageConfig(bad({ config: { User: 0 } })), 'INVALID_MANIFEST', 'config.User');
    expectError(() => parseImageConfig(bad({ history: [1] })), 'INVALID_MANIFEST', 'history');
    expectError(() => parseImageConfig(enc('nope')), 'INVALID_MANIFEST', 'not valid JSON');
  });
});
