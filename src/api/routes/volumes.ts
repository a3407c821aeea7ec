// Volume endpoints: create, list (filters name, driver, label, dangling), inspect, remove,
// prune. JSON shape: the Engine API's Volume object.

import type { Volume } from '../../engine/volumes.js';
import type { Router, RouteContext } from '../router.js';
import { boolParam, filtersParam, json, noContent, readJson, stringMap } from '../http.js';
import { WasmboxError } from '../../errors.js';

export function volumeJson(v: Volume): Record<string, unknown> {
  return {
    CreatedAt: v.createdAt,
    Driver: v.driver,
    Labels: v.labels,
    Mountpoint: v.mountpoint,
    Name: v.name,
    Options: v.options,
    Scope: 'local',
  };
}

async function create({ engine, request }: RouteContext): Promise<Response> {
  const body = await readJson(request);
  for (const k of ['Name', 'Driver'] as const) {
    if (body[k] !== undefined && body[k] !== null && typeof body[k] !== 'string') throw new WasmboxError('INVALID_ARGUMENT', `volume create: ${k} must be a string`);
  }
  const volume = await engine.volumes.create({
    name: (body.Name as string | undefined) ?? '',
    driver: (body.Driver as string | undefined) ?? 'local',
    driverOpts: stringMap(body.DriverOpts, 'DriverOpts'),
    labels: stringMap(body.Labels, 'Labels'),
  });
  return json(volumeJson(volume), { status: 201 });
}

async function list({ engine, query }: RouteContext): Promise<Response> {
  const volumes = await engine.volumes.list(filtersParam(query));
  return json({ Volumes: volumes.map(volumeJson), Warnings: [] });
}

async function inspect({ engine, params }: RouteContext): Promise<Response> {
  return json(volumeJson(await engine.volumes.inspect(params.name!)));
}

async function remove({ engine, params, query }: RouteContext): Promise<Response> {
  await engine.volumes.remove(params.name!, { force: boolParam(query, 'force') });
  return noContent();
}

async function prune({ engine, query }: RouteContext): Promise<Response> {
  const { deleted, spaceReclaimed } = await engine.volumes.prune(filtersParam(query));
  return json({ VolumesDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: spaceReclaimed });
}

export function register(router: Router): void {
  router.get('/volumes', list);
  router.post('/volumes/create', create);
  router.post('/volumes/prune', prune);
  router.get('/volumes/{name}', inspect);
  router.delete('/volumes/{name}', remove);
}
