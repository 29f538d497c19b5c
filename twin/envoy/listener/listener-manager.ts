// Listeners as Envoy's listener manager runs them: static ones from the bootstrap, dynamic ones
// from LDS (state of the world: a listener missing from a push is removed). A new or changed
// listener warms (its routes and secrets) before it serves; a changed listener on the same
// address keeps its socket and the old version keeps serving until the new one is warm. Until the
// server starts its workers nothing accepts connections. Each listener is applied or rejected on
// its own: "Error adding/updating listener(s) <name>: <reason>" is the NACK.
// Once the new version serves, the old one drains (source/common/listener_manager/
// listener_manager_impl.cc): an update of filter chains only drains the chains that changed
// (inPlaceFilterChainUpdate, drainFilterChains), any other update or a removal the whole old
// listener (drainListener, with --drain-strategy); connections of drained chains close at their
// next response and are closed when --drain-time-s is over.
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import { addressText, type Address } from '../address';
import type { JsonObject } from '../proto';
import { TYPE_URL, type XdsMux, type XdsUpdate } from '../xds';
import { handleConnection } from './connection';
import { ALWAYS_DRAIN, listenerDrainDecision, type DrainDecision } from './drain';
import { ListenerConfig, type ChainRuntime, type ListenerDeps } from './listener-config';

/** Test-only: where to bind a listener instead of its address (tests use 127.0.0.1:0). */
export type BindOverride = (listenerName: string, address: Address) => Address;

interface Slot {
  name: string;
  dynamic: boolean;
  active: ListenerConfig | null;
  activeVersion: string;
  activeUpdated: Date;
  warming: ListenerConfig | null;
  warmingVersion: string;
  error: { config: JsonObject; details: string; at: Date } | null;
  server: net.Server | null;
  boundAddress: Address | null;
  sockets: Set<net.Socket>;
  /** Previous versions whose drained chains still have connections (until the drain time ends). */
  draining: ListenerConfig[];
}

/** Listener fields other than its filter chains (ListenerMessageUtil::filterChainOnlyChange). */
function withoutFilterChains(config: JsonObject): string {
  const { filter_chains: _chains, default_filter_chain: _default, filter_chain_matcher: _matcher, ...rest } = config;
  return JSON.stringify(rest);
}

export class ListenerManager {
  private readonly slots = new Map<string, Slot>();
  private workersStarted = false;
  private ldsVersion = '';
  private readonly startedAt = new Date();
  private draining = false;
  /** Removed listeners whose last version still drains (their TLS contexts are alive until then). */
  private readonly removedSlots = new Set<Slot>();

  constructor(
    private readonly deps: ListenerDeps,
    private readonly drainTimeMs: number,
    private readonly bindOverride: BindOverride | null,
    private readonly drainStrategy = 'gradual',
  ) {}

  addStatic(configs: JsonObject[]): void {
    for (const config of configs) {
      const listener = new ListenerConfig(config, this.deps);
      this.slots.set(listener.name, this.newSlot(listener.name, false, listener));
    }
    this.deps.log.info('main', `loading ${configs.length} listener(s)`, 'source/server/configuration_impl.cc:176');
    this.gauges();
  }

  private newSlot(name: string, dynamic: boolean, warming: ListenerConfig | null): Slot {
    return { name, dynamic, active: null, activeVersion: '', activeUpdated: new Date(), warming, warmingVersion: '', error: null, server: null, boundAddress: null, sockets: new Set(), draining: [] };
  }

  /** Subscribes to LDS; resolves when the first update is in and its listeners are warm. */
  subscribe(ads: XdsMux | null, ldsConfig: JsonObject | null): Promise<void> {
    if (!ldsConfig) return Promise.resolve();
    if (!ldsConfig.ads || !ads) throw new Error('lds_config: only ADS is supported');
    let first: () => void;
    const firstUpdate = new Promise<void>((resolve) => (first = resolve));
    ads.watch(TYPE_URL.listener, true, {
      onUpdate: (update) => {
        this.onLds(update);
        first();
      },
      onStreamFailure: () => this.deps.stats.counter('listener_manager.lds.update_failure').inc(),
    });
    return firstUpdate.then(() => this.warmAll());
  }

  /** Every listener warming now, warm (what the server's init manager waits for). */
  async warmAll(): Promise<void> {
    await Promise.all([...this.slots.values()].map((slot) => (slot.warming ? Promise.all(slot.warming.initTargets.map((target) => target.done)) : null)));
  }

