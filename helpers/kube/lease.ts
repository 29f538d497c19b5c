// A lock for two runs on one cluster: a coordination.k8s.io Lease naming its holder, renewed
// while the run lasts. A lease whose holder stopped renewing expires (leaseDurationSeconds after
// its renewTime, or after this process has seen it unchanged that long, whatever the clocks say),
// so a run that was killed does not block the next one for ever.
import os from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import type { KubeClient } from './connect';
import { hasReason } from './errors';
import { create, deleteObject, get, replace } from './objects';
import type { ObjectRef } from './types';

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface Lease {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string> };
  spec?: LeaseSpec;
}

export interface LeaseOptions {
  namespace: string;
  /** Default `istio-gateway-conformance-lock`. */
  name?: string;
  /** Who holds it, for the message another run gets; default host/pid/run id. */
  holder?: string;
  /** How long the lease lasts without a renewal, in seconds (default 60). */
  durationSeconds?: number;
  /** How long to wait for a held lease, in ms; 0 (the default) refuses at once. */
  waitBudgetMs?: number;
  /** Between two looks at a held lease, in ms (default 1000). */
  pollMs?: number;
}

export interface LeaseState {
  free: boolean;
  holder?: string;
  renewedAgoMs?: number;
  expiresInMs?: number;
}

/** MicroTime as the API server writes it: RFC 3339 with six fractional digits. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * Pure: whether `holder` may take the lease now. Free when nobody holds it, when `holder` does,
 * or when it expired: its renewTime plus its duration has passed, or this process has seen it
 * unchanged (`unchangedForMs`) for longer than its duration.
 */
export function leaseState(lease: Lease, holder: string, now: Date, unchangedForMs = 0): LeaseState {
  const spec = lease.spec ?? {};
  if (!spec.holderIdentity || spec.holderIdentity === holder) return { free: true, holder: spec.holderIdentity };
  const durationMs = (spec.leaseDurationSeconds ?? 0) * 1000;
  const renewed = Date.parse(spec.renewTime ?? spec.acquireTime ?? '');
  const renewedAgoMs = Number.isNaN(renewed) ? undefined : now.getTime() - renewed;
  const expiresInMs = Math.min(renewedAgoMs === undefined ? Infinity : durationMs - renewedAgoMs, durationMs - unchangedForMs);
  return { free: expiresInMs <= 0, holder: spec.holderIdentity, renewedAgoMs, expiresInMs };
}

/** The lease is held by another run; one line naming the holder and what to do. */
export class LeaseHeldError extends Error {
  override name = 'LeaseHeldError';
  constructor(
    readonly ref: ObjectRef,
    readonly state: LeaseState,
    waitedMs: number,
  ) {
    const seconds = (ms: number | undefined) => (ms === undefined ? '?' : `${Math.max(0, Math.round(ms / 1000))} s`);
    super(
      `another run holds the lock Lease ${ref.namespace}/${ref.name}: holder ${JSON.stringify(state.holder)}, ` +
        `renewed ${seconds(state.renewedAgoMs)} ago, expires in ${seconds(state.expiresInMs)} unless renewed; waited ${seconds(waitedMs)}. ` +
        `Wait for that run to finish, or delete the Lease if that run is gone`,
    );
  }
}

/** The holder lost the lease (it expired and another run took it). */
export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
}

export interface LeaseLock {
  readonly ref: ObjectRef;
  readonly holder: string;
  /** Extends the lease; LeaseLostError if another holder has it now. */
  renew(): Promise<void>;
  /** Deletes the lease if this holder still has it. */
  release(): Promise<void>;
  /** Renews every third of the duration until stopped; a failed renewal stops and calls onLost. */
  keepRenewing(onLost?: (error: unknown) => void): () => void;
}

/** Takes the lock, waiting up to waitBudgetMs for another holder; LeaseHeldError when it cannot. */
export async function acquireLease(kube: KubeClient, options: LeaseOptions): Promise<LeaseLock> {
  const ref: ObjectRef = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: options.namespace, name: options.name ?? 'istio-gateway-conformance-lock' };
  const holder = options.holder ?? `${os.hostname()}/${process.pid}/${kube.runId}`;
  const durationSeconds = options.durationSeconds ?? 60;
  const budget = options.waitBudgetMs ?? 0;
  const pollMs = options.pollMs ?? 1_000;
  const started = Date.now();
  let seen: { version?: string; at: number } | undefined;

  for (;;) {
    const lease = await get<Lease>(kube, ref);
    const now = new Date();
    if (!lease) {
      const fresh: Lease = {
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        metadata: { name: ref.name, namespace: ref.namespace },
        spec: { holderIdentity: holder, leaseDurationSeconds: durationSeconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 },
      };
      try {
        await create(kube, fresh);
        return lock(kube, ref, holder, durationSeconds);
      } catch (error) {
        if (hasReason(error, 'AlreadyExists')) continue; // another run was faster: look again
        throw error;
      }
    }
    const version = lease.metadata.resourceVersion;
    const firstSeen: number = seen !== undefined && seen.version === version ? seen.at : Date.now();
    seen = { version, at: firstSeen };
    const state = leaseState(lease, holder, now, Date.now() - firstSeen);
    if (state.free) {
      const spec = lease.spec ?? {};
      const taken: Lease = {
        ...lease,
        spec: {
          ...spec,
          holderIdentity: holder,
          leaseDurationSeconds: durationSeconds,
          acquireTime: spec.holderIdentity === holder ? spec.acquireTime : microTime(now),
          renewTime: microTime(now),
          leaseTransitions: (spec.leaseTransitions ?? 0) + (spec.holderIdentity && spec.holderIdentity !== holder ? 1 : 0),
        },
      };
      try {
        await replace(kube, taken);
        return lock(kube, ref, holder, durationSeconds);
      } catch (error) {
        if (hasReason(error, 'Conflict', 'NotFound')) continue; // changed meanwhile: look again
        throw error;
      }
    }
    const waited = Date.now() - started;
    if (waited + pollMs > budget) throw new LeaseHeldError(ref, state, waited);
    await delay(pollMs);
  }
}

function lock(kube: KubeClient, ref: ObjectRef, holder: string, durationSeconds: number): LeaseLock {
  const renew = async (): Promise<void> => {
    const current = await get<Lease>(kube, ref);
    if (current?.spec?.holderIdentity !== holder) {
      throw new LeaseLostError(`lost the lock Lease ${ref.namespace}/${ref.name}: it is now held by ${JSON.stringify(current?.spec?.holderIdentity ?? 'nobody')}`);
    }
    await replace(kube, { ...current, spec: { ...current.spec, renewTime: microTime(new Date()) } });
  };
  return {
    ref,
    holder,
    renew,
    async release() {
      const current = await get<Lease>(kube, ref);
      if (current?.spec?.holderIdentity !== holder) return; // gone, or someone else's by now
      await deleteObject(kube, ref);
    },
    keepRenewing(onLost) {
      const timer = setInterval(() => {
        renew().catch((error: unknown) => {
          clearInterval(timer);
          onLost?.(error);
        });
      }, (durationSeconds * 1000) / 3);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
