// A DownstreamTlsContext made usable: its certificates and validation context resolved (inline or
// from SDS), Envoy's defaults for TLS versions, ciphers and curves, and a Node SecureContext built
// again on every secret update, so that new handshakes get the new certificate while the listener
// and its open connections carry on. Until every secret has arrived there is no state: the filter
// chain is not served (connections are reset, as Envoy's downstream_context_secrets_not_ready).
import crypto from 'node:crypto';
import tls from 'node:tls';
import {
  loadTlsCertificate,
  loadValidationContext,
  SecretLoadError,
  type SecretManager,
  type SecretProvider,
  type TlsCertificateSecret,
  type ValidationContextSecret,
} from '../config/secrets';
import type { InitTarget } from '../init';
import type { JsonObject } from '../proto';
import { requiresClientCertificate, validationPolicy, type ValidationPolicy } from './peer-verify';

export interface ServerTlsState {
  secureContext: tls.SecureContext;
  requestCert: boolean;
  rejectUnauthorized: boolean;
  alpn: string[];
  policy: ValidationPolicy | null;
  certificates: TlsCertificateSecret[];
  validation: ValidationContextSecret | null;
}

export class TlsContextError extends Error {
  override name = 'TlsContextError';
}

const TLS_VERSIONS: Record<string, tls.SecureVersion | null> = {
  TLS_AUTO: null,
  TLSv1_0: 'TLSv1',
  TLSv1_1: 'TLSv1.1',
  TLSv1_2: 'TLSv1.2',
  TLSv1_3: 'TLSv1.3',
};

/** Envoy's server defaults (common.proto): TLS 1.2 to 1.3, these TLS 1.2 ciphers, X25519 and P-256. */
const DEFAULT_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
];
/** BoringSSL's TLS 1.3 suites are fixed; cipher_suites does not touch them. */
const TLS13_CIPHERS = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
const DEFAULT_CURVES = ['X25519', 'P-256'];

function boolValue(value: unknown): boolean {
  if (typeof value === 'object' && value !== null && 'value' in value) return (value as { value: unknown }).value === true;
  return value === true;
}

interface TlsParams {
  minVersion: tls.SecureVersion;
  maxVersion: tls.SecureVersion;
  ciphers: string;
  ecdhCurve: string;
  sigalgs?: string;
}

function readTlsParams(common: JsonObject): TlsParams {
  const params = (common.tls_params as JsonObject | undefined) ?? {};
  const version = (key: string, fallback: tls.SecureVersion): tls.SecureVersion => {
    const name = String(params[key] ?? 'TLS_AUTO');
    if (!(name in TLS_VERSIONS)) throw new TlsContextError(`invalid TLS version ${name}`);
    return TLS_VERSIONS[name] ?? fallback;
  };
  const requested = ((params.cipher_suites as string[] | undefined) ?? []).flatMap((entry) => String(entry).replace(/[[\]]/g, '').split('|'));
  const known = new Set(tls.getCiphers().map((cipher) => cipher.toUpperCase()));
  const rejected = requested.filter((cipher) => !known.has(cipher.toUpperCase()));
  if (rejected.length > 0) {
    throw new TlsContextError(
      `Failed to initialize cipher suites ${requested.join(':')}. The following ciphers were rejected when tried individually: ${rejected.join(', ')}`,
    );
  }
  const curves = ((params.ecdh_curves as string[] | undefined) ?? []).map(String);
  const sigalgs = ((params.signature_algorithms as string[] | undefined) ?? []).map(String);
  return {
    minVersion: version('tls_minimum_protocol_version', 'TLSv1.2'),
    maxVersion: version('tls_maximum_protocol_version', 'TLSv1.3'),
    ciphers: [...TLS13_CIPHERS, ...(requested.length > 0 ? requested : DEFAULT_CIPHERS)].join(':'),
    ecdhCurve: (curves.length > 0 ? curves : DEFAULT_CURVES).join(':'),
    ...(sigalgs.length > 0 ? { sigalgs: sigalgs.join(':') } : {}),
  };
}

/** MergeFrom of a dynamic validation context over combined_validation_context.default_validation_context. */
function mergeValidation(defaults: JsonObject, dynamic: JsonObject): JsonObject {
  const merged: JsonObject = { ...defaults };
  for (const [key, value] of Object.entries(dynamic)) {
    const current = merged[key];
    merged[key] = Array.isArray(current) && Array.isArray(value) ? [...current, ...value] : value;
  }
  return merged;
}

export class DownstreamTlsContext {
  private readonly certProviders: SecretProvider[] = [];
  private readonly inlineCertificates: TlsCertificateSecret[] = [];
  private validationProvider: SecretProvider | null = null;
  private readonly inlineValidation: JsonObject | null;
  private readonly defaultValidation: JsonObject;
  private readonly params: TlsParams;
  private readonly alpn: string[];
  private readonly requireClientCertificate: boolean;
  private readonly unsubscribers: Array<() => void> = [];
  private built: ServerTlsState | null = null;
  private readonly sessionIdContext: string;

