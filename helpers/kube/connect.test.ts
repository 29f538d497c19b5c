// connect() against real sockets on loopback: no API server is faked, the failures are real ones.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../config';
import { connect } from './connect';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kube-connect-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function kubeconfig(name: string, server: string, current = 'test'): string {
  const file = path.join(dir, name);
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      `current-context: "${current}"`,
      'clusters: [{name: c, cluster: {server: "' + server + '", insecure-skip-tls-verify: true}}]',
      'users: [{name: u, user: {token: not-a-real-token}}]',
      'contexts: [{name: test, context: {cluster: c, user: u}}, {name: other, context: {cluster: c, user: u}}]',
    ].join('\n'),
  );
  return file;
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => new Error('connect() succeeded'),
    (e: unknown) => e as Error,
  );
  expect(error).toBeInstanceOf(UsageError);
  expect(error.message).not.toContain('\n');
  return error;
}

describe('connect: the user’s mistakes are one line', () => {
  test('a kubeconfig that does not exist', async () => {
    const missing = path.join(dir, 'nope');
    expect((await failure(connect({ kubeconfigPath: missing }))).message).toBe(
      `kubeconfig ${missing} does not exist: point KUBECONFIG at a kubeconfig file`,
    );
  });

  test('the KUBECONFIG setting is read when no path is given', async () => {
    const missing = path.join(dir, 'from-env');
    expect((await failure(connect({ env: { KUBECONFIG: missing } }))).message).toContain(`kubeconfig ${missing} does not exist`);
  });

  test('a file that is not a kubeconfig', async () => {
    const file = path.join(dir, 'broken');
    writeFileSync(file, 'clusters: [unclosed\n');
    expect((await failure(connect({ kubeconfigPath: file }))).message).toMatch(new RegExp(`^kubeconfig ${file} cannot be read: `));
  });

  test('an unknown context names the ones there are', async () => {
    const file = kubeconfig('contexts', 'https://127.0.0.1:1');
    expect((await failure(connect({ kubeconfigPath: file, context: 'prod' }))).message).toBe(`context "prod" is not in kubeconfig ${file}; its contexts: test, other`);
    const noCurrent = kubeconfig('no-current', 'https://127.0.0.1:1', '');
    expect((await failure(connect({ kubeconfigPath: noCurrent }))).message).toBe(`kubeconfig ${noCurrent} sets no current-context: name a context (its contexts: test, other)`);
  });
});

describe('connect: an API server that is not there is one line, not a hang', () => {
  test('a closed port on 127.0.0.1', async () => {
    const port = await closedPort();
    const file = kubeconfig('closed', `https://127.0.0.1:${port}`);
    const started = Date.now();
    const error = await failure(connect({ kubeconfigPath: file }));
    expect(error.message).toBe(
      `cannot reach the Kubernetes API of context "test" at https://127.0.0.1:${port} (kubeconfig ${file}): connect ECONNREFUSED 127.0.0.1:${port}; is the cluster running, and is this the right context?`,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test('a port that accepts connections and never answers', async () => {
    const accepted: net.Socket[] = [];
    const silent = net.createServer((socket) => accepted.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const file = kubeconfig('silent', `https://127.0.0.1:${port}`);
      const started = Date.now();
      const error = await failure(connect({ kubeconfigPath: file, context: 'other', requestTimeoutMs: 500 }));
      expect(error.message).toBe(
        `the Kubernetes API of context "other" at https://127.0.0.1:${port} (kubeconfig ${file}) did not answer within 500 ms; is the cluster running, and is this the right context?`,
      );
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      accepted.forEach((socket) => socket.destroy());
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
