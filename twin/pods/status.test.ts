import { describe, expect, test } from '@jest/globals';
import type { V1Pod } from '@kubernetes/client-node';
import { podPhase, podStatus, type ContainerView, type PodView } from './status';

const pod = (restartPolicy = 'Always'): V1Pod => ({ metadata: { name: 'p', namespace: 'ns' }, spec: { restartPolicy, containers: [{ name: 'a' }, { name: 'b' }] } });
const running = (name: string, ready: boolean): ContainerView => ({ name, image: 'img', state: { running: { startedAt: new Date(0) } }, restartCount: 0, started: true, ready });
const waiting = (name: string, reason = 'ContainerCreating'): ContainerView => ({ name, image: 'img', state: { waiting: { reason } }, restartCount: 0, started: false, ready: false });
const exited = (name: string, exitCode: number): ContainerView => ({ name, image: 'img', state: { terminated: { exitCode } }, restartCount: 0, started: false, ready: false });
const view = (containers: ContainerView[], extra: Partial<PodView> = {}): PodView => ({ hostIP: '10.250.0.2', podIP: '10.244.0.3', sandboxReady: true, initialized: true, initContainers: [], containers, ...extra });

describe('podPhase', () => {
  test('Pending until every container has started once; Running while any runs or restarts', () => {
    expect(podPhase(pod(), view([running('a', true), waiting('b')]))).toBe('Pending');
    expect(podPhase(pod(), view([running('a', true), running('b', false)]))).toBe('Running');
    const crashLooping = { ...waiting('b', 'CrashLoopBackOff'), lastTerminated: { exitCode: 1 } };
    expect(podPhase(pod(), view([running('a', true), crashLooping]))).toBe('Running');
    expect(podPhase(pod(), view([running('a', true)], { initialized: false }))).toBe('Pending');
  });

  test('Succeeded and Failed only for pods that do not restart', () => {
    expect(podPhase(pod('Never'), view([exited('a', 0), exited('b', 0)]))).toBe('Succeeded');
    expect(podPhase(pod('Never'), view([exited('a', 0), exited('b', 2)]))).toBe('Failed');
    expect(podPhase(pod('OnFailure'), view([exited('a', 0), exited('b', 2)]))).toBe('Running');
    expect(podPhase(pod(), view([exited('a', 0), exited('b', 0)]))).toBe('Running');
  });
});

describe('podStatus', () => {
  test('Ready and ContainersReady only when every container is ready; IPs and container states reported', () => {
    const notReady = podStatus(pod(), view([running('a', true), running('b', false)]), new Date(1000));
    const conditions = Object.fromEntries(notReady.conditions!.map((c) => [c.type, c.status]));
    expect(conditions).toEqual({ PodScheduled: 'True', PodReadyToStartContainers: 'True', Initialized: 'True', ContainersReady: 'False', Ready: 'False' });
    expect(notReady).toMatchObject({ phase: 'Running', podIP: '10.244.0.3', podIPs: [{ ip: '10.244.0.3' }], hostIP: '10.250.0.2' });
    expect(notReady.containerStatuses!.map((c) => [c.name, c.ready, c.started])).toEqual([['a', true, true], ['b', false, true]]);

    const ready = podStatus({ ...pod(), status: notReady }, view([running('a', true), running('b', true)]), new Date(5000));
    const byType = Object.fromEntries(ready.conditions!.map((c) => [c.type, c]));
    expect(byType.Ready!.status).toBe('True');
    expect(byType.Ready!.lastTransitionTime).toEqual(new Date(5000));
    expect(byType.Initialized!.lastTransitionTime).toEqual(new Date(1000)); // unchanged status keeps its time
  });

  test('readiness gates hold Ready back until their condition is True', () => {
    const gated: V1Pod = { ...pod(), spec: { ...pod().spec!, readinessGates: [{ conditionType: 'example.com/gate' }] } };
    const status = podStatus(gated, view([running('a', true), running('b', true)]));
    expect(status.conditions!.find((c) => c.type === 'Ready')!.status).toBe('False');
    const opened = { ...gated, status: { conditions: [{ type: 'example.com/gate', status: 'True' }] } };
    expect(podStatus(opened, view([running('a', true), running('b', true)])).conditions!.find((c) => c.type === 'Ready')!.status).toBe('True');
  });
});
