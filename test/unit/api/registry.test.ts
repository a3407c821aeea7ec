// Registry routes through api.fetch against an in-memory registry: X-Registry-Auth decoding,
// docker's JSON progress streams of push and pull (aux, Digest:, Status:), errors before any
// output as plain HTTP errors, POST /auth, /images/search over _catalog, and docker import.
import { describe, expect, it } from 'vitest';
import { createApi } from '../../../src/api/api.js';
import { Engine } from '../../../src/engine/engine.js';
import { applyChanges } from '../../../src/engine/image-import.js';
import { registryOfServerAddress, splitSearchTerm } from '../../../src/engine/registry.js';
import { MemoryVolumeBackend } from '../../../src/engine/volumes.js';
import { isWasmboxError } from '../../../src/errors.js';
import { credentialsOfAuthConfig, decodeRegistryAuthHeader, encodeRegistryAuthHeader } from '../../../src/image/registry/auth.js';
import { gzip } from '../../../src/layers/compression.js';
import { FakeRegistry } from '../../helpers/fake-registry.js';
import { makeTar, memoryImageStore, putTestImage } from '../../helpers/image-fixtures.js';
import { jsonLines } from './harness.js';

type Json = Record<string, unknown>;
const HOST = '127.0.0.1:5000';

function setup(options: { users?: Record<string, string> } = {}) {
  const registry = new FakeRegistry();
  if (options.users) registry.users = options.users;
  const engine = new Engine({
    images: memoryImageStore(),
    volumes: new MemoryVolumeBackend(),
    registry: { fetch: registry.fetch },
  });
  const api = createApi(engine);
  const call = (method: string, path: string, init: { body?: BodyInit | Uint8Array; headers?: Record<string, string> } = {}) =>
    api.fetch(new Request(`http://localhost${path}`, { method, headers: init.headers ?? {}, body: (init.body ?? null) as BodyInit | null, ...(init.body ? { duplex: 'half' } : {}) } as RequestInit));
  return { registry, engine, call };
}

const auth = (config: object) => ({ 'X-Registry-Auth': encodeRegistryAuthHeader(config) });

describe('X-Registry-Auth', () => {
  it('decodes base64url JSON as the docker CLI sends it, and standard or unpadded base64', () => {
    const config = { username: 'ann', password: 'p?>>x~', serveraddress: HOST };
    const url = encodeRegistryAuthHeader(config);
    expect(url).not.toMatch(/[+/]/);
    expect(decodeRegistryAuthHeader(url)).toEqual(config);
    expect(decodeRegistryAuthHeader(btoa(JSON.stringify(config)))).toEqual(config);
    expect(decodeRegistryAuthHeader(url.replace(/=+$/, ''))).toEqual(config);
    expect(decodeRegistryAuthHeader('')).toEqual({});
    expect(decodeRegistryAuthHeader(null)).toEqual({});
    expect(decodeRegistryAuthHeader(encodeRegistryAuthHeader({}))).toEqual({});
  });

  it('refuses a header that is not base64 JSON of an object, saying so', () => {
    for (const bad of ['%%%', btoa('not json'), btoa('[1]')]) {
      let error: unknown;
      try {
        decodeRegistryAuthHeader(bad);
      } catch (e) {
        error = e;
      }
      expect(isWasmboxError(error, 'INVALID_ARGUMENT')).toBe(true);
      expect((error as Error).message).toMatch(/^invalid X-Registry-Auth header: /);
    }
  });

  it('maps docker\'s AuthConfig to credentials: password, auth field, identity token; empty is anonymous', () => {
    expect(credentialsOfAuthConfig({ username: 'a', password: 'b' })).toEqual({ username: 'a', password: 'b' });
    expect(credentialsOfAuthConfig({ auth: btoa('u:p:q') })).toEqual({ username: 'u', password: 'p:q' });
    expect(credentialsOfAuthConfig({ identitytoken: 'tok', serveraddress: HOST })).toEqual({ identityToken: 'tok' });
    expect(credentialsOfAuthConfig({ registrytoken: 'rt' })).toEqual({ registryToken: 'rt' });
    expect(credentialsOfAuthConfig({ serveraddress: HOST })).toBeUndefined();
  });

  it('names registries like docker: login addresses and search terms', () => {
    expect(registryOfServerAddress('https://index.docker.io/v1/')).toBe('docker.io');
    expect(registryOfServerAddress('')).toBe('docker.io');
    expect(registryOfServerAddress('http://127.0.0.1:5000')).toBe('127.0.0.1:5000');
    expect(splitSearchTerm('127.0.0.1:5000/team/app')).toEqual({ registry: '127.0.0.1:5000', query: 'team/app' });
    expect(splitSearchTerm('localhost/app')).toEqual({ registry: 'localhost', query: 'app' });
    expect(splitSearchTerm('library/ruby')).toEqual({ registry: 'docker.io', query: 'library/ruby' });
  });
});

