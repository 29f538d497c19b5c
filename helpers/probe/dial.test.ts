// awaitAcceptance on a stand-in stream: the signals it waits for, in isolation (the probe tests
// see it against real servers, where the ticket always comes first).
import { describe, expect, test } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { awaitAcceptance } from './dial';

const never = new Promise<never>(() => undefined);

describe('awaitAcceptance (TLS 1.3: read before the first write)', () => {
  test('a session ticket means the server accepted us', async () => {
    const signals = { ticket: Promise.resolve(), lost: never };
    await expect(awaitAcceptance(new PassThrough(), signals, { watchData: true, windowMs: 1_000 })).resolves.toBe('ticket');
  });

  test('for h2, data from the server (its SETTINGS) means accepted, and stays unread for the session', async () => {
    const socket = new PassThrough();
    const accepted = awaitAcceptance(socket, { ticket: never, lost: never }, { watchData: true, windowMs: 1_000 });
    socket.write(Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])); // an empty SETTINGS frame
    await expect(accepted).resolves.toBe('data');
    expect(socket.readableLength).toBe(9);
    expect(socket.listenerCount('readable')).toBe(0);
  });

  test('without watchData, data does not count: the window ends the wait', async () => {
    const socket = new PassThrough();
    const started = performance.now();
    const accepted = awaitAcceptance(socket, { ticket: never, lost: never }, { watchData: false, windowMs: 50 });
    socket.write('HTTP/1.1 200 OK\r\n');
    await expect(accepted).resolves.toBe('window');
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });

  test('an alert or a close ends the wait with that error', async () => {
    const alert = Object.assign(new Error('tlsv13 alert certificate required'), { code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' });
    const lost = Promise.reject(alert);
    await expect(awaitAcceptance(new PassThrough(), { ticket: never, lost }, { watchData: true, windowMs: 1_000 })).rejects.toBe(alert);
  });

  test('the end of the stream is not data', async () => {
    const socket = new PassThrough();
    const accepted = awaitAcceptance(socket, { ticket: never, lost: never }, { watchData: true, windowMs: 50 });
    socket.end();
    await expect(accepted).resolves.toBe('window');
  });
});
