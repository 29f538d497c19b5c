// Secrets as Envoy's secret manager keeps them: static ones from the bootstrap, dynamic ones from
// SDS, one provider per name and config source, shared by every TLS context that names it. A
// provider is warming until its first secret arrives; its init target is ready then, or when the
// initial fetch times out (Envoy lets the listener start, and the filter chain then resets
// connections). A failed stream is retried and does not end the wait. An update that does not load is rejected (NACK) and the last good
// secret stays. SDS removals are ignored, as Envoy does.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { armInitialFetchTimeout, InitTarget } from '../init';
import type { Logger } from '../log';
import type { JsonObject } from '../proto';
import type { StatsStore } from '../stats';
import { splitPemCertificates } from '../tls/peer-verify';
import { TYPE_URL, type ConfigSources, type TypeWatch, type XdsMux, type XdsUpdate } from '../xds';
import { readDataSource, type DataSourceContent } from './data-source';

export interface TlsCertificateSecret {
  kind: 'tls_certificate';
  chainPem: string;
  keyPem: string;
  chain: X509Certificate[];
  path: string;
}

export interface ValidationContextSecret {
  kind: 'validation_context';
  /** The CertificateValidationContext (trusted_ca resolved below, the rest as sent). */
  context: JsonObject;
  trustedCaPem: string;
  trustedCas: X509Certificate[];
  path: string;
}

export type LoadedSecret = TlsCertificateSecret | ValidationContextSecret | { kind: 'other' };

export class SecretLoadError extends Error {
  override name = 'SecretLoadError';
}

/** Loads a Secret (proto3 JSON) the way a TLS context would use it; throws with Envoy's wording. */
export function loadSecret(secret: JsonObject): LoadedSecret {
  const certificate = secret.tls_certificate as JsonObject | undefined;
  if (certificate) return loadTlsCertificate(certificate);
  const validation = secret.validation_context as JsonObject | undefined;
  if (validation) return loadValidationContext(validation);
  return { kind: 'other' };
}

export function loadTlsCertificate(certificate: JsonObject): TlsCertificateSecret {
  let chainSource: DataSourceContent | null;
  let keySource: DataSourceContent | null;
  try {
    chainSource = readDataSource(certificate.certificate_chain as JsonObject | undefined);
  } catch (error) {
    throw new SecretLoadError(`Failed to load certificate chain: ${(error as Error).message}`);
  }
  const chainPath = chainSource?.path ?? '<inline>';
  const chainPem = chainSource?.data.toString('utf8') ?? '';
  const pems = splitPemCertificates(chainPem);
  let chain: X509Certificate[];
  try {
    chain = pems.map((pem) => new X509Certificate(pem));
  } catch {
    chain = [];
  }
  if (chain.length === 0) throw new SecretLoadError(`Failed to load certificate chain from ${chainPath}`);
  try {
    keySource = readDataSource(certificate.private_key as JsonObject | undefined);
  } catch (error) {
    throw new SecretLoadError(`Failed to load private key: ${(error as Error).message}`);
  }
  const keyPath = keySource?.path ?? '<inline>';
  let key;
  try {
    key = createPrivateKey(keySource?.data ?? Buffer.alloc(0));
  } catch {
    throw new SecretLoadError(`Failed to load private key from ${keyPath}, Cause: error:0900006e:PEM routines:OPENSSL_internal:NO_START_LINE`);
  }
  if (!chain[0]!.checkPrivateKey(key)) {
    throw new SecretLoadError(`Failed to load private key from ${keyPath}, Cause: error:0b000074:X.509 certificate routines:OPENSSL_internal:KEY_VALUES_MISMATCH`);
  }
  return { kind: 'tls_certificate', chainPem, keyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(), chain, path: chainPath };
}

export function loadValidationContext(context: JsonObject): ValidationContextSecret {
  let source: DataSourceContent | null;
  try {
    source = readDataSource(context.trusted_ca as JsonObject | undefined);
  } catch (error) {
    throw new SecretLoadError(`Failed to load trusted CA certificates: ${(error as Error).message}`);
  }
  const path = source?.path ?? '<inline>';
  const trustedCaPem = source?.data.toString('utf8') ?? '';
  let trustedCas: X509Certificate[] = [];
  try {
    trustedCas = splitPemCertificates(trustedCaPem).map((pem) => new X509Certificate(pem));
  } catch {
    trustedCas = [];
  }
  if (source && trustedCas.length === 0) throw new SecretLoadError(`Failed to load trusted CA certificates from ${path}`);
  return { kind: 'validation_context', context, trustedCaPem, trustedCas, path };
}

