import { describe, expect, test } from '@jest/globals';
import { loadSettings, UsageError } from './config';

describe('settings', () => {
  test('defaults hold when nothing is set', () => {
    const settings = loadSettings({});
    expect(settings.TARGET).toBe('auto');
    expect(settings.HOST).toBe('httpbin.example.com');
    expect(settings.WAIT_BUDGET_MS).toBe(120_000);
    expect(settings.RSA_BITS).toBe(2048);
  });

  test('values are read and coerced', () => {
    const settings = loadSettings({ TARGET: 'twin', WAIT_BUDGET_MS: '5000', RSA_BITS: '4096', INGRESS_ADDRESS: '10.0.0.2:31443' });
    expect(settings).toMatchObject({ TARGET: 'twin', WAIT_BUDGET_MS: 5000, RSA_BITS: 4096, INGRESS_ADDRESS: '10.0.0.2:31443' });
  });

  test('0 is accepted where it means "do not wait"', () => {
    expect(loadSettings({ LOCK_WAIT_MS: '0', PROBE_ACCEPT_WINDOW_MS: '0' })).toMatchObject({ LOCK_WAIT_MS: 0, PROBE_ACCEPT_WINDOW_MS: 0 });
  });

  test('a relative path setting is read from INIT_CWD (where npm was run); a default stays the package\'s', () => {
    expect(loadSettings({ INIT_CWD: '/home/me/work', REPORT_DIR: 'out', KUBECONFIG: 'a.yaml:/etc/b.yaml' })).toMatchObject({ REPORT_DIR: '/home/me/work/out', KUBECONFIG: '/home/me/work/a.yaml:/etc/b.yaml' });
    expect(loadSettings({ INIT_CWD: '/home/me/work' }).REPORT_DIR).toBe('reports');
  });

  test('an empty variable counts as unset', () => {
    expect(loadSettings({ TARGET: '' }).TARGET).toBe('auto');
  });

  test.each([
    [{ TARGET: 'minikube' }, /^setting TARGET="minikube" is not accepted: use one of auto, kind, existing, twin$/],
    [{ WAIT_BUDGET_MS: 'soon' }, /^setting WAIT_BUDGET_MS="soon" is not accepted: expected a whole number from 1 to 2147483647 \(milliseconds\)$/],
    [{ WAIT_BUDGET_MS: '0' }, /^setting WAIT_BUDGET_MS="0" is not accepted: expected a whole number from 1 to 2147483647 \(milliseconds\)$/],
    [{ LOCK_WAIT_MS: '3600001' }, /^setting LOCK_WAIT_MS="3600001" is not accepted: expected a whole number from 0 to 3600000/],
    [{ RSA_BITS: '1024' }, /^setting RSA_BITS="1024" is not accepted: .*2048, 3072 or 4096/],
    [{ INGRESS_ADDRESS: 'example' }, /^setting INGRESS_ADDRESS="example" is not accepted: .*host:port/],
    [{ HOST: 'bad host' }, /^setting HOST="bad host" is not accepted: .*DNS name/],
  ])('a bad value is one line naming the setting, the value and what is accepted: %j', (env, message) => {
    expect(() => loadSettings(env)).toThrow(UsageError);
    expect(() => loadSettings(env)).toThrow(message);
  });
});
