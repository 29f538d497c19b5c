// envoy.config.core.v3.Address in proto3 JSON: a socket address or a pipe (Unix socket) path.
import type { JsonObject } from './proto';

export type Address = { kind: 'socket'; host: string; port: number } | { kind: 'pipe'; path: string; mode: number | null };

export class AddressError extends Error {
  override name = 'AddressError';
}

export function readAddress(address: JsonObject | undefined, what: string): Address {
  const socket = address?.socket_address as JsonObject | undefined;
  if (socket) {
    const host = String(socket.address ?? '');
    const port = Number(socket.port_value ?? 0);
    if (host === '') throw new AddressError(`${what}: socket_address needs an address`);
    if (socket.protocol === 'UDP') throw new AddressError(`${what}: UDP listeners are not supported`);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new AddressError(`${what}: invalid port ${String(socket.port_value)}`);
    return { kind: 'socket', host, port };
  }
  const pipe = address?.pipe as JsonObject | undefined;
  if (pipe && typeof pipe.path === 'string' && pipe.path !== '') {
    return { kind: 'pipe', path: pipe.path, mode: typeof pipe.mode === 'number' ? pipe.mode : null };
  }
  throw new AddressError(`${what}: an address needs socket_address or pipe`);
}

/** As Envoy prints addresses: 127.0.0.1:15000, [::1]:15000, or the pipe's path. */
export function addressText(address: Address): string {
  if (address.kind === 'pipe') return address.path;
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** A grpc-js target for an upstream address. */
export function grpcTarget(address: Address): string {
  return address.kind === 'pipe' ? `unix:${address.path}` : addressText(address);
}
