import { describe, expect, test } from '@jest/globals';
import { UsageError } from '../../helpers/config';
import type { GatewayFacts } from '../../helpers/istio/gateway';
import { chooseProfile } from './context';

const gateway = (certs: boolean, caCerts: boolean): GatewayFacts => ({
  namespace: 'istio-ingress',
  service: 'istio-ingress',
  selector: 'ingress',
  deployment: 'istio-ingress/istio-ingress',
  revision: 'default',
  mounts: { certs, caCerts },
});

describe('chooseProfile', () => {
  test('auto on a gateway that mounts both secrets: file-mount, the doc verbatim', () => {
    expect(chooseProfile(gateway(true, true), 'auto')).toEqual({
      profile: 'file-mount',
      reason: 'PROFILE=auto and istio-ingress/istio-ingress mounts istio-ingressgateway-certs and istio-ingressgateway-ca-certs',
    });
  });

  test('auto on a gateway that mounts none or one: sds, and the reason says why', () => {
    expect(chooseProfile(gateway(false, false), 'auto')).toEqual({
      profile: 'sds',
      reason:
        'PROFILE=auto and istio-ingress/istio-ingress mounts neither istio-ingressgateway-certs nor istio-ingressgateway-ca-certs: file-mount needs both, so the certificates go to istiod over SDS',
    });
    expect(chooseProfile(gateway(true, false), 'auto').profile).toBe('sds');
  });

  test('file-mount forced on a gateway without the mounts: preparing fails with the reason, so every step is skipped with it', () => {
    const forced = () => chooseProfile(gateway(false, false), 'file-mount');
    expect(forced).toThrow(UsageError);
    expect(forced).toThrow(/^PROFILE=file-mount needs a gateway that mounts the doc's two secrets, and istio-ingress\/istio-ingress mounts neither .*: the file-mount steps cannot run on it/);
  });

  test('forced profiles otherwise stand', () => {
    expect(chooseProfile(gateway(true, true), 'file-mount').profile).toBe('file-mount');
    expect(chooseProfile(gateway(true, true), 'sds')).toEqual({ profile: 'sds', reason: 'PROFILE=sds' });
    // no gateway Service at all: SG-B1 reports it in the doc's words
    expect(chooseProfile(undefined, 'file-mount').profile).toBe('file-mount');
  });
});