/** One named secret from one source. */
export class SecretProvider {
  secret: JsonObject | null = null;
  loaded: LoadedSecret | null = null;
  versionInfo = '';
  lastUpdated: Date | null = null;
  readonly init: InitTarget;
  private readonly listeners = new Set<() => void>();
  users = 0;
  /** Stops the provider's own stream, if it has one. */
  close: () => void = () => undefined;

  constructor(
    readonly name: string,
    readonly key: string,
    readonly dynamic: boolean,
    readonly viaAds = false,
  ) {
    this.init = new InitTarget(`SdsApi ${name}`);
  }

  get ready(): boolean {
    return this.loaded !== null;
  }

  /** Calls back after each accepted update; returns the unsubscribe function. */
  onUpdate(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  apply(secret: JsonObject, versionInfo: string): void {
    const loaded = loadSecret(secret);
    const previous = { secret: this.secret, loaded: this.loaded };
    this.secret = secret;
    this.loaded = loaded;
    this.versionInfo = versionInfo;
    this.lastUpdated = new Date();
    try {
      for (const listener of this.listeners) listener();
    } catch (error) {
      // A TLS context could not take it: keep the last good secret, and reject the update.
      this.secret = previous.secret;
      this.loaded = previous.loaded;
      throw error;
    }
    this.init.markReady();
  }
}

export interface SecretsDump {
  static_secrets: JsonObject[];
  dynamic_active_secrets: JsonObject[];
  dynamic_warming_secrets: JsonObject[];
}

export class SecretManager {
  private readonly providers = new Map<string, SecretProvider>();
  private readonly staticSecrets = new Map<string, JsonObject>();
  private adsWatch: TypeWatch | null = null;
  private readonly startedAt = new Date();

  constructor(
    private readonly sources: ConfigSources,
    private readonly log: Logger,
    private readonly stats: StatsStore,
  ) {}

  addStatic(secrets: JsonObject[]): void {
    for (const secret of secrets) {
      const name = String(secret.name ?? '');
      loadSecret(secret);
      this.staticSecrets.set(name, secret);
    }
    this.log.info('main', `loading ${secrets.length} static secret(s)`, 'source/server/configuration_impl.cc:133');
  }

  /** The provider for an SdsSecretConfig ({name, sds_config}); callers release() it when done. */
  acquire(sdsSecretConfig: JsonObject): SecretProvider {
    const name = String(sdsSecretConfig.name ?? '');
    const sdsConfig = sdsSecretConfig.sds_config as JsonObject | undefined;
    const key = `${name}\u0000${JSON.stringify(sdsConfig ?? null)}`;
    let provider = this.providers.get(key);
    if (!provider) {
      provider = this.create(name, key, sdsConfig);
      this.providers.set(key, provider);
    }
    provider.users++;
    return provider;
  }

  release(provider: SecretProvider): void {
    provider.users--;
    if (provider.users > 0) return;
    this.providers.delete(provider.key);
    provider.close();
    this.refreshAdsNames();
  }

  private create(name: string, key: string, sdsConfig: JsonObject | undefined): SecretProvider {
    if (!sdsConfig) {
      const secret = this.staticSecrets.get(name);
      if (!secret) throw new SecretLoadError(`Unknown static secret: ${name}`);
      const provider = new SecretProvider(name, key, false);
      provider.apply(secret, '');
      return provider;
    }
    if (sdsConfig.ads && !this.sources.ads) throw new SecretLoadError(`secret ${name}: sds_config asks for ADS, but the bootstrap has no ads_config`);
    const provider = new SecretProvider(name, key, true, Boolean(sdsConfig.ads));
    const statPrefix = `sds.${name}`;
    armInitialFetchTimeout(provider.init, sdsConfig, () => {
      this.stats.counter(`${statPrefix}.init_fetch_timeout`).inc();
      this.log.warn('config', `gRPC config: initial fetch timed out for ${TYPE_URL.secret}`, 'source/extensions/config_subscription/grpc/grpc_subscription_impl.cc:130');
    });
    const onUpdate = (update: XdsUpdate) => this.onSdsUpdate(provider, statPrefix, update);
    if (sdsConfig.ads) {
      // Names on the ADS stream are the union of its providers' names (refreshed below).
      queueMicrotask(() => this.refreshAdsNames());
    } else if (sdsConfig.api_config_source) {
      const mux: XdsMux = this.sources.secretStream(sdsConfig.api_config_source as JsonObject);
      const watch = mux.watch(TYPE_URL.secret, false, {
        onUpdate,
        // A failed stream is a ConnectionFailure: counted, retried, and the listener stays warming
        // until the secret or the initial fetch timeout (source/extensions/config_subscription/grpc/
        // grpc_subscription_impl.cc, onConfigUpdateFailed: "If init_fetch_timeout is non-zero,
        // server will continue startup after it timeout").
        onStreamFailure: () => this.stats.counter(`${statPrefix}.update_failure`).inc(),
      });
      watch.setNames([name]);
      provider.close = () => this.sources.release(mux);
    } else {
      throw new SecretLoadError(`secret ${name}: only ads and api_config_source SDS config sources are supported`);
    }
    return provider;
  }

