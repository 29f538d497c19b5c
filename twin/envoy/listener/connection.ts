// One accepted connection, as Envoy's listener handles it: tls_inspector peeks the ClientHello
// (SNI, ALPN) without consuming it, the filter chain is chosen, then TLS (through the handshake
// guard, for Envoy's client certificate alerts) and the HTTP connection manager. No matching chain,
// or a chain whose secrets have not arrived: the connection is closed right after the ClientHello.
import { X509Certificate } from 'node:crypto';
import type net from 'node:net';
import tls from 'node:tls';
import type { Logger } from '../log';
import type { StatsStore } from '../stats';
import { peekClientHello, type ClientHello } from '../tls/client-hello';
import { HandshakeGuard } from '../tls/handshake-guard';
import { verifyClientChain } from '../tls/peer-verify';
import { selectFilterChain } from './filter-chain-match';
import type { ChainRuntime, ListenerConfig } from './listener-config';

export interface ConnectionContext {
  stats: StatsStore;
  log: Logger;
}

/** Reads until tls_inspector can decide; resolves with the bytes read and the ClientHello, if TLS. */
function inspect(raw: net.Socket, timeoutMs: number): Promise<{ bytes: Buffer; hello: ClientHello | null } | null> {
  return new Promise((resolve) => {
    let bytes: Buffer = Buffer.alloc(0);
    const done = (result: { bytes: Buffer; hello: ClientHello | null } | null) => {
      raw.off('data', onData);
      raw.off('close', onClose);
      if (timer) clearTimeout(timer);
      raw.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      bytes = Buffer.concat([bytes, chunk]);
      const peek = peekClientHello(bytes);
      if (peek.kind === 'need-more') return;
      done({ bytes, hello: peek.kind === 'tls' ? peek.hello : null });
    };
    const onClose = () => done(null);
    // listener_filters_timeout: 0 disables it.
    const timer = timeoutMs > 0 ? setTimeout(() => done(null), timeoutMs) : null;
    raw.on('data', onData);
    raw.on('close', onClose);
  });
}

