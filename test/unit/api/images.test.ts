// Image routes: list with filters, inspect, history, tag, delete, prune, save/load, pull.
import { describe, expect, it } from 'vitest';
import { putTestImage } from '../../helpers/image-fixtures.js';
import { harness, jsonLines } from './harness.js';

type Json = Record<string, unknown>;

describe('API image routes', () => {
  it('lists images as ImageSummary, with dangling, reference and label filters', async () => {
    const h = harness();
    const a = await putTestImage(h.engine.images.store, { tags: ['app:1', 'app:2'], config: { config: { Labels: { team: 'x' } } } });
    await putTestImage(h.engine.images.store, { tags: ['localhost:5000/other/img:latest'], layers: [{ f: 'other' }], config: { created: '2023-01-01T00:00:00Z' } });
    await putTestImage(h.engine.images.store, { layers: [{ f: 'dangling' }] });
    const all = await h.callJson<Json[]>('GET', '/v1.50/images/json');
    expect(all.status).toBe(200);
    expect(all.body).toHaveLength(3);
    const app = all.body.find((i) => i.Id === a.id)!;
    expect(app).toEqual({
      Id: a.id,
      ParentId: '',
      RepoTags: ['app:1', 'app:2'],
      RepoDigests: [`app@${a.manifestDigest}`],
      Created: Date.UTC(2024, 0, 1) / 1000,
      Size: a.size,
      SharedSize: -1,
      Labels: { team: 'x' },
      Containers: -1,
    });
    const q = (f: unknown) => `/v1.50/images/json?filters=${encodeURIComponent(JSON.stringify(f))}`;
    const dangling = await h.callJson<Json[]>('GET', q({ dangling: { true: true } }));
    expect(dangling.body.map((i) => i.RepoTags)).toEqual([[]]);
    const tagged = await h.callJson<Json[]>('GET', q({ dangling: ['false'] }));
    expect(tagged.body).toHaveLength(2);
    expect((await h.callJson<Json[]>('GET', q({ reference: { app: true } }))).body.map((i) => i.Id)).toEqual([a.id]);
    expect((await h.callJson<Json[]>('GET', q({ reference: { 'localhost:5000/*/*': true } }))).body).toHaveLength(1);
    expect((await h.callJson<Json[]>('GET', q({ reference: { 'app:2': true } }))).body).toHaveLength(1);
    expect((await h.callJson<Json[]>('GET', q({ reference: { 'app:3': true } }))).body).toHaveLength(0);
    expect((await h.callJson<Json[]>('GET', q({ label: { 'team=x': true } }))).body.map((i) => i.Id)).toEqual([a.id]);
    expect((await h.callJson<Json[]>('GET', q({ before: { 'app:1': true } }))).body).toHaveLength(1);
    const bad = await h.callJson<{ message: string }>('GET', q({ colour: ['red'] }));
    expect(bad).toMatchObject({ status: 400, body: { message: "invalid filter 'colour'" } });
    // Old clients (before 1.44) still get VirtualSize.
    const old = await h.callJson<Json[]>('GET', '/v1.41/images/json');
    expect(old.body[0]!.VirtualSize).toBe(old.body[0]!.Size);
  });

  it('inspects an image by name, id, id prefix and a name with slashes; 404 with docker\'s message', async () => {
    const h = harness();
    const a = await putTestImage(h.engine.images.store, { tags: ['localhost:5000/a/b:1'] });
    for (const name of ['localhost:5000/a/b:1', a.id, a.id.slice(7, 19)]) {
      const r = await h.callJson<Json>('GET', `/v1.50/images/${name}/json`);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({
        Id: a.id,
        RepoTags: ['localhost:5000/a/b:1'],
        Architecture: 'wasm',
        Os: 'wasi',
        Size: a.size,
        Config: { Cmd: ['/hello.wasm'] },
        RootFS: { Type: 'layers', Layers: a.config.rootfs.diff_ids },
        Descriptor: { digest: a.manifestDigest },
      });
    }
    const missing = await h.callJson<{ message: string }>('GET', '/v1.50/images/nope/json');
    expect(missing).toMatchObject({ status: 404, body: { message: 'No such image: nope:latest' } });
  });

  it('gives history newest first, sizes on the entries that made a layer', async () => {
    const h = harness();
    const a = await putTestImage(h.engine.images.store, {
      tags: ['h:1'],
      layers: [{ a: '1' }, { b: '2' }],
      config: {
        history: [
          { created: '2024-01-01T00:00:00Z', created_by: 'ADD a /' },
          { created: '2024-01-01T00:00:01Z', created_by: 'ENV X=1', empty_layer: true },
          { created: '2024-01-01T00:00:02Z', created_by: 'ADD b /', comment: 'c' },
        ],
      },
    });
    const r = await h.callJson<Json[]>('GET', '/v1.50/images/h:1/history');
    expect(r.body.map((x) => [x.Id, x.CreatedBy, x.Size, x.Tags])).toEqual([
      [a.id, 'ADD b /', a.manifest.layers[1]!.size, ['h:1']],
      ['<missing>', 'ENV X=1', 0, null],
      ['<missing>', 'ADD a /', a.manifest.layers[0]!.size, null],
    ]);
    expect(r.body[0]).toMatchObject({ Created: Date.UTC(2024, 0, 1) / 1000 + 2, Comment: 'c' });
  });

  it('tags (201), untags and deletes, with the events Docker emits', async () => {
    const h = harness();
    const a = await putTestImage(h.engine.images.store, { tags: ['x:1'] });
    const tag = await h.call('POST', '/v1.50/images/x:1/tag?repo=y/z&tag=2');
    expect(tag.status).toBe(201);
    expect((await h.call('POST', '/v1.50/images/x:1/tag?repo=plain')).status).toBe(201);
    expect((await h.engine.images.resolve('plain:latest')).id).toBe(a.id);
    expect((await h.callJson<{ message: string }>('POST', '/v1.50/images/nope/tag?repo=a')).body.message).toBe('No such image: nope:latest');
    expect((await h.call('POST', '/v1.50/images/x:1/tag')).status).toBe(400);
    expect((await h.call('POST', '/v1.50/images/x:1/tag?repo=Upper')).status).toBe(400);

    // By id, tagged in several repositories: 409 unless forced.
    const conflict = await h.callJson<{ message: string }>('DELETE', `/v1.50/images/${a.id}`);
    expect(conflict.status).toBe(409);
    expect(conflict.body.message).toMatch(/must be forced/);
    const untag = await h.callJson<Json[]>('DELETE', '/v1.50/images/y/z:2');
    expect(untag.body).toEqual([{ Untagged: 'y/z:2' }]);
    const forced = await h.callJson<Json[]>('DELETE', `/v1.50/images/${a.id}?force=1`);
    expect(forced.body).toEqual(expect.arrayContaining([{ Untagged: 'x:1' }, { Untagged: 'plain:latest' }, { Deleted: a.id }]));
    expect((await h.call('DELETE', '/v1.50/images/x:1')).status).toBe(404);
    const actions = h.engine.events.recent().map((e) => `${e.Action} ${e.Actor.Attributes.name}`);
    expect(actions).toEqual(['tag y/z:2', 'tag plain:latest', 'untag y/z:2', 'untag x:1', 'untag plain:latest', `delete ${a.id}`]);
  });

  it('refuses to delete an image a container uses unless forced, and then only untags it', async () => {
    const h = harness();
    const a = await putTestImage(h.engine.images.store, { tags: ['used:1'] });
    h.engine.usage.add('image', a.id, 'c0ffee0123456789');
    const r = await h.callJson<{ message: string }>('DELETE', '/v1.50/images/used:1');
    expect(r.status).toBe(409);
    expect(r.body.message).toBe(`conflict: unable to remove repository reference "used:1" (must force) - container c0ffee012345 is using its referenced image ${a.id.slice(7, 19)}`);
    const forced = await h.callJson<Json[]>('DELETE', '/v1.50/images/used:1?force=true');
    expect(forced.body).toEqual([{ Untagged: 'used:1' }]);
    expect(await h.engine.images.store.has(a.id)).toBe(true);
    // Prune skips it while it is in use.
    const prune = await h.callJson<Json>('POST', '/v1.50/images/prune');
    expect(prune.body).toEqual({ ImagesDeleted: null, SpaceReclaimed: 0 });
  });

  it('prunes dangling images, or all unused ones with dangling=false', async () => {
    const h = harness();
    const dangling = await putTestImage(h.engine.images.store, { layers: [{ d: '1' }] });
    const tagged = await putTestImage(h.engine.images.store, { tags: ['keep:1'] });
    const r = await h.callJson<Json>('POST', '/v1.50/images/prune');
    expect(r.body).toEqual({ ImagesDeleted: [{ Deleted: dangling.id }], SpaceReclaimed: dangling.size });
    const all = await h.callJson<Json>('POST', `/v1.50/images/prune?filters=${encodeURIComponent('{"dangling":["false"]}')}`);
    expect(all.body).toEqual({ ImagesDeleted: [{ Untagged: 'keep:1' }, { Deleted: tagged.id }], SpaceReclaimed: tagged.size });
  });

  it('saves (single and ?names=) a tar that loads into another engine', async () => {
    const h = harness();
    const a = await putTestImage(h.engine.images.store, { tags: ['one:1'] });
    const b = await putTestImage(h.engine.images.store, { tags: ['two:2'], layers: [{ t: 'two' }] });
    const single = await h.call('GET', '/v1.50/images/one:1/get');
    expect(single.headers.get('content-type')).toBe('application/x-tar');
    expect((await single.arrayBuffer()).byteLength).toBeGreaterThan(1024);
    const tar = new Uint8Array(await (await h.call('GET', '/v1.50/images/get?names=one:1&names=two:2')).arrayBuffer());
    const other = harness();
    const loaded = await other.call('POST', '/v1.50/images/load?quiet=1', { body: tar, headers: { 'Content-Type': 'application/x-tar' } });
    expect(loaded.status).toBe(200);
    expect(await jsonLines(loaded)).toEqual([{ stream: 'Loaded image: one:1\n' }, { stream: 'Loaded image: two:2\n' }]);
    expect((await other.engine.images.resolve('two:2')).id).toBe(b.id);
    expect((await other.engine.images.resolve('one:1')).id).toBe(a.id);
    expect(other.engine.events.recent().map((e) => `${e.Action} ${e.Actor.ID}`)).toEqual(['load one:1', 'load two:2']);
    expect((await h.callJson<{ message: string }>('GET', '/v1.50/images/get?names=nope')).status).toBe(404);
  });

  it('reports a bad archive on load as an error line of the JSON stream', async () => {
    const h = harness();
    const res = await h.call('POST', '/v1.50/images/load', { body: new TextEncoder().encode('not a tar at all'.repeat(64)) });
    expect(res.status).toBe(200);
    const lines = await jsonLines(res);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.error).toEqual(expect.any(String));
    expect(lines[0]!.errorDetail).toEqual({ message: lines[0]!.error });
    expect(await h.engine.images.store.list()).toEqual([]);
  });

  it('needs fromImage for a pull; pushing an image that is not there is a 404 before any stream (pull/push: test/unit/api/registry.test.ts)', async () => {
    const h = harness();
    expect((await h.call('POST', '/v1.50/images/create')).status).toBe(400);
    const missing = await h.callJson<{ message: string }>('POST', '/v1.50/images/nope/push');
    expect(missing).toMatchObject({ status: 404, body: { message: 'An image does not exist locally with the tag: nope' } });
  });
});
