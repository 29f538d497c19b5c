// For the stand-in's own tests: the two gRPC servers pilot-agent gives Envoy, on Unix sockets. ADS
// (SotW and Delta, as istiod behind pilot-agent's proxy answers) serves the resources a test sets;
// SDS (SotW, as pilot-agent's file SDS) serves named secrets, and for a name it cannot serve ends
// the stream with pilot-agent's error. Every request is recorded, so tests can see ACKs and NACKs.
import * as grpc from '@grpc/grpc-js';
import path from 'node:path';
import type { JsonObject } from '../proto';
import { discoveryServiceDefinition, resourceName, TYPE_URL } from '../xds';

export interface RecordedRequest {
  method: string;
  request: JsonObject;
  at: number;
}

type Stream = grpc.ServerDuplexStream<JsonObject, JsonObject>;

interface SotwSubscription {
  names: Set<string> | null;
  lastNonce: string;
}

interface DeltaSubscription {
  names: Set<string> | null;
  sent: Map<string, string>;
}

interface StreamState {
  stream: Stream;
  delta: boolean;
  sotw: Map<string, SotwSubscription>;
  deltaSubs: Map<string, DeltaSubscription>;
}

const WILDCARD_TYPES = new Set<string>([TYPE_URL.listener, TYPE_URL.cluster]);

export class FakeControlPlane {
  readonly requests: RecordedRequest[] = [];
  private readonly resources = new Map<string, Map<string, JsonObject>>();
  private readonly versions = new Map<string, number>();
  private readonly streams = new Set<StreamState>();
  private readonly secrets = new Map<string, JsonObject | string | null>();
  private readonly sdsStreams = new Set<{ stream: Stream; names: Set<string> }>();
  private nonce = 0;
  private withheld = false;

  private constructor(
    private readonly server: grpc.Server,
    readonly xdsPath: string,
    readonly sdsPath: string,
  ) {}

  /** Listens on <dir>/XDS (ADS) and <dir>/sds (SDS). */
  static async start(dir: string): Promise<FakeControlPlane> {
    const server = new grpc.Server();
    const plane = new FakeControlPlane(server, path.join(dir, 'XDS'), path.join(dir, 'sds'));
    server.addService(discoveryServiceDefinition('ads'), {
      StreamAggregatedResources: (stream: Stream) => plane.serveAds(stream, false),
      DeltaAggregatedResources: (stream: Stream) => plane.serveAds(stream, true),
    });
    server.addService(discoveryServiceDefinition('sds'), {
      StreamSecrets: (stream: Stream) => plane.serveSds(stream),
      DeltaSecrets: (stream: Stream) => stream.emit('error', { code: grpc.status.UNIMPLEMENTED, details: 'DeltaSecrets not implemented' }),
    });
    for (const socket of [plane.xdsPath, plane.sdsPath]) {
      await new Promise<void>((resolve, reject) =>
        server.bindAsync(`unix:${socket}`, grpc.ServerCredentials.createInsecure(), (error) => (error ? reject(error) : resolve())),
      );
    }
    return plane;
  }

  async close(): Promise<void> {
    for (const state of this.streams) state.stream.end();
    for (const { stream } of this.sdsStreams) stream.end();
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
    this.server.forceShutdown();
  }

  /** Sets the whole state of a type (as istiod's next push) and pushes it to subscribers. */
  setResources(typeUrl: string, resources: JsonObject[]): void {
    const next = new Map(resources.map((resource) => [resourceName(typeUrl, resource), { '@type': typeUrl, ...resource }]));
    this.resources.set(typeUrl, next);
    this.versions.set(typeUrl, (this.versions.get(typeUrl) ?? 0) + 1);
    if (!this.withheld) for (const state of this.streams) this.push(state, typeUrl);
  }

  /** Holds pushes back (and releases them): a control plane that is slow or stuck. */
  withhold(withheld: boolean): void {
    this.withheld = withheld;
    if (!withheld) for (const state of this.streams) for (const typeUrl of this.resources.keys()) this.push(state, typeUrl);
  }

  /** An SDS secret as pilot-agent serves it, the error text it fails with, or null: no answer yet (the agent still retrying). */
  setSecret(name: string, secret: JsonObject | string | null): void {
    this.secrets.set(name, secret);
    if (secret === null) return;
    for (const sds of [...this.sdsStreams]) if (sds.names.has(name)) this.answerSds(sds, [name]);
  }

  /** Requests with error_detail: the NACKs. */
  nacks(typeUrl?: string): RecordedRequest[] {
    return this.requests.filter((entry) => entry.request.error_detail && (!typeUrl || entry.request.type_url === typeUrl));
  }

  private version(typeUrl: string): string {
    return `v${this.versions.get(typeUrl) ?? 0}`;
  }

  private nextNonce(): string {
    this.nonce++;
    return `nonce-${this.nonce}`;
  }

  private serveAds(stream: Stream, delta: boolean): void {
    const state: StreamState = { stream, delta, sotw: new Map(), deltaSubs: new Map() };
    this.streams.add(state);
    const method = delta ? 'DeltaAggregatedResources' : 'StreamAggregatedResources';
    stream.on('data', (request: JsonObject) => {
      this.requests.push({ method, request, at: Date.now() });
      if (delta) this.onDeltaRequest(state, request);
      else this.onSotwRequest(state, request);
    });
    const done = () => this.streams.delete(state);
    stream.on('end', () => {
      done();
      stream.end();
    });
    stream.on('error', done);
    stream.on('cancelled', done);
  }

