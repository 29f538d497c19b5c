// A KubeClient for an API server address that cannot answer (a closed port, a silent server),
// made as connect() makes one but without its /version check, which such an address would fail.
import { KubeConfig } from '@kubernetes/client-node';
import net from 'node:net';
import { newRunId, type KubeClient } from '../kube';
import { ApiTransport } from '../kube/transport';

export function kubeClientAt(server: string): KubeClient {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'not-a-real-token' }],
    contexts: [{ name: 'test', cluster: 'c', user: 'u' }],
    currentContext: 'test',
  });
  return { kubeConfig, kubeconfigPath: '(test)', context: 'test', server, serverVersion: 'unknown', runId: newRunId(), transport: ApiTransport.connect(kubeConfig, 30_000) };
}

/** A local port nothing listens on (it was just bound and closed): connections to it are refused. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