  private onLds(update: XdsUpdate): void {
    const { stats, log } = this.deps;
    stats.counter('listener_manager.lds.update_attempt').inc();
    const failures: string[] = [];
    for (const resource of update.resources) {
      const slot = this.slots.get(resource.name);
      if (slot && !slot.dynamic) {
        failures.push(`${resource.name}: error adding listener: '${resource.name}' has duplicate address or is a static listener`);
        continue;
      }
      const current = slot?.warming ?? slot?.active;
      if (current && JSON.stringify(current.config) === JSON.stringify(resource.resource)) continue;
      let listener: ListenerConfig;
      try {
        listener = new ListenerConfig(resource.resource, this.deps);
      } catch (error) {
        const details = (error as Error).message;
        failures.push(`${resource.name}: ${details}`);
        const target = slot ?? this.newSlot(resource.name, true, null);
        target.error = { config: resource.resource, details, at: new Date() };
        if (!slot) this.slots.set(resource.name, target);
        stats.counter('listener_manager.listener_create_failure').inc();
        continue;
      }
      const target = slot ?? this.newSlot(resource.name, true, null);
      if (!slot) this.slots.set(resource.name, target);
      target.error = null;
      target.warming?.close();
      target.warming = listener;
      target.warmingVersion = resource.version || update.versionInfo;
      stats.counter(slot?.active ? 'listener_manager.listener_modified' : 'listener_manager.listener_added').inc();
      log.info('config', `lds: add/update listener '${resource.name}'`, 'source/common/listener_manager/lds_api.cc:109');
      void this.warm(target, listener);
    }
    for (const name of update.removed) this.remove(name);
    this.ldsVersion = update.versionInfo;
    this.gauges();
    if (failures.length > 0) {
      stats.counter('listener_manager.lds.update_rejected').inc();
      throw new Error(`Error adding/updating listener(s) ${failures.join('\n')}`);
    }
    stats.counter('listener_manager.lds.update_success').inc();
  }

  private async warm(slot: Slot, listener: ListenerConfig): Promise<void> {
    await Promise.all(listener.initTargets.map((target) => target.done));
    if (slot.warming !== listener || !this.workersStarted) return; // superseded, or startWorkers() activates it
    await this.activate(slot);
  }

  /** What the server does once it is initialized: every warm listener starts accepting. */
  async startWorkers(): Promise<void> {
    this.workersStarted = true;
    this.deps.stats.gauge('listener_manager.workers_started').set(1);
    await Promise.all(
      [...this.slots.values()].map(async (slot) => {
        if (!slot.warming) return;
        const listener = slot.warming;
        if (listener.initTargets.every((target) => target.ready)) await this.activate(slot);
        else void this.warm(slot, listener);
      }),
    );
  }

  private async activate(slot: Slot): Promise<void> {
    const listener = slot.warming;
    if (!listener) return;
    const previous = slot.active;
    slot.active = listener;
    slot.warming = null;
    slot.activeVersion = slot.warmingVersion;
    slot.activeUpdated = new Date();
    const bind = this.bindOverride ? this.bindOverride(listener.name, listener.address) : listener.address;
    if (slot.server && slot.boundAddress && addressText(slot.boundAddress) !== addressText(bind)) {
      this.closeSocket(slot);
    }
    if (previous) this.drainPrevious(slot, previous, listener);
    this.gauges();
    if (!slot.server && !this.draining) await this.listen(slot, bind);
  }

  private drainPrevious(slot: Slot, previous: ListenerConfig, next: ListenerConfig): void {
    const inPlace = withoutFilterChains(previous.config) === withoutFilterChains(next.config);
    const kept = new Set(next.allChains().map((chain) => JSON.stringify(chain.config)));
    const drained = inPlace ? previous.allChains().filter((chain) => !kept.has(JSON.stringify(chain.config))) : previous.allChains();
    this.deps.log.debug('config', `draining ${drained.length} filter chains in listener ${slot.name}${inPlace ? ' (in place)' : ''}`);
    this.drainChains(slot, previous, drained, inPlace ? ALWAYS_DRAIN : listenerDrainDecision(this.drainStrategy, this.drainTimeMs));
  }

  /** Drains these chains of a listener version; when the drain time is over, closes their connections and the version. */
  private drainChains(slot: Slot, listener: ListenerConfig, chains: ChainRuntime[], decision: DrainDecision, extra: net.Socket[] = []): void {
    for (const chain of chains) chain.hcm?.drain(decision);
    slot.draining.push(listener);
    const gauge = this.deps.stats.gauge('listener_manager.total_filter_chains_draining');
    gauge.add(chains.length);
    setTimeout(() => {
      for (const chain of chains) chain.hcm?.closeConnections();
      for (const socket of extra) socket.destroy();
      listener.close();
      slot.draining = slot.draining.filter((entry) => entry !== listener);
      if (slot.draining.length === 0) this.removedSlots.delete(slot);
      gauge.sub(chains.length);
    }, this.drainTimeMs).unref();
  }

