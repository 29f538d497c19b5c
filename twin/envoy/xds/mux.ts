// One xDS gRPC stream as Envoy's GrpcMux runs it (SotW or Delta): subscriptions per type URL in the
// order they are made, the node on the first request, ACK with version and nonce, NACK with
// error_detail and the "gRPC config for <type> rejected: ..." warning, reconnection with jittered
// backoff (500 ms doubling to 30 s) that re-sends every subscription.
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../log';
import type { JsonObject } from '../proto';
import { TYPE_URL, jsonCodec, resourceName, unwrapSotwResource, xdsMethod, type XdsMethodName } from './protocol';

export interface XdsResource {
  name: string;
  version: string;
  resource: JsonObject;
}

export interface XdsUpdate {
  resources: XdsResource[];
  removed: string[];
  /** SotW version_info, or Delta system_version_info. */
  versionInfo: string;
}

export interface WatchCallbacks {
  /** Applies an update; throwing rejects it (a NACK carrying the message). */
  onUpdate(update: XdsUpdate): void;
  /** The stream failed (or could not start); the mux retries on its own. */
  onStreamFailure?(reason: string): void;
}

/** A type's subscription: wildcard (LDS, CDS) or the names it currently wants. */
export interface TypeWatch {
  setNames(names: Iterable<string>): void;
  cancel(): void;
}

interface WatchState {
  typeUrl: string;
  wildcard: boolean;
  names: Set<string>;
  callbacks: WatchCallbacks;
  /** SotW: the last accepted version_info. */
  versionInfo: string;
  nonce: string;
  /** Delta: accepted resource versions (initial_resource_versions on reconnect). */
  versions: Map<string, string>;
  /** SotW LDS/CDS: names in the last accepted state of the world. */
  known: Set<string>;
}

export interface MuxOptions {
  method: XdsMethodName;
  /** Where the stream goes: `unix:<path>` or `host:port`. */
  target: string;
  /** The bootstrap cluster name, for logs and :authority. */
  clusterName: string;
  node: JsonObject;
  setNodeOnFirstMessageOnly: boolean;
  log: Logger;
  /** Sees each response before it is applied (twin/faults/xds-tap.ts: the stream's fault boundary). */
  tap?: (response: JsonObject, deliver: (response: JsonObject) => void) => void;
}

const STATE_OF_THE_WORLD_REMOVES = new Set<string>([TYPE_URL.listener, TYPE_URL.cluster]);
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 30_000;
/** Envoy's error_detail code for a rejected update: grpc INTERNAL. */
const NACK_CODE = 13;

export class XdsMux {
  private readonly watches = new Map<string, WatchState>();
  private readonly client: grpc.Client;
  private readonly method;
  private readonly codec;
  private call: grpc.ClientDuplexStream<JsonObject, JsonObject> | null = null;
  private nodeSent = false;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private started = false;

  constructor(private readonly options: MuxOptions) {
    this.method = xdsMethod(options.method);
    this.codec = { request: jsonCodec(this.method.requestType), response: jsonCodec(this.method.responseType) };
    this.client = new grpc.Client(options.target, grpc.credentials.createInsecure(), {
      'grpc.default_authority': options.clusterName,
      'grpc.max_receive_message_length': -1,
      'grpc.max_send_message_length': -1,
    });
  }

  get delta(): boolean {
    return this.method.delta;
  }

  watch(typeUrl: string, wildcard: boolean, callbacks: WatchCallbacks): TypeWatch {
    if (this.watches.has(typeUrl)) throw new Error(`${typeUrl} is already watched on this stream`);
    const state: WatchState = { typeUrl, wildcard, names: new Set(), callbacks, versionInfo: '', nonce: '', versions: new Map(), known: new Set() };
    this.watches.set(typeUrl, state);
    if (wildcard) this.sendInitial(state);
    return {
      setNames: (names) => this.setNames(state, new Set(names)),
      cancel: () => {
        this.setNames(state, new Set());
        this.watches.delete(typeUrl);
      },
    };
  }

