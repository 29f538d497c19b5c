// SG-T2/T3/T7/T8 on a gateway image without ls and cat (distroless): the first exec tells, the step
// is reported skipped with the reason at once (not after the wait budget), and so are the others.
import { beforeEach, describe, expect, jest, test } from '@jest/globals';
import { KubeApiError, type ExecResult } from '../../../helpers/kube';
import { StepLedger } from '../../runtime/results';
import type { SecureGatewaysContext } from '../context';

const execMock = jest.fn<(kube: unknown, request: { command: string[] }) => Promise<ExecResult>>();
jest.mock('../../../helpers/kube', () => ({ ...jest.requireActual<object>('../../../helpers/kube'), exec: (kube: unknown, request: { command: string[] }) => execMock(kube, request) }));
// eslint-disable-next-line import/first -- after the mock, so the steps use it
import { troubleshooting } from './troubleshooting';

// The four checks alone: their dependencies outside them are taken as passed.
const ids = ['SG-T2', 'SG-T3', 'SG-T7', 'SG-T8'];
const fileChecks = troubleshooting.filter((step) => ids.includes(step.id)).map((step) => ({ ...step, dependsOn: step.dependsOn?.filter((id) => ids.includes(id)) }));
const context = () =>
  ({ kube: {}, names: { gatewayNamespace: 'istio-system' }, gatewayPod: 'istio-ingressgateway-1', profile: 'file-mount', budgets: { waitMs: 120_000 } }) as unknown as SecureGatewaysContext;
const ledger = () => new StepLedger(fileChecks, { stopAtFirstFailure: false });

beforeEach(() => {
  execMock.mockReset();
});

describe('the file checks on a distroless gateway', () => {
  test.each([
    ['the runtime refuses the exec (containerd/runc through the kubelet)', () => Promise.reject(new KubeApiError('exec in', { kind: 'Pod', namespace: 'istio-system', name: 'istio-ingressgateway-1' }, 500, 'InternalError', undefined, 'error executing command in container: failed to exec in container: OCI runtime exec failed: exec failed: unable to start container process: exec: "ls": executable file not found in $PATH: unknown'))],
    ['the exec reports exit 127', () => Promise.resolve({ exitCode: 127, stdout: '', stderr: 'exec: ls: not found' })],
  ])('%s: one exec, SG-T2 skipped with the reason, T3/T7/T8 skipped with it too', async (_how, answer) => {
    execMock.mockImplementation(answer);
    const steps = ledger();
    const ctx = context();
    const started = Date.now();
    for (const step of fileChecks) {
      const reason = steps.skipReason(step, ctx);
      if (reason) steps.recordSkip(step, reason);
      else await steps.run(step, ctx);
    }
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(execMock).toHaveBeenCalledTimes(1);
    const results = steps.report();
    expect(results.map((r) => r.status)).toEqual(['skipped', 'skipped', 'skipped', 'skipped']);
    for (const result of results) expect(result.reason).toMatch(/^the gateway container cannot run `ls` \(.*\): the doc's file checks need ls and cat in the gateway image \(a distroless image has neither\)$/);
  });

  test('a container that has ls but not the files yet is waited for, not skipped', async () => {
    execMock
      .mockResolvedValueOnce({ exitCode: 2, stdout: '', stderr: 'ls: cannot access /etc/istio/ingressgateway-certs: No such file or directory' })
      .mockResolvedValue({ exitCode: 0, stdout: 'lrwxrwxrwx 1 root root 14 Nov 27 23:21 tls.crt -> ..data/tls.crt\nlrwxrwxrwx 1 root root 14 Nov 27 23:21 tls.key -> ..data/tls.key\n', stderr: '' });
    const steps = ledger();
    await steps.run(fileChecks[0]!, context());
    expect(steps.report()[0]).toMatchObject({ id: 'SG-T2', status: 'passed' });
    expect(execMock).toHaveBeenCalledTimes(2);
  });
});
