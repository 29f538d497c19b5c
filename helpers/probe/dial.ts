// The TLS side of the probe, on node:tls for exact outcomes: DNS (or curl's --resolve), the TCP
// connect, the handshake with SNI = the URL's host, the client's verdict on the server certificate,
// and on TLS 1.3 a short read before the first write (see awaitAcceptance).
import { lookup } from 'node:dns/promises';
import { once } from 'node:events';
import net from 'node:net';
import type { Readable } from 'node:stream';
import tls, { type TLSSocket } from 'node:tls';
import type { Deadline } from './deadline';
import type { ProbePlan } from './options';
import { checkServerTrust, describePeer, ServerNotTrusted } from './peer';
import type { AlpnProtocol, PeerCertificate, ProbePhase } from './types';

/** The server ended the connection without an error (EOF). */
export class ConnectionClosed extends Error {
  override name = 'ConnectionClosed';
  readonly code = 'EOF';
  constructor() {
    super('the server closed the connection');
  }
}

/** Where a probe is, for classifying whatever stops it; the dialler keeps it current. */
export interface ProbeProgress {
  phase: ProbePhase;
  address: string | null;
  socket: TLSSocket | null;
  tlsVersion: string | null;
}

export interface TlsConnection {
  socket: TLSSocket;
  tlsVersion: string;
  alpn: AlpnProtocol | null;
  peer: PeerCertificate;
  /** Rejects with the socket's first error. */
  failed: Promise<never>;
}

export async function dialTls(plan: ProbePlan, deadline: Deadline, progress: ProbeProgress): Promise<TlsConnection> {
  progress.phase = 'dns';
  const address = plan.resolvedAddress ?? (net.isIP(plan.host) !== 0 ? plan.host : (await deadline.within(lookup(plan.host))).address);
  progress.address = address;

  progress.phase = 'connect';
  const socket = tls.connect({
    host: address,
    port: plan.port,
    servername: plan.servername,
    secureContext: plan.secureContext,
    ALPNProtocols: plan.alpn,
    rejectUnauthorized: false, // judged in checkServerTrust, so an untrusted server still shows its cert
  });
  progress.socket = socket;
  const signals = watchSocket(socket);
  // A handshake alert leaves no secureConnect; the version negotiated so far is only readable now,
  // and only means something once the server's hello came (its certificate is the sign: before
  // that OpenSSL reports the client's own highest version).
  socket.once('error', () => {
    if (Object.keys(socket.getPeerCertificate() ?? {}).length > 0) progress.tlsVersion ??= negotiatedVersion(socket);
  });
  await deadline.within(Promise.race([once(socket, 'connect'), signals.lost]));

  progress.phase = 'handshake';
  await deadline.within(Promise.race([once(socket, 'secureConnect'), signals.lost]));
  const tlsVersion = negotiatedVersion(socket) ?? 'unknown';
  progress.tlsVersion = tlsVersion;
  const alpn = negotiatedAlpn(socket);
  checkServerTrust(socket, plan.host);
  const peer = describePeer(socket);
  if (!peer) throw new ServerNotTrusted('other', 'NO_PEER_CERTIFICATE', 'the server sent no certificate');

  if (tlsVersion === 'TLSv1.3') {
    progress.phase = 'first-read';
    // Leave time for the exchange itself when the budget is short.
    const windowMs = Math.min(plan.acceptWindowMs, deadline.remainingMs() / 2);
    await deadline.within(awaitAcceptance(socket, signals, { watchData: alpn === 'h2', windowMs }));
  }
  return { socket, tlsVersion, alpn, peer, failed: signals.failed };
}

/** The protocol the server picked from our offer; null when it picked none (HTTP/1.1, as curl). */
export function negotiatedAlpn(socket: TLSSocket): AlpnProtocol | null {
  return socket.alpnProtocol === 'h2' || socket.alpnProtocol === 'http/1.1' ? socket.alpnProtocol : null;
}

function negotiatedVersion(socket: TLSSocket): string | null {
  const version = socket.getProtocol();
  return version && version !== 'unknown' ? version : null;
}

export interface SocketSignals {
  /** Resolves when a session ticket arrives (TLS 1.3: the server has accepted our Finished). */
  ticket: Promise<void>;
  /** Rejects with the socket's first error. */
  failed: Promise<never>;
  /** Rejects with the first error, or with ConnectionClosed when the socket ends or closes. */
  lost: Promise<never>;
}

/** Listens from the start, so no error goes unhandled and no early ticket is missed. */
function watchSocket(socket: TLSSocket): SocketSignals {
  // Resolved on the next turn of the loop: 'session' is emitted from inside OpenSSL's read, and a
  // write made there (in the microtasks that run as that callback returns) is lost (seen on
  // Node 24.21: the bytes never reach the server).
  const ticket = new Promise<void>((resolve) => socket.once('session', () => setImmediate(resolve)));
  const failed = new Promise<never>((_resolve, reject) => socket.on('error', reject));
  const closed = new Promise<never>((_resolve, reject) => {
    // A turn later, so that an error that explains the close (Node emits "socket disconnected
    // before secure TLS connection was established" right after 'end') is the one reported.
    const onClose = () => setImmediate(() => reject(new ConnectionClosed()));
    socket.once('end', onClose);
    socket.once('close', onClose);
  });
  const lost = Promise.race([failed, closed]);
  for (const signal of [failed, closed, lost]) signal.catch(() => undefined);
  return { ticket, failed, lost };
}

export type AcceptanceSignal = 'ticket' | 'data' | 'window';

/**
 * TLS 1.3 ends the client's handshake before the server has judged its certificate: a refusal
 * (certificate_required, unknown_ca) arrives after the client's Finished. A client that writes at
 * once can meet a reset instead of the alert. So read first, until the server shows it accepted
 * us: a NewSessionTicket (Node and OpenSSL servers send two right after accepting), or for h2 the
 * server's SETTINGS (data left buffered for the HTTP/2 session, which reads it). A server that
 * sends neither costs `windowMs`; an alert or a close rejects through `lost`.
 */
export async function awaitAcceptance(
  socket: Readable,
  signals: Pick<SocketSignals, 'ticket' | 'lost'>,
  options: { watchData: boolean; windowMs: number },
): Promise<AcceptanceSignal> {
  const cleanups: Array<() => void> = [];
  const waits: Array<Promise<AcceptanceSignal>> = [signals.ticket.then(() => 'ticket' as const), signals.lost];
  waits.push(
    new Promise((resolve) => {
      const timer = setTimeout(() => resolve('window'), options.windowMs);
      cleanups.push(() => clearTimeout(timer));
    }),
  );
  if (options.watchData) {
    waits.push(
      new Promise((resolve) => {
        // 'readable' with nothing buffered is the end of the stream: `lost` reports that.
        const onReadable = () => socket.readableLength > 0 && resolve('data');
        socket.on('readable', onReadable);
        cleanups.push(() => socket.off('readable', onReadable));
      }),
    );
  }
  try {
    return await Promise.race(waits);
  } finally {
    for (const cleanup of cleanups) cleanup();
  }
}