  private onSotwRequest(state: StreamState, request: JsonObject): void {
    const typeUrl = String(request.type_url ?? '');
    const names = ((request.resource_names as string[] | undefined) ?? []).map(String);
    const previous = state.sotw.get(typeUrl);
    const wildcard = WILDCARD_TYPES.has(typeUrl) && names.length === 0;
    const subscription: SotwSubscription = { names: wildcard ? null : new Set(names), lastNonce: previous?.lastNonce ?? '' };
    state.sotw.set(typeUrl, subscription);
    const isAck = typeof request.response_nonce === 'string' && request.response_nonce !== '' && request.response_nonce === previous?.lastNonce;
    const namesChanged = !previous || JSON.stringify([...(previous.names ?? [])].sort()) !== JSON.stringify([...(subscription.names ?? [])].sort());
    if (!isAck || namesChanged) this.push(state, typeUrl);
  }

  private onDeltaRequest(state: StreamState, request: JsonObject): void {
    const typeUrl = String(request.type_url ?? '');
    let subscription = state.deltaSubs.get(typeUrl);
    const subscribe = ((request.resource_names_subscribe as string[] | undefined) ?? []).map(String);
    const unsubscribe = ((request.resource_names_unsubscribe as string[] | undefined) ?? []).map(String);
    if (!subscription) {
      const wildcard = WILDCARD_TYPES.has(typeUrl) && (subscribe.length === 0 || subscribe.includes('*'));
      const initial = (request.initial_resource_versions as Record<string, string> | undefined) ?? {};
      subscription = { names: wildcard ? null : new Set(), sent: new Map(Object.entries(initial)) };
      state.deltaSubs.set(typeUrl, subscription);
    }
    for (const name of subscribe) if (name !== '*') subscription.names?.add(name);
    for (const name of unsubscribe) {
      subscription.names?.delete(name);
      subscription.sent.delete(name);
    }
    if (subscribe.length > 0 || !request.response_nonce) this.push(state, typeUrl);
  }

  private push(state: StreamState, typeUrl: string): void {
    if (this.withheld) return;
    const all = this.resources.get(typeUrl) ?? new Map<string, JsonObject>();
    if (state.delta) {
      const subscription = state.deltaSubs.get(typeUrl);
      if (!subscription) return;
      const wanted = [...all.entries()].filter(([name]) => subscription.names === null || subscription.names.has(name));
      const version = this.version(typeUrl);
      const changed = wanted.filter(([name, resource]) => subscription.sent.get(name) !== `${version}:${JSON.stringify(resource).length}` || !subscription.sent.has(name));
      const removed = [...subscription.sent.keys()].filter((name) => !all.has(name) && (subscription.names === null || subscription.names.has(name)));
      if (changed.length === 0 && removed.length === 0 && subscription.sent.size > 0) return;
      for (const [name, resource] of changed) subscription.sent.set(name, `${version}:${JSON.stringify(resource).length}`);
      for (const name of removed) subscription.sent.delete(name);
      state.stream.write({
        type_url: typeUrl,
        system_version_info: version,
        nonce: this.nextNonce(),
        resources: changed.map(([name, resource]) => ({ name, version, resource })),
        removed_resources: removed,
      });
      return;
    }
    const subscription = state.sotw.get(typeUrl);
    if (!subscription) return;
    const resources = [...all.entries()].filter(([name]) => subscription.names === null || subscription.names.has(name)).map(([, resource]) => resource);
    if (subscription.names !== null && resources.length === 0) return;
    subscription.lastNonce = this.nextNonce();
    state.stream.write({ version_info: this.version(typeUrl), resources, type_url: typeUrl, nonce: subscription.lastNonce });
  }

  private serveSds(stream: Stream): void {
    const sds = { stream, names: new Set<string>() };
    this.sdsStreams.add(sds);
    stream.on('data', (request: JsonObject) => {
      this.requests.push({ method: 'StreamSecrets', request, at: Date.now() });
      const names = ((request.resource_names as string[] | undefined) ?? []).map(String);
      const added = names.filter((name) => !sds.names.has(name));
      sds.names = new Set(names);
      if (added.length > 0) this.answerSds(sds, added);
    });
    const done = () => this.sdsStreams.delete(sds);
    stream.on('end', () => {
      done();
      stream.end();
    });
    stream.on('error', done);
    stream.on('cancelled', done);
  }

  private answerSds(sds: { stream: Stream; names: Set<string> }, names: string[]): void {
    const resources: JsonObject[] = [];
    for (const name of names) {
      const held = this.secrets.get(name);
      if (held === null) return;
      const secret = held ?? `failed to generate secret for proxy from file: open ${name}: no such file or directory`;
      if (typeof secret === 'string') {
        // pilot-agent ends the stream: "failed to generate secret for <name>: <reason>".
        this.sdsStreams.delete(sds);
        sds.stream.emit('error', { code: grpc.status.UNKNOWN, details: `failed to generate secret for ${name}: ${secret}` });
        return;
      }
      resources.push({ '@type': TYPE_URL.secret, name, ...secret });
    }
    sds.stream.write({ version_info: new Date().toISOString(), resources, type_url: TYPE_URL.secret, nonce: this.nextNonce() });
  }
}
