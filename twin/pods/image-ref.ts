// An image reference split as a container runtime reads it: registry, repository path, tag, digest.
// `busybox`, `docker.io/library/busybox:1.36` and `index.docker.io/library/busybox@sha256:…` are
// the same repository; the table in images.ts matches on the path alone (registries and tags vary
// between mirrors and releases, the program does not).

export interface ImageRef {
  /** As written in the pod spec. */
  text: string;
  registry: string;
  /** Repository path without registry, `library/` dropped for Docker Hub: `busybox`, `istio/pilot`. */
  path: string;
  tag?: string;
  digest?: string;
}

const dockerHub = 'docker.io';

export function parseImageRef(text: string): ImageRef {
  let rest = text.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const parts = rest.split('/');
  let registry = dockerHub;
  // The first part is a registry when it looks like a host: a dot, a port, or localhost.
  if (parts.length > 1 && /[.:]|^localhost$/.test(parts[0]!)) registry = parts.shift()!;
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = dockerHub;
  if (registry === dockerHub && parts.length === 2 && parts[0] === 'library') parts.shift();
  return { text, registry, path: parts.join('/').toLowerCase(), tag, digest };
}
