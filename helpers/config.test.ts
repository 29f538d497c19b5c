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

  test('an empty variable counts as unset', () => {
    expect(loadSettings({ TARGET: '' }).TARGET).toBe('auto');
  });

  test.each([
    [{ TARGET: 'minikube' }, /^setting TARGET="minikube" is not accepted: use one of auto, kind, existing, twin$/],
    [{ WAIT_BUDGET_MS: 'soon' }, /^setting WAIT_BUDGET_MS="soon" is not accepted: expected number$/],
    [{ RSA_BITS: '1024' }, /^setting RSA_BITS="1024" is not accepted: .*2048, 3072 or 4096/],
    [{ INGRESS_ADDRESS: 'example' }, /^setting INGRESS_ADDRESS="example" is not accepted: .*host:port/],
    [{ HOST: 'bad host' }, /^setting HOST="bad host" is not accepted: .*DNS name/],
  ])('a bad value is one line naming the setting, the value and what is accepted: %j', (env, message) => {
    expect(() => loadSettings(env)).toThrow(UsageError);
    expect(() => loadSettings(env)).toThrow(message);
  });
});