  /** Opens the stream (and keeps it open until stop()). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.call?.cancel();
    this.call = null;
    this.client.close();
  }

  private setNames(state: WatchState, names: Set<string>): void {
    if (state.wildcard) return;
    const added = [...names].filter((name) => !state.names.has(name));
    const removed = [...state.names].filter((name) => !names.has(name));
    if (added.length === 0 && removed.length === 0) return;
    state.names = names;
    for (const name of removed) state.versions.delete(name);
    if (!this.call) return; // sent on (re)connect
    if (this.delta) {
      this.send({ type_url: state.typeUrl, resource_names_subscribe: added, resource_names_unsubscribe: removed });
    } else {
      this.send(this.sotwRequest(state));
    }
  }

  private sendInitial(state: WatchState): void {
    if (!this.call) return;
    if (this.delta) {
      const initialVersions = Object.fromEntries(state.versions);
      this.send({
        type_url: state.typeUrl,
        resource_names_subscribe: state.wildcard ? [] : [...state.names],
        ...(state.versions.size > 0 ? { initial_resource_versions: initialVersions } : {}),
      });
    } else {
      this.send(this.sotwRequest(state));
    }
  }

  private sotwRequest(state: WatchState, errorDetail?: string): JsonObject {
    return {
      version_info: state.versionInfo,
      resource_names: state.wildcard ? [] : [...state.names],
      type_url: state.typeUrl,
      response_nonce: state.nonce,
      ...(errorDetail === undefined ? {} : { error_detail: { code: NACK_CODE, message: errorDetail } }),
    };
  }

  private send(request: JsonObject): void {
    if (!this.call) return;
    const withNode = !this.nodeSent || !this.options.setNodeOnFirstMessageOnly ? { node: this.options.node, ...request } : request;
    this.nodeSent = true;
    this.options.log.trace('config', `${this.method.name}: sending request for ${String(request.type_url)}`);
    this.call.write(withNode);
  }

  private connect(): void {
    if (this.stopped) return;
    const call = this.client.makeBidiStreamRequest(this.method.path, this.codec.request.serialize, this.codec.response.deserialize, new grpc.Metadata());
    this.call = call;
    this.nodeSent = false;
    for (const state of this.watches.values()) {
      state.nonce = '';
      if (state.wildcard || state.names.size > 0) this.sendInitial(state);
    }
    call.on('data', (response: JsonObject) => {
      this.attempt = 0;
      if (!this.options.tap) return this.onResponse(response);
      this.options.tap(response, (delivered) => {
        if (this.call === call) this.onResponse(delivered); // a response delayed past its stream is dropped
      });
    });
    let closed = false;
    const onClosed = (code: number, details: string) => {
      if (closed || this.call !== call) return;
      closed = true;
      this.call = null;
      if (this.stopped) return;
      const reason = `${code}, ${details}`;
      this.options.log.warn(
        'config',
        `${this.method.name} gRPC config stream to ${this.options.clusterName} closed: ${reason}`,
        'source/extensions/config_subscription/grpc/grpc_stream.h:193',
      );
      for (const state of this.watches.values()) state.callbacks.onStreamFailure?.(reason);
      this.scheduleRetry();
    };
    call.on('error', (error: grpc.ServiceError) => onClosed(error.code ?? grpc.status.UNKNOWN, error.details ?? error.message));
    call.on('status', (status: grpc.StatusObject) => onClosed(status.code, status.details));
  }

  private scheduleRetry(): void {
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** this.attempt);
    this.attempt++;
    const delay = Math.max(50, Math.random() * ceiling);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
    this.retryTimer.unref?.();
  }

  private onResponse(response: JsonObject): void {
    const typeUrl = String(response.type_url ?? '');
    const state = this.watches.get(typeUrl);
    const nonce = String(response.nonce ?? '');
    if (!state) {
      this.options.log.warn('config', `Ignoring the message for type URL ${typeUrl} as it has no current subscribers.`);
      return;
    }
    state.nonce = nonce;
    let update: XdsUpdate;
    try {
      update = this.delta ? this.readDelta(state, response) : this.readSotw(state, response);
      state.callbacks.onUpdate(update);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.options.log.warn(
        'config',
        `gRPC config for ${typeUrl} rejected: ${message}`,
        this.delta ? 'source/extensions/config_subscription/grpc/new_grpc_mux_impl.cc:224' : 'source/extensions/config_subscription/grpc/grpc_mux_impl.cc:372',
      );
      if (this.delta) this.send({ type_url: typeUrl, response_nonce: nonce, error_detail: { code: NACK_CODE, message } });
      else this.send(this.sotwRequest(state, message));
      return;
    }
    if (this.delta) {
      for (const resource of update.resources) state.versions.set(resource.name, resource.version);
      for (const name of update.removed) state.versions.delete(name);
      this.send({ type_url: typeUrl, response_nonce: nonce });
    } else {
      state.versionInfo = update.versionInfo;
      if (STATE_OF_THE_WORLD_REMOVES.has(typeUrl)) state.known = new Set(update.resources.map((resource) => resource.name));
      this.send(this.sotwRequest(state));
    }
  }

  private readSotw(state: WatchState, response: JsonObject): XdsUpdate {
    const versionInfo = String(response.version_info ?? '');
    const resources = ((response.resources as JsonObject[] | undefined) ?? []).map((raw) => {
      const resource = unwrapSotwResource(raw);
      checkType(state.typeUrl, resource);
      return { name: resourceName(state.typeUrl, resource), version: versionInfo, resource };
    });
    const seen = new Set(resources.map((resource) => resource.name));
    if (seen.size !== resources.length) throw new Error(`duplicate resource name in ${state.typeUrl} response`);
    const removed = STATE_OF_THE_WORLD_REMOVES.has(state.typeUrl) ? [...state.known].filter((name) => !seen.has(name)) : [];
    return { resources, removed, versionInfo };
  }

  private readDelta(state: WatchState, response: JsonObject): XdsUpdate {
    const resources = ((response.resources as JsonObject[] | undefined) ?? []).map((entry) => {
      const resource = (entry.resource as JsonObject | undefined) ?? {};
      checkType(state.typeUrl, resource);
      const name = typeof entry.name === 'string' && entry.name !== '' ? entry.name : resourceName(state.typeUrl, resource);
      return { name, version: String(entry.version ?? ''), resource };
    });
    const removed = ((response.removed_resources as string[] | undefined) ?? []).map(String);
    return { resources, removed, versionInfo: String(response.system_version_info ?? '') };
  }
}

function checkType(typeUrl: string, resource: JsonObject): void {
  if (resource['@type'] !== typeUrl) throw new Error(`type URL ${String(resource['@type'])} embedded in an individual Any does not match the message-wide type URL ${typeUrl} in DiscoveryResponse`);
}
