// The registry client and pull/push between a registry and the image store (isomorphic: fetch only).

export {
  MANIFEST_ACCEPT,
  RegistryClient,
  defaultSleep,
  isInsecureRegistry,
  nextLink,
  registryBaseUrl,
} from './client.js';
export type {
  BlobGetOptions,
  BlobPushOptions,
  BlobPushResult,
  BlobResponse,
  FetchLike,
  ListOptions,
  ManifestHead,
  ManifestResponse,
  RegistryClientOptions,
  RepositoryName,
  RetryOptions,
  SignalOptions,
} from './client.js';
export {
  MemoryCredentialStore,
  base64Decode,
  base64Encode,
  basicAuthorization,
  credentialKey,
  credentialsOfAuthConfig,
  decodeAuthField,
  decodeRegistryAuthHeader,
  encodeAuthField,
  encodeRegistryAuthHeader,
  parseWwwAuthenticate,
  registryOfKey,
} from './auth.js';
export type { AuthChallenge, CredentialStore, DockerAuthConfig, RegistryCredentials } from './auth.js';
export { ANNOTATION_CONVERTED_FROM, pull, selectPullPlatform, wasmModuleNames } from './pull.js';
export type { PullOptions, PullPlatform, PullResult } from './pull.js';
export { push } from './push.js';
export type { PushOptions, PushResult } from './push.js';
export { runLimited, shortDigest } from './progress.js';
export type { ProgressDetail, ProgressEvent, ProgressListener } from './progress.js';