  private async listen(slot: Slot, address: Address): Promise<void> {
    const server = net.createServer({ pauseOnConnect: false }, (socket) => {
      slot.sockets.add(socket);
      socket.once('close', () => slot.sockets.delete(socket));
      const listener = slot.active;
      if (!listener) {
        socket.destroy();
        return;
      }
      void handleConnection(socket, listener, this.deps);
    });
    slot.server = server;
    slot.boundAddress = address;
    try {
      if (address.kind === 'pipe') {
        fs.rmSync(address.path, { force: true });
        server.listen(address.path);
      } else {
        server.listen({ host: address.host, port: address.port, exclusive: true });
      }
      await once(server, 'listening');
      if (address.kind === 'pipe' && address.mode !== null) fs.chmodSync(address.path, address.mode);
      this.deps.stats.counter('listener_manager.listener_create_success').inc();
    } catch (error) {
      slot.server = null;
      slot.boundAddress = null;
      this.deps.stats.counter('listener_manager.listener_create_failure').inc();
      this.deps.log.error(
        'config',
        `listener '${slot.name}' failed to bind or apply socket options: cannot bind '${addressText(address)}': ${(error as Error).message}`,
        'source/common/listener_manager/listener_manager_impl.cc:1142',
      );
    }
  }

  private closeSocket(slot: Slot): void {
    slot.server?.close();
    slot.server = null;
    slot.boundAddress = null;
  }

  private remove(name: string): void {
    const slot = this.slots.get(name);
    if (!slot || !slot.dynamic) return;
    this.slots.delete(name);
    this.closeSocket(slot);
    slot.warming?.close();
    const active = slot.active;
    slot.active = null;
    slot.warming = null;
    if (active || slot.draining.length > 0) this.removedSlots.add(slot);
    if (active) {
      this.drainChains(slot, active, active.allChains(), listenerDrainDecision(this.drainStrategy, this.drainTimeMs), [...slot.sockets]);
    }
    this.deps.stats.counter('listener_manager.listener_removed').inc();
    this.deps.log.info('config', `lds: remove listener '${name}'`, 'source/common/listener_manager/lds_api.cc:79');
  }

  private gauges(): void {
    const slots = [...this.slots.values()];
    this.deps.stats.gauge('listener_manager.total_listeners_active').set(slots.filter((slot) => slot.active).length);
    this.deps.stats.gauge('listener_manager.total_listeners_warming').set(slots.filter((slot) => slot.warming).length);
  }

  /** Where each serving listener is bound (for /listeners). */
  boundAddresses(): Array<{ name: string; address: Address }> {
    const out: Array<{ name: string; address: Address }> = [];
    for (const slot of this.slots.values()) {
      const bound = slot.server?.address();
      if (!slot.server || !slot.boundAddress || !bound) continue;
      out.push({ name: slot.name, address: typeof bound === 'string' ? { kind: 'pipe', path: bound, mode: null } : { kind: 'socket', host: bound.address, port: bound.port } });
    }
    return out;
  }

  /** Every listener version that holds TLS contexts: active, warming, draining (Envoy's /certs lists all contexts alive). */
  liveConfigs(): ListenerConfig[] {
    return [...this.slots.values(), ...this.removedSlots].flatMap((slot) => [...(slot.active ? [slot.active] : []), ...(slot.warming ? [slot.warming] : []), ...slot.draining]);
  }

  /** /drain_listeners: stop accepting (inbound only: listeners with traffic_direction INBOUND). */
  drainListeners(inboundOnly: boolean): void {
    for (const slot of this.slots.values()) {
      const direction = (slot.active ?? slot.warming)?.config.traffic_direction;
      if (inboundOnly && direction !== 'INBOUND') continue;
      slot.active?.drain(listenerDrainDecision(this.drainStrategy, this.drainTimeMs));
      this.closeSocket(slot);
    }
    if (!inboundOnly) this.draining = true;
  }

  dump(): JsonObject {
    const stamp = (date: Date) => date.toISOString();
    const staticListeners: JsonObject[] = [];
    const dynamicListeners: JsonObject[] = [];
    for (const slot of this.slots.values()) {
      const state = (listener: ListenerConfig, version: string, updated: Date): JsonObject => ({
        ...(slot.dynamic ? { version_info: version } : {}),
        listener: { '@type': TYPE_URL.listener, ...listener.config },
        last_updated: stamp(updated),
      });
      if (!slot.dynamic) {
        const listener = slot.active ?? slot.warming;
        if (listener) staticListeners.push(state(listener, '', this.startedAt));
        continue;
      }
      const entry: JsonObject = { name: slot.name };
      if (slot.active) entry.active_state = state(slot.active, slot.activeVersion, slot.activeUpdated);
      if (slot.warming) entry.warming_state = state(slot.warming, slot.warmingVersion, new Date());
      if (slot.error) {
        entry.error_state = {
          failed_configuration: { '@type': TYPE_URL.listener, ...slot.error.config },
          last_update_attempt: stamp(slot.error.at),
          details: slot.error.details,
        };
      }
      dynamicListeners.push(entry);
    }
    return { version_info: this.ldsVersion, static_listeners: staticListeners, dynamic_listeners: dynamicListeners };
  }

  async close(): Promise<void> {
    for (const slot of [...this.slots.values(), ...this.removedSlots]) {
      this.closeSocket(slot);
      for (const socket of slot.sockets) socket.destroy();
      slot.active?.close();
      slot.warming?.close();
      for (const listener of slot.draining) listener.close();
    }
    this.slots.clear();
    this.removedSlots.clear();
  }
}
