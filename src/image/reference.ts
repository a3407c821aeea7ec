// Image references as the docker CLI reads them (distribution/reference grammar): a name with an
// optional registry domain, an optional tag and an optional digest, normalised the way Docker
// does (`ruby` → `docker.io/library/ruby:latest`) and shown back in Docker's short form.

import { WasmboxError } from '../errors.js';
import type { Digest } from '../content/digest.js';

export const DEFAULT_DOMAIN = 'docker.io';
export const DEFAULT_TAG = 'latest';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
/** Longest repository name (domain included) Docker accepts. */
export const NAME_TOTAL_LENGTH_MAX = 255;

// Grammar pieces, from the distribution/reference specification.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_NAME_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_RE = new RegExp(
  `^(?:${DOMAIN_NAME_COMPONENT}(?:\\.${DOMAIN_NAME_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`,
);
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const DIGEST_ALGORITHM_RE = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*$/;
const SHA256_HEX_RE = /^[a-f0-9]{64}$/;
const FULL_ID_RE = /^[a-f0-9]{64}$/;

/** A parsed, normalised image reference. Immutable. */
export class ImageRef {
  /** Registry host, with port if any: `docker.io`, `localhost:5000`, `ghcr.io`. */
  readonly domain: string;
  /** Repository path inside the registry: `library/ruby`, `user/app`. */
  readonly path: string;
  readonly tag: string | undefined;
  readonly digest: Digest | undefined;

  constructor(parts: { domain: string; path: string; tag?: string | undefined; digest?: Digest | undefined }) {
    this.domain = parts.domain;
    this.path = parts.path;
    this.tag = parts.tag;
    this.digest = parts.digest;
  }

  /** Full repository name without tag or digest: `docker.io/library/ruby`. */
  get repository(): string {
    return `${this.domain}/${this.path}`;
  }

  /** Docker's short repository name: `ruby`, `user/app`, `localhost:5000/x`. */
  get familiarRepository(): string {
    if (this.domain !== DEFAULT_DOMAIN) return this.repository;
    if (this.path.startsWith(OFFICIAL_REPO_PREFIX)) {
      const rest = this.path.slice(OFFICIAL_REPO_PREFIX.length);
      if (!rest.includes('/')) return rest;
    }
    // Unlike Docker, keep the domain when the short form would read back as another registry
    // (`docker.io/a.b/c` is not `a.b/c`).
    const slash = this.path.indexOf('/');
    const first = slash === -1 ? '' : this.path.slice(0, slash);
    if (first.includes('.') || first === 'localhost') return this.repository;
    return this.path;
  }

  /** The full form: `docker.io/library/ruby:latest`, `localhost:5000/x@sha256:…`. */
  toString(): string {
    return this.repository + this.suffix();
  }

  /** Docker's display form: `ruby:latest`, `user/app:1.0`, `localhost:5000/x`. */
  familiar(): string {
    return this.familiarRepository + this.suffix();
  }

  withTag(tag: string): ImageRef {
    if (!TAG_RE.test(tag)) throw invalid(tag, 'a tag must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}');
    return new ImageRef({ domain: this.domain, path: this.path, tag });
  }

  withDigest(digest: Digest): ImageRef {
    return new ImageRef({ domain: this.domain, path: this.path, tag: this.tag, digest });
  }

  /** Just the name, without tag or digest. */
  nameOnly(): ImageRef {
    return new ImageRef({ domain: this.domain, path: this.path });
  }

  equals(other: ImageRef): boolean {
    return this.toString() === other.toString();
  }

  private suffix(): string {
    return (this.tag === undefined ? '' : `:${this.tag}`) + (this.digest === undefined ? '' : `@${this.digest}`);
  }
}

export interface ParseReferenceOptions {
  /** Add `:latest` when the input has neither tag nor digest (Docker's ParseDockerRef). Default true. */
  defaultTag?: boolean;
}

function invalid(input: string, why: string): WasmboxError {
  return new WasmboxError('INVALID_REFERENCE', `invalid reference format "${input}": ${why}`, {
    details: { reference: input },
  });
}

/**
 * Parses a reference the way `docker pull` reads it. Throws INVALID_REFERENCE (and nothing else)
 * with the input and the reason.
 */
export function parseReference(input: string, options: ParseReferenceOptions = {}): ImageRef {
  if (typeof input !== 'string' || input === '') throw invalid(String(input ?? ''), 'repository name must have at least one component');
  if (FULL_ID_RE.test(input)) {
    throw invalid(input, 'cannot specify 64-byte hexadecimal strings as a repository name (is it an image id?)');
  }

  let rest = input;
  let digest: Digest | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = parseRefDigest(input, rest.slice(at + 1));
    rest = rest.slice(0, at);
  }

  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) {
      throw invalid(input, tag === '' ? 'empty tag after ":"' : `tag "${tag}" must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`);
    }
  }

  if (rest === '') throw invalid(input, 'repository name must have at least one component');
  if (rest.length > NAME_TOTAL_LENGTH_MAX) {
    throw invalid(input, `repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  }

  let [domain, path] = splitDomain(rest);
  if (!DOMAIN_RE.test(domain)) throw invalid(input, `"${domain}" is not a valid registry domain`);
  if (path.toLowerCase() !== path) throw invalid(input, `repository name "${path}" must be lowercase`);
  for (const component of path.split('/')) {
    if (component === '') throw invalid(input, 'repository name has an empty path component');
    if (!PATH_COMPONENT.test(component)) {
      throw invalid(input, `path component "${component}" must be lowercase letters and digits separated by ".", "_", "__" or "-"`);
    }
  }
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = OFFICIAL_REPO_PREFIX + path;
  if (domain.length + 1 + path.length > NAME_TOTAL_LENGTH_MAX) {
    throw invalid(input, `repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  }

  if (tag === undefined && digest === undefined && options.defaultTag !== false) tag = DEFAULT_TAG;
  return new ImageRef({ domain, path, tag, digest });
}

/** Like parseReference but returns undefined instead of throwing. */
export function tryParseReference(input: string, options?: ParseReferenceOptions): ImageRef | undefined {
  try {
    return parseReference(input, options);
  } catch {
    return undefined;
  }
}

/** Docker's rule: the first component is a registry if it has a `.` or `:`, is `localhost`, or has uppercase letters. */
function splitDomain(name: string): [string, string] {
  const slash = name.indexOf('/');
  if (slash === -1) return [DEFAULT_DOMAIN, name];
  const first = name.slice(0, slash);
  const isDomain = first.includes('.') || first.includes(':') || first === 'localhost' || first.toLowerCase() !== first;
  return isDomain ? [first, name.slice(slash + 1)] : [DEFAULT_DOMAIN, name];
}

function parseRefDigest(input: string, text: string): Digest {
  const colon = text.indexOf(':');
  if (colon <= 0) throw invalid(input, `digest "${text}" must look like sha256:<64 hex digits>`);
  const algorithm = text.slice(0, colon);
  const hex = text.slice(colon + 1);
  if (!DIGEST_ALGORITHM_RE.test(algorithm)) throw invalid(input, `digest "${text}" has an invalid algorithm`);
  if (algorithm !== 'sha256') throw invalid(input, `digest algorithm "${algorithm}" is not supported (only sha256)`);
  if (!SHA256_HEX_RE.test(hex)) throw invalid(input, `digest "${text}" must be sha256: followed by 64 lowercase hex digits`);
  return text as Digest;
}

/** Familiar form of a full or short reference string; the input unchanged if it does not parse. */
export function familiarize(reference: string): string {
  return tryParseReference(reference, { defaultTag: false })?.familiar() ?? reference;
}