  private onSdsUpdate(provider: SecretProvider, statPrefix: string, update: XdsUpdate): void {
    this.stats.counter(`${statPrefix}.update_attempt`).inc();
    for (const name of update.removed) {
      this.log.debug('secret', `Server sent a delta SDS update attempting to remove a resource (name: ${name}). Ignoring.`, 'source/common/secret/sds_api.cc:115');
    }
    // On the provider's own stream the response must be exactly its secret; on ADS the stream is
    // shared and each provider takes its own name (source/common/secret/sds_api.cc, onConfigUpdate
    // and validateUpdateSize).
    if (!provider.viaAds) {
      const problem = this.ownStreamProblem(provider, update);
      if (problem) {
        this.stats.counter(`${statPrefix}.update_rejected`).inc();
        throw new Error(problem);
      }
    }
    const mine = update.resources.filter((resource) => resource.name === provider.name);
    if (mine.length === 0) return;
    const resource = mine[0]!;
    try {
      provider.apply(resource.resource, resource.version || update.versionInfo);
    } catch (error) {
      this.stats.counter(`${statPrefix}.update_rejected`).inc();
      throw error;
    }
    this.stats.counter(`${statPrefix}.update_success`).inc();
    this.log.debug('secret', `secret ${provider.name} updated (version ${resource.version || update.versionInfo})`, 'source/common/secret/sds_api.cc:86');
  }

  /** Why Envoy rejects a response on a secret's own SDS stream, or null. */
  private ownStreamProblem(provider: SecretProvider, update: XdsUpdate): string | null {
    const { resources } = update;
    if (resources.length === 0) return update.removed.length > 0 ? null : `Missing SDS resources for ${provider.name} in onConfigUpdate()`;
    if (resources.length !== 1) return `Unexpected SDS secrets length: ${resources.length}`;
    const got = resources[0]!.name;
    return got === provider.name ? null : `Unexpected SDS secret (expecting ${provider.name}): ${got}`;
  }

  private adsProviders(): SecretProvider[] {
    return [...this.providers.values()].filter((provider) => provider.viaAds);
  }

  private refreshAdsNames(): void {
    const ads = this.sources.ads;
    if (!ads) return;
    const names = this.adsProviders().map((provider) => provider.name);
    if (!this.adsWatch) {
      if (names.length === 0) return;
      this.adsWatch = ads.watch(TYPE_URL.secret, false, {
        onUpdate: (update) => {
          for (const provider of this.adsProviders()) this.onSdsUpdate(provider, `sds.${provider.name}`, update);
        },
      });
    }
    this.adsWatch.setNames(names);
  }

  /** The config_dump SecretsConfigDump, private keys as they are (admin redacts). */
  dump(): SecretsDump {
    const timestamp = (date: Date | null) => (date ?? this.startedAt).toISOString();
    const dump: SecretsDump = { static_secrets: [], dynamic_active_secrets: [], dynamic_warming_secrets: [] };
    for (const [name, secret] of this.staticSecrets) {
      dump.static_secrets.push({ name, last_updated: timestamp(null), secret: { '@type': TYPE_URL.secret, ...secret } });
    }
    for (const provider of this.providers.values()) {
      if (!provider.dynamic) continue;
      if (provider.secret) {
        dump.dynamic_active_secrets.push({
          name: provider.name,
          version_info: provider.versionInfo,
          last_updated: timestamp(provider.lastUpdated),
          secret: { '@type': TYPE_URL.secret, ...provider.secret },
        });
      } else {
        dump.dynamic_warming_secrets.push({
          name: provider.name,
          version_info: 'uninitialized',
          last_updated: timestamp(null),
          secret: { '@type': TYPE_URL.secret, name: provider.name },
        });
      }
    }
    return dump;
  }

  /** Every loaded TLS certificate (for server.days_until_first_cert_expiring). */
  loadedCertificates(): X509Certificate[] {
    const certificates: X509Certificate[] = [];
    for (const provider of this.providers.values()) {
      if (provider.loaded?.kind === 'tls_certificate') certificates.push(...provider.loaded.chain.slice(0, 1));
    }
    return certificates;
  }
}