  /** Throws TlsContextError or SecretLoadError for a context Envoy would reject. */
  constructor(
    readonly config: JsonObject,
    private readonly secrets: SecretManager,
    private readonly onSecretUpdate: () => void,
  ) {
    const common = (config.common_tls_context as JsonObject | undefined) ?? {};
    this.params = readTlsParams(common);
    this.alpn = ((common.alpn_protocols as string[] | undefined) ?? []).map(String);
    this.requireClientCertificate = boolValue(config.require_client_certificate);
    this.sessionIdContext = crypto.createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 32);
    try {
      for (const certificate of (common.tls_certificates as JsonObject[] | undefined) ?? []) this.inlineCertificates.push(loadTlsCertificate(certificate));
      const combined = common.combined_validation_context as JsonObject | undefined;
      this.defaultValidation = (combined?.default_validation_context as JsonObject | undefined) ?? {};
      this.inlineValidation = (common.validation_context as JsonObject | undefined) ?? null;
      if (this.inlineValidation) loadValidationContext(this.inlineValidation);
      for (const sdsConfig of (common.tls_certificate_sds_secret_configs as JsonObject[] | undefined) ?? []) {
        this.certProviders.push(this.acquire(sdsConfig));
      }
      const validationSds = (combined?.validation_context_sds_secret_config ?? common.validation_context_sds_secret_config) as JsonObject | undefined;
      if (validationSds) this.validationProvider = this.acquire(validationSds);
      if (this.inlineCertificates.length === 0 && this.certProviders.length === 0) {
        throw new TlsContextError('No certificates configured for the server TLS context');
      }
    } catch (error) {
      this.close();
      throw error;
    }
  }

  private acquire(sdsConfig: JsonObject): SecretProvider {
    const provider = this.secrets.acquire(sdsConfig);
    this.unsubscribers.push(() => this.secrets.release(provider));
    this.unsubscribers.push(
      provider.onUpdate(() => {
        if (!this.secretsReady()) return;
        this.built = this.build(); // throws: the secret update is rejected
        this.onSecretUpdate();
      }),
    );
    return provider;
  }

  /** What the listener waits for before it is warm. */
  get initTargets(): InitTarget[] {
    return [...this.certProviders, ...(this.validationProvider ? [this.validationProvider] : [])].map((provider) => provider.init);
  }

  /** Every SDS name in this context, for logs. */
  get secretNames(): string[] {
    return [...this.certProviders, ...(this.validationProvider ? [this.validationProvider] : [])].map((provider) => provider.name);
  }

  private secretsReady(): boolean {
    return this.certProviders.every((provider) => provider.ready) && (this.validationProvider?.ready ?? true);
  }

  /** The context for a new handshake, or null while a secret is missing. */
  state(): ServerTlsState | null {
    if (!this.secretsReady()) return null;
    if (!this.built) this.built = this.build();
    return this.built;
  }

  private build(): ServerTlsState {
    const certificates = [
      ...this.inlineCertificates,
      ...this.certProviders.map((provider) => {
        if (provider.loaded?.kind !== 'tls_certificate') throw new SecretLoadError(`secret ${provider.name} has no tls_certificate`);
        return provider.loaded;
      }),
    ];
    let validation: ValidationContextSecret | null = null;
    if (this.validationProvider) {
      const loaded = this.validationProvider.loaded;
      if (loaded?.kind !== 'validation_context') throw new SecretLoadError(`secret ${this.validationProvider.name} has no validation_context`);
      validation = { ...loaded, context: mergeValidation(this.defaultValidation, loaded.context) };
    } else if (this.inlineValidation) {
      validation = loadValidationContext(this.inlineValidation);
    }
    // No CA in OpenSSL's store, ever: OpenSSL completes a chain it is not given from the store
    // (auto-chain), BoringSSL never does, and Envoy sends exactly the configured chain (tls.crt).
    // Client certificates are verified by peer-verify.ts (the handshake guard, and again once the
    // handshake is done). Envoy puts trusted_ca in the verify store only, not in the CertificateRequest's
    // CA list (source/common/tls/cert_validator/default_validator.cc, initializeSslContexts).
    // An empty `ca` also keeps Node from loading its bundled roots.
    const secureContext = tls.createSecureContext({
      cert: certificates.map((certificate) => certificate.chainPem),
      key: certificates.map((certificate) => certificate.keyPem),
      ca: [],
      minVersion: this.params.minVersion,
      maxVersion: this.params.maxVersion,
      ciphers: this.params.ciphers,
      ecdhCurve: this.params.ecdhCurve,
      ...(this.params.sigalgs ? { sigalgs: this.params.sigalgs } : {}),
      honorCipherOrder: true,
      sessionIdContext: this.sessionIdContext,
      // Envoy sets X509_V_FLAG_PARTIAL_CHAIN: a trusted intermediate is an anchor.
      allowPartialTrustChain: true,
    } as tls.SecureContextOptions);
    const policy = validation ? validationPolicy(validation.context, validation.trustedCaPem) : null;
    return {
      secureContext,
      requestCert: validation !== null,
      // SSL_VERIFY_FAIL_IF_NO_PEER_CERT: require_client_certificate, or SAN matchers / pins.
      rejectUnauthorized: this.requireClientCertificate || (policy !== null && requiresClientCertificate(policy)),
      alpn: this.alpn,
      policy,
      certificates,
      validation,
    };
  }

  close(): void {
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
  }
}
