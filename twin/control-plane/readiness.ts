// Readiness of the components, by polling their health endpoints from the host through the veth
// (or their logs, for etcd, which listens on the node's loopback only). Each wait ends at once
// when the component exits, with its exit and the tail of its log.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { eventually, EventuallyTimeout } from '../../helpers/eventually';
import type { SupervisedProcess } from '../process/supervisor';

export interface HttpCheckOptions {
  /** PEM text of the CA to trust; without it the server's certificate is not checked. */
  ca?: string;
  cert?: string;
  key?: string;
  timeoutMs?: number;
}

export interface HttpAnswer {
  status: number;
  body: string;
}

/** One GET; resolves with the status and body, rejects on a connection error or timeout. */
export function httpGet(url: string, options: HttpCheckOptions = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const secure = url.startsWith('https:');
    const requestOptions: https.RequestOptions = secure
      ? { ca: options.ca, cert: options.cert, key: options.key, rejectUnauthorized: options.ca !== undefined, agent: false }
      : { agent: false };
    const request = (secure ? https : http).get(url, requestOptions, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    request.setTimeout(options.timeoutMs ?? 2_000, () => request.destroy(new Error(`no answer from ${url} within ${options.timeoutMs ?? 2_000} ms`)));
    request.on('error', reject);
  });
}

export class ComponentFailed extends Error {
  override name = 'ComponentFailed';
}

export interface WaitOptions {
  budgetMs: number;
  /** What is awaited, for the error message. */
  expectation: string;
}

/**
 * Polls `observe` until `holds`, while `process` runs. A process exit ends the wait at once with a
 * ComponentFailed carrying the exit and the tail of the log; a timeout says what was last seen.
 */
export async function waitWhileRunning<T>(
  process: SupervisedProcess,
  observe: () => Promise<T>,
  holds: (value: T) => boolean,
  options: WaitOptions,
): Promise<T> {
  try {
    return await eventually(observe, holds, {
      budgetMs: options.budgetMs,
      converge: 1,
      initialDelayMs: 50,
      maxDelayMs: 250,
      expectation: options.expectation,
      signal: process.exitSignal,
    });
  } catch (error) {
    if (!process.running) {
      throw new ComponentFailed(`${process.describeExit()} while waiting for ${options.expectation}; log ${process.logPath}:\n${process.logTail()}`);
    }
    if (error instanceof EventuallyTimeout) {
      throw new ComponentFailed(`${error.message}; log ${process.logPath}:\n${process.logTail()}`);
    }
    throw error;
  }
}

/** Waits for an HTTP(S) endpoint of the process to answer 200. */
export function waitHttpOk(process: SupervisedProcess, url: string, options: HttpCheckOptions & { budgetMs: number }): Promise<HttpAnswer> {
  return waitWhileRunning(process, () => httpGet(url, options), (answer) => answer.status === 200, {
    budgetMs: options.budgetMs,
    expectation: `${process.name} to answer 200 on ${url}`,
  });
}

/** Waits for a line matching `pattern` in the process's log (written since it started). */
export function waitLogLine(process: SupervisedProcess, pattern: RegExp, budgetMs: number): Promise<string> {
  return waitWhileRunning(
    process,
    async () => {
      const text = fs.readFileSync(process.logPath, 'utf8');
      // Only this run's part of the log: after the supervisor's last start header.
      return text.slice(text.lastIndexOf('\n--- ') + 1);
    },
    (text) => pattern.test(text),
    { budgetMs, expectation: `${process.name} to log ${String(pattern)}` },
  );
}
