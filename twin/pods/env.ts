// A container's environment as the kubelet builds it: the image's ENV, the Service variables
// (KUBERNETES_SERVICE_HOST, <SVC>_SERVICE_HOST, the docker-link <SVC>_PORT_… set), envFrom, then
// env in order with $(VAR) expansion, fieldRef, resourceFieldRef, secretKeyRef and configMapKeyRef.
// Missing non-optional references are a CreateContainerConfigError with the kubelet's wording.
import type { V1ConfigMap, V1Container, V1EnvVar, V1Pod, V1Secret, V1Service } from '@kubernetes/client-node';
import { fieldValue, resourceValue, type PodRuntimeFacts } from './downward';

/** Read access to the cluster objects env vars may name (the runner's informer caches). */
export interface ObjectLookup {
  secret(namespace: string, name: string): V1Secret | undefined;
  configMap(namespace: string, name: string): V1ConfigMap | undefined;
}

/** A reference the container cannot start without. */
export class ContainerConfigError extends Error {
  override name = 'ContainerConfigError';
  readonly reason = 'CreateContainerConfigError';
}

/** Expands $(VAR) as Kubernetes does: `$$` escapes, unknown names stay as written. */
export function expand(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor += 1) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const next = input[cursor + 1];
    let advance = 1;
    if (next === '$') {
      out += '$';
    } else if (next === '(') {
      const close = input.indexOf(')', cursor + 2);
      if (close < 0) {
        out += '$(';
      } else {
        const name = input.slice(cursor + 2, close);
        out += lookup(name) ?? `$(${name})`;
        advance = close - cursor;
      }
    } else {
      out += `$${next}`;
    }
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

function envName(name: string): string {
  return name.replace(/-/g, '_').toUpperCase();
}

/**
 * The Service variables of a pod: its namespace's Services when enableServiceLinks (default),
 * and always the `kubernetes` Service from the default namespace. Headless and IP-less Services
 * are left out.
 */
export function serviceEnv(services: V1Service[], namespace: string, enableServiceLinks = true): Record<string, string> {
  const chosen = new Map<string, V1Service>();
  for (const service of services) {
    const ip = service.spec?.clusterIP;
    if (!ip || ip === 'None') continue;
    const name = service.metadata?.name ?? '';
    if (service.metadata?.namespace === 'default' && name === 'kubernetes') {
      if (!chosen.has(name)) chosen.set(name, service);
    } else if (service.metadata?.namespace === namespace && enableServiceLinks) {
      chosen.set(name, service);
    }
  }
  const env: Record<string, string> = {};
  for (const [name, service] of chosen) {
    const prefix = envName(name);
    const ip = service.spec!.clusterIP!;
    const ports = service.spec?.ports ?? [];
    env[`${prefix}_SERVICE_HOST`] = ip;
    if (ports[0]) env[`${prefix}_SERVICE_PORT`] = String(ports[0].port);
    ports.forEach((port, index) => {
      if (port.name) env[`${prefix}_SERVICE_PORT_${envName(port.name)}`] = String(port.port);
      const protocol = (port.protocol ?? 'TCP').toLowerCase();
      const url = `${protocol}://${ip}:${port.port}`;
      if (index === 0) env[`${prefix}_PORT`] = url;
      const portPrefix = `${prefix}_PORT_${port.port}_${protocol.toUpperCase()}`;
      env[portPrefix] = url;
      env[`${portPrefix}_PROTO`] = protocol;
      env[`${portPrefix}_PORT`] = String(port.port);
      env[`${portPrefix}_ADDR`] = ip;
    });
  }
  return env;
}

export interface EnvContext {
  pod: V1Pod;
  container: V1Container;
  facts: PodRuntimeFacts;
  lookup: ObjectLookup;
  /** The image's ENV (lowest precedence). */
  imageEnv?: Record<string, string>;
  services: V1Service[];
}

/** The container's final environment; throws ContainerConfigError for a missing reference. */
export function containerEnv(ctx: EnvContext): Record<string, string> {
  const { pod, container, lookup } = ctx;
  const namespace = pod.metadata?.namespace ?? 'default';
  const env: Record<string, string> = { ...(ctx.imageEnv ?? {}) };
  // The kubelet's own additions: the Service variables, overridable by the container.
  const fromServices = serviceEnv(ctx.services, namespace, pod.spec?.enableServiceLinks ?? true);
  const defined: Record<string, string> = { ...fromServices };

  for (const source of container.envFrom ?? []) {
    const prefix = source.prefix ?? '';
    if (source.configMapRef) {
      const cm = lookup.configMap(namespace, source.configMapRef.name ?? '');
      if (!cm) {
        if (source.configMapRef.optional) continue;
        throw new ContainerConfigError(`configmap "${source.configMapRef.name}" not found`);
      }
      for (const [key, value] of Object.entries(cm.data ?? {})) if (validEnvName(prefix + key)) defined[prefix + key] = value;
    }
    if (source.secretRef) {
      const secret = lookup.secret(namespace, source.secretRef.name ?? '');
      if (!secret) {
        if (source.secretRef.optional) continue;
        throw new ContainerConfigError(`secret "${source.secretRef.name}" not found`);
      }
      for (const [key, value] of Object.entries(secret.data ?? {})) {
        if (validEnvName(prefix + key)) defined[prefix + key] = Buffer.from(value, 'base64').toString('utf8');
      }
    }
  }

  for (const variable of container.env ?? []) {
    const value = envValue(variable, ctx, namespace, defined);
    if (value !== undefined) defined[variable.name] = value;
  }
  return { ...env, ...defined };
}

function envValue(variable: V1EnvVar, ctx: EnvContext, namespace: string, defined: Record<string, string>): string | undefined {
  if (variable.value !== undefined) return expand(variable.value, (name) => defined[name]);
  const from = variable.valueFrom;
  if (!from) return '';
  if (from.fieldRef) return fieldValue(ctx.pod, from.fieldRef, ctx.facts);
  if (from.resourceFieldRef) return resourceValue(ctx.pod, from.resourceFieldRef, ctx.facts, ctx.container.name);
  if (from.configMapKeyRef) {
    const ref = from.configMapKeyRef;
    const cm = ctx.lookup.configMap(namespace, ref.name ?? '');
    const value = cm?.data?.[ref.key];
    if (value !== undefined) return value;
    if (ref.optional) return undefined;
    throw new ContainerConfigError(cm ? `couldn't find key ${ref.key} in ConfigMap ${namespace}/${ref.name}` : `configmap "${ref.name}" not found`);
  }
  if (from.secretKeyRef) {
    const ref = from.secretKeyRef;
    const secret = ctx.lookup.secret(namespace, ref.name ?? '');
    const value = secret?.data?.[ref.key];
    if (value !== undefined) return Buffer.from(value, 'base64').toString('utf8');
    if (ref.optional) return undefined;
    throw new ContainerConfigError(secret ? `couldn't find key ${ref.key} in Secret ${namespace}/${ref.name}` : `secret "${ref.name}" not found`);
  }
  return '';
}

function validEnvName(name: string): boolean {
  return /^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(name);
}

/** The container's command line with $(VAR) expanded from its environment. */
export function expandArgv(argv: string[], env: Record<string, string>): string[] {
  return argv.map((arg) => expand(arg, (name) => env[name]));
}