export async function handleConnection(raw: net.Socket, listener: ListenerConfig, context: ConnectionContext): Promise<void> {
  const { stats, log } = context;
  const prefix = listener.statPrefix;
  stats.counter(`${prefix}.downstream_cx_total`).inc();
  const active = stats.gauge(`${prefix}.downstream_cx_active`);
  active.add(1);
  raw.once('close', () => active.sub(1));
  raw.on('error', () => undefined);
  raw.setNoDelay(true);

  let bytes: Buffer = Buffer.alloc(0);
  let hello: ClientHello | null = null;
  if (listener.inspectTls) {
    const inspected = await inspect(raw, listener.listenerFiltersTimeoutMs);
    if (!inspected) {
      stats.counter(`${prefix}.downstream_pre_cx_timeout`).inc();
      raw.destroy();
      return;
    }
    ({ bytes, hello } = inspected);
  }
  const chain =
    selectFilterChain(listener.chains.map((c) => c.config), {
      // The listener's own port: the socket's, except when a test binds it elsewhere.
      destinationPort: listener.address.kind === 'socket' ? listener.address.port : (raw.localPort ?? 0),
      destinationIp: raw.localAddress ?? '',
      serverName: hello?.serverName ?? null,
      transportProtocol: hello ? 'tls' : 'raw_buffer',
      applicationProtocols: hello?.alpn ?? [],
      sourceIp: raw.remoteAddress ?? '',
      sourcePort: raw.remotePort ?? 0,
    }) ?? null;
  const runtime: ChainRuntime | null = chain ? (listener.chains.find((c) => c.config === chain) ?? null) : listener.defaultChain;
  if (!runtime) {
    stats.counter(`${prefix}.no_filter_chain_match`).inc();
    log.debug('conn_handler', `closing connection from ${raw.remoteAddress}: no matching filter chain found`, 'source/common/listener_manager/active_stream_listener_base.cc:46');
    // Envoy closes the socket with the ClientHello tls_inspector peeked still unread in the kernel's
    // buffer, so the kernel answers with a reset (RST), not a FIN; the ClientHello was read here.
    raw.resetAndDestroy();
    return;
  }
  if (!runtime.tls) {
    if (bytes.length > 0) raw.unshift(bytes);
    raw.resume();
    return serveHttp(runtime, raw, { secure: false, peerChain: [], localCertificate: null, remoteAddress: raw.remoteAddress ?? '' }, null, context);
  }
  const state = runtime.tls.state();
  if (!state) {
    stats.counter(`${prefix}.server_ssl_socket_factory.downstream_context_secrets_not_ready`).inc();
    log.debug('connection', `closing connection from ${raw.remoteAddress}: secrets for filter chain '${runtime.name}' are not ready (${runtime.tls.secretNames.join(', ')})`);
    raw.destroy();
    return;
  }
  const guard = new HandshakeGuard({
    raw,
    initial: bytes,
    policy: state.policy,
    onRefused: (refusal, version) => {
      stats.counter(`${prefix}.ssl.${refusal.stat}`).inc();
      stats.counter(`${prefix}.ssl.connection_error`).inc();
      log.debug('connection', `remote address:${raw.remoteAddress},TLS_error:|268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED:${refusal.reason} (${version}, alert ${refusal.alert})`, 'source/common/tls/ssl_socket.cc:253');
    },
  });
  const socket = new tls.TLSSocket(guard.transport as unknown as net.Socket, {
    isServer: true,
    secureContext: state.secureContext,
    requestCert: state.requestCert,
    rejectUnauthorized: state.rejectUnauthorized,
    ...(state.alpn.length > 0 ? { ALPNProtocols: state.alpn } : {}),
  });
  guard.attach(socket);
  raw.resume();
  let secured = false;
  socket.on('error', (error: NodeJS.ErrnoException) => {
    if (!secured) {
      const stat = error.code === 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE' ? 'fail_verify_no_cert' : 'connection_error';
      stats.counter(`${prefix}.ssl.${stat}`).inc();
      log.debug('connection', `remote address:${raw.remoteAddress},TLS_error:|${error.message.split('\n')[0]}`, 'source/common/tls/ssl_socket.cc:253');
    }
    socket.destroy();
    raw.destroy();
  });
  socket.on('secure', () => {
    secured = true;
    // Node's tls.Server clears this for the sockets it makes; http2 waits for it on any other.
    (socket as tls.TLSSocket & { secureConnecting: boolean }).secureConnecting = false;
    const peer = socket.getPeerX509Certificate() ?? null;
    // What the guard could not read (a suite it does not decrypt) is judged here, after the fact.
    const peerChain = peer ? presentedChain(socket) : [];
    const verdict = state.policy && peer ? verifyClientChain(peerChain, state.policy) : { ok: true as const };
    if (!verdict.ok) {
      stats.counter(`${prefix}.ssl.${verdict.stat}`).inc();
      socket.destroy();
      raw.destroy();
      return;
    }
    if (state.requestCert && !peer) stats.counter(`${prefix}.ssl.no_certificate`).inc();
    stats.counter(`${prefix}.ssl.handshake`).inc();
    stats.counter(`${prefix}.ssl.versions.${socket.getProtocol() ?? 'unknown'}`).inc();
    stats.counter(`${prefix}.ssl.ciphers.${socket.getCipher()?.name ?? 'unknown'}`).inc();
    const local = state.certificates[0]?.chain[0] ?? null;
    serveHttp(
      runtime,
      socket,
      { secure: true, peerChain: peerChain.map((der) => new X509Certificate(der)), localCertificate: local ? new X509Certificate(local.raw) : null, remoteAddress: raw.remoteAddress ?? '' },
      socket.alpnProtocol || null,
      context,
    );
  });
}

/** The certificates the client sent, leaf first (OpenSSL's store is empty, so nothing is added). */
function presentedChain(socket: tls.TLSSocket): Buffer[] {
  const chain: Buffer[] = [];
  let certificate: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (certificate?.raw && !chain.some((seen) => seen.equals(certificate!.raw))) {
    chain.push(certificate.raw);
    certificate = certificate.issuerCertificate;
  }
  return chain;
}

function serveHttp(
  runtime: ChainRuntime,
  socket: net.Socket,
  info: Parameters<NonNullable<ChainRuntime['hcm']>['serve']>[1],
  alpn: string | null,
  context: ConnectionContext,
): void {
  if (!runtime.hcm) {
    context.log.debug('filter', `filter chain '${runtime.name}' has no HTTP connection manager: closing`);
    socket.destroy();
    return;
  }
  runtime.hcm.serve(socket, info, alpn);
}
