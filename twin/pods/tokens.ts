// Service-account tokens for projected volumes, as the kubelet's token manager gets them: a
// TokenRequest bound to the pod, with the projection's audience and expiry, cached per
// (audience, expiry) and renewed when 80% of its lifetime has passed (or after 24 h), after
// which the volume is rewritten. Tokens are never logged.
import type { CoreV1Api, V1Pod, V1ServiceAccountTokenProjection } from '@kubernetes/client-node';

interface Held {
  token: string;
  renewAt: number;
  timer?: NodeJS.Timeout;
}

export function tokenKey(projection: V1ServiceAccountTokenProjection): string {
  return `${projection.audience ?? ''}|${projection.expirationSeconds ?? 3600}`;
}

/** When to renew a token issued at `issued` that expires at `expires` (ms since epoch). */
export function renewalTime(issued: number, expires: number): number {
  return issued + Math.min(0.8 * (expires - issued), 24 * 3600 * 1000);
}

export class PodTokens {
  private readonly held = new Map<string, Held>();
  private stopped = false;

  constructor(
    private readonly core: CoreV1Api,
    private readonly pod: V1Pod,
    /** Called after a token was renewed: the volumes holding it are rewritten. */
    private readonly onRenewed: () => void,
    private readonly log: (line: string) => void,
  ) {}

  /** The current token for a projection, if one was fetched. */
  get(projection: V1ServiceAccountTokenProjection): string | undefined {
    return this.held.get(tokenKey(projection))?.token;
  }

  /** Fetches every token the projections need and does not hold yet. */
  async ensure(projections: V1ServiceAccountTokenProjection[]): Promise<void> {
    await Promise.all(projections.filter((p) => !this.held.has(tokenKey(p))).map((p) => this.fetch(p)));
  }

  stop(): void {
    this.stopped = true;
    for (const held of this.held.values()) clearTimeout(held.timer);
  }

  private async fetch(projection: V1ServiceAccountTokenProjection): Promise<void> {
    const meta = this.pod.metadata!;
    const serviceAccount = this.pod.spec?.serviceAccountName || 'default';
    const issued = Date.now();
    const answer = await this.core.createNamespacedServiceAccountToken({
      name: serviceAccount,
      namespace: meta.namespace!,
      body: {
        spec: {
          ...(projection.audience ? { audiences: [projection.audience] } : { audiences: [] }),
          expirationSeconds: projection.expirationSeconds ?? 3600,
          boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: meta.name, uid: meta.uid },
        },
      },
    });
    const token = answer.status?.token;
    if (!token || this.stopped) return;
    const expires = answer.status?.expirationTimestamp ? new Date(answer.status.expirationTimestamp).getTime() : issued + 3600_000;
    const key = tokenKey(projection);
    clearTimeout(this.held.get(key)?.timer);
    const renewAt = renewalTime(issued, expires);
    const held: Held = { token, renewAt };
    held.timer = setTimeout(() => {
      this.fetch(projection).then(
        () => this.onRenewed(),
        (error: unknown) => {
          this.log(`renewing a token for ${meta.namespace}/${meta.name} failed: ${String(error)}`);
          // Try again in a minute; the old token stays in place meanwhile.
          if (!this.stopped) held.timer = setTimeout(() => void this.fetch(projection).then(() => this.onRenewed(), () => undefined), 60_000).unref();
        },
      );
    }, Math.max(1_000, renewAt - Date.now()));
    held.timer.unref();
    this.held.set(key, held);
  }
}

/** The serviceAccountToken projections among a pod's volumes. */
export function tokenProjections(pod: V1Pod): V1ServiceAccountTokenProjection[] {
  return (pod.spec?.volumes ?? []).flatMap((v) => (v.projected?.sources ?? []).flatMap((s) => (s.serviceAccountToken ? [s.serviceAccountToken] : [])));
}
