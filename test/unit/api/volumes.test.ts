// Volume routes: create, list with filters, inspect, remove, prune, and their errors.
import { describe, expect, it } from 'vitest';
import { harness } from './harness.js';

type Json = Record<string, unknown>;

describe('API volume routes', () => {
  it('creates a volume (201) in the Engine API shape, and returns the existing one for a taken name', async () => {
    const h = harness();
    const r = await h.callJson<Json>('POST', '/v1.50/volumes/create', { json: { Name: 'data', Labels: { app: 'web' } } });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      CreatedAt: '2024-06-01T12:00:00Z',
      Driver: 'local',
      Labels: { app: 'web' },
      Mountpoint: '/var/lib/wasmbox/volumes/data/_data',
      Name: 'data',
      Options: {},
      Scope: 'local',
    });
    h.clock.advance(60_000);
    const again = await h.callJson<Json>('POST', '/v1.50/volumes/create', { json: { Name: 'data' } });
    expect(again.body.CreatedAt).toBe('2024-06-01T12:00:00Z');
    expect(h.engine.events.recent().map((e) => `${e.Type} ${e.Action} ${e.Actor.ID}`)).toEqual(['volume create data']);
  });

  it('names an unnamed volume with 64 hex digits and marks it anonymous', async () => {
    const h = harness();
    const r = await h.callJson<Json>('POST', '/v1.50/volumes/create', { json: {} });
    expect(r.body.Name).toMatch(/^[a-f0-9]{64}$/);
    expect(r.body.Labels).toEqual({ 'com.docker.volume.anonymous': '' });
  });

  it('refuses bad names, other drivers and driver options with docker-like errors', async () => {
    const h = harness();
    const bad = await h.callJson<{ message: string }>('POST', '/v1.50/volumes/create', { json: { Name: 'a/b' } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^create a\/b: "a\/b" includes invalid characters for a local volume name/);
    const driver = await h.callJson<{ message: string }>('POST', '/v1.50/volumes/create', { json: { Name: 'x1', Driver: 'nfs' } });
    expect(driver.status).toBe(404);
    expect(driver.body.message).toMatch(/plugin "nfs" not found/);
    const opts = await h.callJson<{ message: string }>('POST', '/v1.50/volumes/create', { json: { Name: 'x1', DriverOpts: { type: 'tmpfs' } } });
    expect(opts.status).toBe(501);
    expect((await h.call('POST', '/v1.50/volumes/create', { body: '{nope', headers: { 'Content-Type': 'application/json' } })).status).toBe(400);
  });

  it('lists volumes with name, label and dangling filters', async () => {
    const h = harness();
    await h.engine.volumes.create({ name: 'alpha', labels: { tier: 'db' } });
    await h.engine.volumes.create({ name: 'beta' });
    h.engine.usage.add('volume', 'beta', 'container1');
    const q = (f: unknown) => `/v1.50/volumes?filters=${encodeURIComponent(JSON.stringify(f))}`;
    const all = await h.callJson<{ Volumes: Json[]; Warnings: string[] }>('GET', '/v1.50/volumes');
    expect(all.body.Volumes.map((v) => v.Name)).toEqual(['alpha', 'beta']);
    expect(all.body.Warnings).toEqual([]);
    expect((await h.callJson<{ Volumes: Json[] }>('GET', q({ name: ['alp'] }))).body.Volumes.map((v) => v.Name)).toEqual(['alpha']);
    expect((await h.callJson<{ Volumes: Json[] }>('GET', q({ label: { tier: true } }))).body.Volumes.map((v) => v.Name)).toEqual(['alpha']);
    expect((await h.callJson<{ Volumes: Json[] }>('GET', q({ dangling: ['true'] }))).body.Volumes.map((v) => v.Name)).toEqual(['alpha']);
    expect((await h.call('GET', q({ size: ['1'] }))).status).toBe(400);
  });

  it('inspects and removes; 404 "get x: no such volume", 409 while in use, force ignores missing', async () => {
    const h = harness();
    await h.engine.volumes.create({ name: 'keep' });
    expect((await h.callJson<Json>('GET', '/v1.50/volumes/keep')).body.Name).toBe('keep');
    const missing = await h.callJson<{ message: string }>('GET', '/v1.50/volumes/nope');
    expect(missing).toMatchObject({ status: 404, body: { message: 'get nope: no such volume' } });
    expect((await h.callJson<{ message: string }>('DELETE', '/v1.50/volumes/nope')).body.message).toBe('get nope: no such volume');
    expect((await h.call('DELETE', '/v1.50/volumes/nope?force=1')).status).toBe(204);
    h.engine.usage.add('volume', 'keep', 'abc');
    const busy = await h.callJson<{ message: string }>('DELETE', '/v1.50/volumes/keep');
    expect(busy).toMatchObject({ status: 409, body: { message: 'remove keep: volume is in use - [abc]' } });
    h.engine.usage.removeUser('abc');
    const gone = await h.call('DELETE', '/v1.50/volumes/keep');
    expect(gone.status).toBe(204);
    expect((await h.call('GET', '/v1.50/volumes/keep')).status).toBe(404);
    expect(h.engine.events.recent().map((e) => e.Action)).toEqual(['create', 'destroy']);
  });

  it('prunes unused anonymous volumes, or all unused ones with all=true', async () => {
    const h = harness();
    const anon = await h.engine.volumes.create({});
    await h.engine.volumes.create({ name: 'named' });
    await h.engine.volumes.create({ name: 'used' });
    h.engine.usage.add('volume', 'used', 'c1');
    const first = await h.callJson<Json>('POST', '/v1.50/volumes/prune');
    expect(first.body).toEqual({ VolumesDeleted: [anon.name], SpaceReclaimed: 0 });
    const all = await h.callJson<Json>('POST', `/v1.50/volumes/prune?filters=${encodeURIComponent('{"all":["true"]}')}`);
    expect(all.body).toEqual({ VolumesDeleted: ['named'], SpaceReclaimed: 0 });
    const none = await h.callJson<Json>('POST', '/v1.50/volumes/prune');
    expect(none.body).toEqual({ VolumesDeleted: null, SpaceReclaimed: 0 });
  });
});
