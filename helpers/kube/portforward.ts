// `kubectl port-forward pod/NAME :PORT`: a local port on 127.0.0.1 whose connections reach a
// port of a pod, each connection over its own websocket through the API server.
import net from 'node:net';
import { Writable } from 'node:stream';
import { PortForward, type V1Pod } from '@kubernetes/client-node';
import type WebSocket from 'ws';
import type { KubeClient } from './connect';
import { asPartOf, KubeApiError, oneLine } from './errors';
import { read } from './objects';
import type { Target } from './types';
import { websocketConnector } from './websocket';

export interface PortForwardRequest {
  namespace: string;
  pod: string;
  /** The pod's port. */
  port: number;
  /** The local port; default a free one. */
  localPort?: number;
  /** Budget of each connection's websocket handshake, in ms (default 30 s). */
  timeoutMs?: number;
}

export interface PortForwarding {
  address: '127.0.0.1';
  localPort: number;
  /** What went wrong with connections so far (the API server's or the pod's refusal), newest last. */
  readonly errors: string[];
  /** Stops listening and ends every connection. */
  close(): Promise<void>;
}

/** Forwards a local port to the pod's port until close() is called. */
export async function portForward(kube: KubeClient, request: PortForwardRequest): Promise<PortForwarding> {
  const target: Target = { kind: 'Pod', namespace: request.namespace, name: request.pod, detail: `port ${request.port}` };
  const pod = await read<V1Pod & { apiVersion: string; kind: string }>(kube, { apiVersion: 'v1', kind: 'Pod', namespace: request.namespace, name: request.pod }).catch((error: unknown) => {
    throw asPartOf('port-forward to', target, error);
  });
  if (pod.status?.phase !== 'Running') {
    throw new KubeApiError('port-forward to', target, undefined, 'BadRequest', undefined, `the pod is ${pod.status?.phase ?? 'in no phase'}, not Running`);
  }
  const errors: string[] = [];
  const sockets = new Set<net.Socket>();
  const websockets = new Set<WebSocket>();

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
    // The pod side's refusal (nothing listens on the port, …) arrives on the error stream. Its
    // first frame is only the port number, which client-node strips, leaving an empty write.
    const refusals = new Writable({
      write(chunk: Buffer, _encoding, done) {
        const text = oneLine(chunk.toString('utf8'));
        if (text) {
          errors.push(text);
          socket.destroy();
        }
        done();
      },
    });
    const forwarder = new PortForward(kube.kubeConfig, true, websocketConnector(kube, 'port-forward to', target, request.timeoutMs ?? 30_000));
    forwarder.portForward(request.namespace, request.pod, [request.port], socket, refusals, socket).then(
      (connection) => {
        const websocket = typeof connection === 'function' ? connection() : connection;
        if (!websocket) return socket.destroy();
        websockets.add(websocket as WebSocket);
        websocket.on('close', () => {
          websockets.delete(websocket as WebSocket);
          socket.end();
        });
        socket.on('close', () => websocket.close());
      },
      (error: unknown) => {
        errors.push(error instanceof Error ? error.message : String(error));
        socket.destroy();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(request.localPort ?? 0, '127.0.0.1', () => resolve());
  });
  const localPort = (server.address() as net.AddressInfo).port;
  return {
    address: '127.0.0.1',
    localPort,
    errors,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const websocket of websockets) websocket.terminate();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
