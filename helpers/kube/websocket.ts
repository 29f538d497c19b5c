// The websocket connector of exec and port-forward, in place of client-node's default one, which
// it plugs into (Exec and PortForward take a connector). It adds what the default lacks: a
// handshake timeout (an API server that never answers is an error, not a hang), the API server's
// Status when it refuses the upgrade (404 pod not found, 403 forbidden) so that the failure reads
// like any other API error, and no writes to the process's own stdout/stderr.
import WebSocket from 'ws';
import { HttpFailure, toKubeError } from './errors';
import type { KubeClient } from './connect';
import type { Target } from './types';

// As client-node offers them: v5 adds a close signal for stdin; v4 brings exit codes as a Status.
const protocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];
const CLOSE_STREAM = 255;

type BinaryHandler = (stream: number, data: Buffer) => boolean;

/** A connector for client-node's Exec and PortForward; failures are KubeApiErrors for verb/target. */
export function websocketConnector(kube: KubeClient, verb: string, target: Target, timeoutMs: number) {
  return {
    async connect(path: string, _textHandler: unknown, binaryHandler: BinaryHandler | null): Promise<WebSocket> {
      const options: WebSocket.ClientOptions = {};
      await kube.kubeConfig.applyToHTTPSOptions(options);
      const uri = kube.server.replace(/^http/, 'ws').replace(/\/$/, '') + path;
      return new Promise<WebSocket>((resolve, reject) => {
        let opened = false;
        const socket = new WebSocket(uri, protocols, { ...options, handshakeTimeout: timeoutMs });
        socket.on('unexpected-response', (_request, response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = text;
            try {
              body = JSON.parse(text);
            } catch {
              // not a Status: the text is the message
            }
            reject(toKubeError(verb, target, new HttpFailure(response.statusCode ?? 0, body), kube.server));
            socket.terminate();
          });
        });
        socket.on('open', () => {
          opened = true;
          resolve(socket);
        });
        socket.on('error', (error) => {
          if (opened) return; // after the open, the owner sees the close
          const timedOut = /handshake has timed out/.test(error.message);
          reject(toKubeError(verb, target, timedOut ? Object.assign(new Error(error.message), { name: 'TimeoutError' }) : error, kube.server));
        });
        socket.on('message', (data: Buffer, isBinary: boolean) => {
          if (!isBinary || data.length === 0 || !binaryHandler) return;
          const stream = data.readUInt8(0);
          if (stream === CLOSE_STREAM) return; // the server closed one stream; the status follows
          if (!binaryHandler(stream, data.subarray(1))) socket.close();
        });
      });
    },
  };
}