describe('push and pull through the API', () => {
  it('pushes with docker\'s messages and aux, then pulls the same image back with Digest and Status lines', async () => {
    const { registry, engine, call } = setup({ users: { ann: 'secret' } });
    const image = await putTestImage(engine.images.store, { tags: [`${HOST}/team/app:1`], layers: [{ 'a.txt': 'a' }, { 'b.txt': 'b' }] });

    const res = await call('POST', `/v1.50/images/${HOST}/team/app/push?tag=1`, { headers: auth({ username: 'ann', password: 'secret', serveraddress: HOST }) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const lines = await jsonLines(res);
    expect(lines[0]).toEqual({ status: `The push refers to repository [${HOST}/team/app]` });
    const layerIds = image.manifest.layers.map((l) => l.digest.slice(7, 19)).reverse();
    expect(lines.filter((l) => l.status === 'Preparing').map((l) => l.id)).toEqual(layerIds);
    expect(lines.filter((l) => l.status === 'Pushed').map((l) => l.id).sort()).toEqual([...layerIds].sort());
    const manifestSize = image.descriptor.size;
    expect(lines.at(-2)).toEqual({ status: `1: digest: ${image.manifestDigest} size: ${manifestSize}` });
    expect(lines.at(-1)).toEqual({ progressDetail: {}, aux: { Tag: '1', Digest: image.manifestDigest, Size: manifestSize } });
    expect(lines.some((l) => 'error' in l)).toBe(false);
    expect(registry.manifests.get('team/app:1')).toBeDefined();

    // Pushed again: every layer is already there.
    const again = await jsonLines(await call('POST', `/v1.50/images/${HOST}/team/app:1/push`, { headers: auth({ username: 'ann', password: 'secret' }) }));
    expect(again.filter((l) => l.status === 'Layer already exists')).toHaveLength(2);

    await engine.images.remove(`${HOST}/team/app:1`);
    const pulled = await call('POST', `/v1.50/images/create?fromImage=${encodeURIComponent(`${HOST}/team/app`)}&tag=1`, { headers: auth({ username: 'ann', password: 'secret' }) });
    expect(pulled.status).toBe(200);
    const pullLines = await jsonLines(pulled);
    expect(pullLines[0]).toEqual({ id: '1', status: 'Pulling from team/app' });
    expect(pullLines.filter((l) => l.status === 'Pull complete').map((l) => l.id)).toEqual(layerIds.slice().reverse());
    expect(pullLines.at(-2)).toEqual({ status: `Digest: ${image.manifestDigest}` });
    expect(pullLines.at(-1)).toEqual({ status: `Status: Downloaded newer image for ${HOST}/team/app:1` });
    expect((await engine.images.resolve(`${HOST}/team/app:1`)).id).toBe(image.id);

    // Pulled again: up to date.
    const same = await jsonLines(await call('POST', `/v1.50/images/create?fromImage=${HOST}/team/app&tag=1`, { headers: auth({ username: 'ann', password: 'secret' }) }));
    expect(same.at(-1)).toEqual({ status: `Status: Image is up to date for ${HOST}/team/app:1` });
    const events = engine.events.recent().map((e) => `${e.Type} ${e.Action} ${e.Actor.Attributes.name ?? ''}`);
    expect(events).toEqual(expect.arrayContaining([`image push ${HOST}/team/app:1`, `image pull ${HOST}/team/app:1`]));
  });

  it('answers a missing tag, a missing local image and a bad auth header with HTTP errors before any stream', async () => {
    const { call } = setup();
    const missing = await call('POST', `/v1.50/images/create?fromImage=${HOST}/x&tag=nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ message: `manifest for ${HOST}/x:nope not found: manifest unknown: manifest unknown` });
    const noImage = await call('POST', `/v1.50/images/${HOST}/x/push?tag=1`);
    expect(noImage.status).toBe(404);
    expect(await noImage.json()).toEqual({ message: `An image does not exist locally with the tag: ${HOST}/x` });
    const badAuth = await call('POST', `/v1.50/images/create?fromImage=${HOST}/x&tag=1`, { headers: { 'X-Registry-Auth': '!!notbase64' } });
    expect(badAuth.status).toBe(400);
    expect(((await badAuth.json()) as Json).message).toMatch(/^invalid X-Registry-Auth header/);
  });

  it('fails a push without credentials in the stream, after the first line, as dockerd does', async () => {
    const { engine, call } = setup({ users: { ann: 'secret' } });
    await putTestImage(engine.images.store, { tags: [`${HOST}/x:1`] });
    const res = await call('POST', `/v1.50/images/${HOST}/x/push?tag=1`, { headers: auth({}) });
    expect(res.status).toBe(200);
    const lines = await jsonLines(res);
    expect(lines[0]!.status).toBe(`The push refers to repository [${HOST}/x]`);
    expect(lines.at(-1)!.error).toMatch(/401|unauthorized/i);
    expect(lines.at(-1)!.errorDetail).toEqual({ message: lines.at(-1)!.error });
    // A refused pull is dockerd's 404 "pull access denied", never a 401 (the CLI would prompt for a login).
    const pull = await call('POST', `/v1.50/images/create?fromImage=${HOST}/x&tag=1`, { headers: auth({ username: 'ann', password: 'wrong' }) });
    expect(pull.status).toBe(404);
    expect(((await pull.json()) as Json).message).toMatch(new RegExp(`^pull access denied for ${HOST.replace(/\./g, '\\.')}/x, repository does not exist or may require 'docker login'`));
  });
});

describe('POST /auth and GET /images/search', () => {
  it('logs in when the registry accepts the credentials, 401 otherwise', async () => {
    const { call } = setup({ users: { ann: 'secret' } });
    const post = (body: object) => call('POST', '/v1.50/auth', { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
    const good = await post({ username: 'ann', password: 'secret', serveraddress: HOST });
    expect(good.status).toBe(200);
    expect(await good.json()).toEqual({ Status: 'Login Succeeded', IdentityToken: '' });
    const bad = await post({ username: 'ann', password: 'wrong', serveraddress: HOST });
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as Json).message).toBe(`login attempt to http://${HOST}/v2/ failed with status: 401 Unauthorized`);
    expect((await post({ serveraddress: HOST })).status).toBe(400);
  });

  it('searches a registry\'s catalog; a registry without one is a clear 501', async () => {
    const { registry, engine, call } = setup();
    for (const tag of ['team/app:1', 'team/other:1', 'lib/app:2']) {
      await putTestImage(engine.images.store, { tags: [`${HOST}/${tag}`] });
      await jsonLines(await call('POST', `/v1.50/images/${HOST}/${tag}/push`));
    }
    const res = await call('GET', `/v1.50/images/search?term=${encodeURIComponent(`${HOST}/app`)}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([
      { name: `${HOST}/lib/app`, description: '', star_count: 0, is_official: false, is_automated: false },
      { name: `${HOST}/team/app`, description: '', star_count: 0, is_official: false, is_automated: false },
    ]);
    const limited = (await (await call('GET', `/v1.50/images/search?term=${HOST}/team&limit=1`)).json()) as Json[];
    expect(limited).toHaveLength(1);
    const filtered = await call('GET', `/v1.50/images/search?term=${HOST}/app&filters=${encodeURIComponent('{"is-official":["true"]}')}`);
    expect(await filtered.json()).toEqual([]);
    registry.catalogSupport = false;
    const none = await call('GET', `/v1.50/images/search?term=${HOST}/app`);
    expect(none.status).toBe(501);
    expect(((await none.json()) as Json).message).toMatch(new RegExp(`^registry ${HOST.replace(/\./g, '\\.')} does not support search`));
  });
});

describe('docker import (POST /images/create?fromSrc=-)', () => {
  it('makes a one-layer wasi/wasm image from a tar, with changes, message and tag', async () => {
    const { engine, call } = setup();
    const tar = await makeTar([{ name: 'app/', type: 'directory' }, { name: 'app/hello.txt', data: 'hi' }]);
    const q = new URLSearchParams({ fromSrc: '-', repo: 'imported', tag: '7', message: 'from a tar' });
    q.append('changes', 'CMD ["/app/x.wasm"]');
    q.append('changes', 'ENV A=1 B=2');
    q.append('changes', 'LABEL team=wasm');
    q.append('changes', 'EXPOSE 80');
    q.append('changes', 'WORKDIR /app');
    const res = await call('POST', `/v1.50/images/create?${q}`, { body: tar });
    expect(res.status).toBe(200);
    const lines = await jsonLines(res);
    expect(lines).toHaveLength(1);
    const id = lines[0]!.status as string;
    expect(id).toMatch(/^sha256:[a-f0-9]{64}$/);
    const record = await engine.images.resolve('imported:7');
    expect(record.id).toBe(id);
    expect(record.config).toMatchObject({
      os: 'wasi',
      architecture: 'wasm',
      comment: 'from a tar',
      config: { Cmd: ['/app/x.wasm'], Env: ['A=1', 'B=2'], Labels: { team: 'wasm' }, ExposedPorts: { '80/tcp': {} }, WorkingDir: '/app' },
    });
    expect(record.manifest.layers).toHaveLength(1);
    expect(record.config.history).toEqual([{ created: record.config.created, comment: 'from a tar' }]);

    // gzip'ed, untagged, default message; the layer is stored uncompressed (same diff id).
    const untagged = await jsonLines(await call('POST', '/v1.50/images/create?fromSrc=-', { body: await gzip(tar) }));
    const dangling = await engine.images.resolve(untagged[0]!.status as string);
    expect(dangling.repoTags).toEqual([]);
    expect(dangling.config.comment).toBe('Imported from -');
    expect(dangling.config.rootfs.diff_ids).toEqual(record.config.rootfs.diff_ids);
  });

  it('refuses bad changes, escaping paths, empty bodies and URLs with HTTP errors', async () => {
    const { engine, call } = setup();
    const tar = await makeTar([{ name: 'x', data: 'x' }]);
    const run = await call('POST', `/v1.50/images/create?fromSrc=-&changes=${encodeURIComponent('RUN echo hi')}`, { body: tar });
    expect(run.status).toBe(400);
    expect(((await run.json()) as Json).message).toMatch(/^RUN is not a valid change command/);
    const escape = await call('POST', '/v1.50/images/create?fromSrc=-', { body: await makeTar([{ name: '../evil', data: 'x' }]) });
    expect(escape.status).toBe(400);
    expect(((await escape.json()) as Json).message).toMatch(/\.\.\/evil/);
    expect((await call('POST', '/v1.50/images/create?fromSrc=-', { body: new Uint8Array() })).status).toBe(400);
    expect((await call('POST', '/v1.50/images/create?fromSrc=http%3A%2F%2Fexample.com%2Fa.tar')).status).toBe(501);
    expect(await engine.images.store.list()).toEqual([]);
  });

  it('applies change instructions like docker commit/import do', () => {
    expect(applyChanges({ Env: ['A=0'] }, ['ENV A=1', 'ENTRYPOINT /bin/run', 'USER 1000', 'VOLUME /data', 'STOPSIGNAL SIGINT', 'ONBUILD RUN x', ''])).toEqual({
      Env: ['A=1'],
      Entrypoint: ['/bin/sh', '-c', '/bin/run'],
      User: '1000',
      Volumes: { '/data': {} },
      StopSignal: 'SIGINT',
      OnBuild: ['RUN x'],
    });
  });
});
