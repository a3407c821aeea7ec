// WWW-Authenticate parsing, base64 credential fields and config.json key normalisation.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MemoryCredentialStore,
  base64Decode,
  base64Encode,
  credentialKey,
  decodeAuthField,
  encodeAuthField,
  parseWwwAuthenticate,
  registryOfKey,
} from '../../../src/image/registry/auth.js';

describe('parseWwwAuthenticate', () => {
  it('reads a Bearer challenge with realm, service and scope', () => {
    const h = 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"';
    expect(parseWwwAuthenticate(h)).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:samalba/my-app:pull,push' } },
    ]);
  });

  it('reads Basic, unquoted values, escapes, odd spacing and several challenges', () => {
    expect(parseWwwAuthenticate('Basic realm="Registry Realm"')).toEqual([{ scheme: 'basic', params: { realm: 'Registry Realm' } }]);
    expect(parseWwwAuthenticate('bearer  realm = "a\\"b" , service=svc')).toEqual([{ scheme: 'bearer', params: { realm: 'a"b', service: 'svc' } }]);
    expect(parseWwwAuthenticate('Basic realm="x", Bearer realm="https://t/token",service="s"')).toEqual([
      { scheme: 'basic', params: { realm: 'x' } },
      { scheme: 'bearer', params: { realm: 'https://t/token', service: 's' } },
    ]);
    expect(parseWwwAuthenticate('')).toEqual([]);
  });

  it('never throws on arbitrary input', () => {
    fc.assert(fc.property(fc.string(), (s) => Array.isArray(parseWwwAuthenticate(s))));
  });

  it('round-trips any quoted realm', () => {
    fc.assert(
      fc.property(fc.string(), (realm) => {
        const quoted = realm.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
        expect(parseWwwAuthenticate(`Bearer realm="${quoted}",service="s"`)[0]!.params.realm).toBe(realm);
      }),
    );
  });
});

describe('credential fields', () => {
  it('encodes config.json auth as base64 user:password, UTF-8 safe', () => {
    expect(encodeAuthField('alice', 'secret')).toBe('YWxpY2U6c2VjcmV0');
    expect(decodeAuthField('YWxpY2U6c2VjcmV0')).toEqual({ username: 'alice', password: 'secret' });
    expect(decodeAuthField(encodeAuthField('zoë', 'p:ä:ss'))).toEqual({ username: 'zoë', password: 'p:ä:ss' });
    expect(base64Decode(base64Encode('€'))).toBe('€');
    expect(decodeAuthField('bm9jb2xvbg==')).toBeUndefined();
    expect(decodeAuthField('%%%')).toBeUndefined();
  });

  it('uses docker keys: the v1 URL for Docker Hub, the host for others', () => {
    expect(credentialKey('docker.io')).toBe('https://index.docker.io/v1/');
    expect(credentialKey('localhost:5000')).toBe('localhost:5000');
    expect(registryOfKey('https://index.docker.io/v1/')).toBe('docker.io');
    expect(registryOfKey('http://127.0.0.1:5000/v2/')).toBe('127.0.0.1:5000');
    expect(registryOfKey('ghcr.io')).toBe('ghcr.io');
  });

  it('the memory store normalises keys', async () => {
    const s = new MemoryCredentialStore({ 'https://index.docker.io/v1/': { username: 'u', password: 'p' } });
    expect(await s.get('docker.io')).toEqual({ username: 'u', password: 'p' });
    expect(await s.erase('docker.io')).toBe(true);
    expect(await s.get('docker.io')).toBeUndefined();
  });
});
