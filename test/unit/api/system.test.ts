// System routes: ping, version, info, events (replay and live), df, version prefixes, errors.
import { describe, expect, it } from 'vitest';
import { putTestImage } from '../../helpers/image-fixtures.js';
import { harness, jsonLines } from './harness.js';

describe('API system routes', () => {
  it('answers GET and HEAD /_ping with the headers the docker CLI reads', async () => {
    const h = harness();
    for (const method of ['GET', 'HEAD']) {
      const res = await h.call(method, '/_ping');
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(method === 'GET' ? 'OK' : '');
      expect(res.headers.get('api-version')).toBe('1.50');
      expect(res.headers.get('builder-version')).toBe('1');
      expect(res.headers.get('ostype')).toBe('linux');
      expect(res.headers.get('server')).toBe('wasmbox/9.9.9 (wasi)');
    }
  });

  it('serves versioned and unversioned paths, refusing versions out of range', async () => {
    const h = harness();
    expect((await h.call('GET', '/v1.50/version')).status).toBe(200);
    expect((await h.call('GET', '/v1.45/version')).status).toBe(200);
    expect((await h.call('GET', '/version')).status).toBe(200);
    const tooNew = await h.callJson<{ message: string }>('GET', '/v1.51/version');
    expect(tooNew.status).toBe(400);
    expect(tooNew.body.message).toBe('client version 1.51 is too new. Maximum supported API version is 1.50');
    const tooOld = await h.callJson<{ message: string }>('GET', '/v1.12/version');
    expect(tooOld.status).toBe(400);
    expect(tooOld.body.message).toMatch(/client version 1.12 is too old. Minimum supported API version is 1.24/);
  });

  it('answers unknown paths with 404 and wrong methods with 405, as JSON messages', async () => {
    const h = harness();
    const missing = await h.callJson<{ message: string }>('GET', '/v1.50/nothing/here');
    expect(missing).toMatchObject({ status: 404, body: { message: 'page not found' } });
    const wrong = await h.callJson<{ message: string }>('PUT', '/_ping');
    expect(wrong.status).toBe(405);
  });

  it('reports version and info in the Engine API shape', async () => {
    const h = harness();
    await putTestImage(h.engine.images.store, { tags: ['a:1'] });
    const v = await h.callJson<Record<string, unknown>>('GET', '/v1.50/version');
    expect(v.body).toMatchObject({ Version: '9.9.9', ApiVersion: '1.50', MinAPIVersion: '1.24', Os: 'wasi', Arch: 'wasm', KernelVersion: '6.0' });
    expect(v.body.Components).toEqual([expect.objectContaining({ Name: 'Engine', Version: '9.9.9' })]);
    const info = await h.callJson<Record<string, unknown>>('GET', '/v1.50/info');
    expect(info.body).toMatchObject({
      ID: 'engine-id',
      Containers: 0,
      Images: 1,
      NCPU: 4,
      MemTotal: 1024,
      Name: 'testhost',
      OSType: 'linux',
      Architecture: 'x86_64',
      DockerRootDir: '/state',
      ServerVersion: '9.9.9',
      Swarm: { LocalNodeState: 'inactive' },
    });
  });

  it('replays events in a since/until window and filters them', async () => {
    const h = harness();
    const t0 = h.clock.now() / 1000;
    await putTestImage(h.engine.images.store, { tags: ['a:1'] });
    await h.engine.images.tag('a:1', 'b:2');
    h.clock.advance(5000);
    await h.engine.volumes.create({ name: 'vol1' });
    h.clock.advance(5000);
    await h.engine.images.remove('b:2');
    // A past `until` ends the stream after the replay (a future one would wait for it).
    h.clock.advance(20_000);
    const all = await jsonLines(await h.call('GET', `/v1.50/events?since=${t0}&until=${t0 + 20}`));
    expect(all.map((e) => `${e.Type} ${e.Action}`)).toEqual(['image tag', 'volume create', 'image untag']);
    expect(all[0]).toMatchObject({ status: 'tag', Actor: { Attributes: { name: 'b:2' } }, scope: 'local', time: t0 });
    expect(all[0]!.timeNano).toBe(t0 * 1e9);
    const window = await jsonLines(await h.call('GET', `/v1.50/events?since=${t0 + 1}&until=${t0 + 6}`));
    expect(window.map((e) => e.Action)).toEqual(['create']);
    const filters = encodeURIComponent(JSON.stringify({ type: { image: true }, event: { untag: true } }));
    const filtered = await jsonLines(await h.call('GET', `/v1.50/events?since=${t0}&until=${t0 + 20}&filters=${filters}`));
    expect(filtered.map((e) => e.Action)).toEqual(['untag']);
    const bad = await h.callJson<{ message: string }>('GET', `/v1.50/events?filters=${encodeURIComponent('{"bogus":["x"]}')}`);
    expect(bad).toMatchObject({ status: 400, body: { message: "invalid filter 'bogus'" } });
  });

  it('streams live events as they happen and stops when the client cancels', async () => {
    const h = harness();
    await putTestImage(h.engine.images.store, { tags: ['a:1'] });
    const res = await h.call('GET', '/v1.50/events');
    expect(res.headers.get('content-type')).toBe('application/json');
    const reader = res.body!.getReader();
    const first = reader.read();
    await h.engine.images.tag('a:1', 'live:1');
    const chunk = await first;
    const event = JSON.parse(new TextDecoder().decode(chunk.value)) as { Action: string; Actor: { Attributes: { name: string } } };
    expect(event.Action).toBe('tag');
    expect(event.Actor.Attributes.name).toBe('live:1');
    expect(h.engine.events.listeners).toBe(1);
    await reader.cancel();
    expect(h.engine.events.listeners).toBe(0);
  });

  it('reports disk usage of images and volumes', async () => {
    const h = harness();
    await putTestImage(h.engine.images.store, { tags: ['a:1'], layers: [{ f: 'x' }] });
    await h.engine.volumes.create({ name: 'data' });
    const df = await h.callJson<Record<string, unknown>>('GET', '/v1.50/system/df');
    expect(df.status).toBe(200);
    expect(df.body).toMatchObject({ Containers: [], BuildCache: [] });
    const images = df.body.Images as Record<string, unknown>[];
    expect(images).toHaveLength(1);
    expect(images[0]).toMatchObject({ RepoTags: ['a:1'], SharedSize: 0, Containers: 0 });
    expect(df.body.LayersSize).toBe(images[0]!.Size);
    expect(df.body.Volumes).toEqual([expect.objectContaining({ Name: 'data', UsageData: { Size: 0, RefCount: 0 } })]);
    const onlyVolumes = await h.callJson<Record<string, unknown>>('GET', '/v1.50/system/df?type=volume');
    expect(Object.keys(onlyVolumes.body)).toEqual(['Volumes']);
  });
});
