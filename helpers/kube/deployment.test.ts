import { describe, expect, test } from '@jest/globals';
import type { V1Deployment } from '@kubernetes/client-node';
import { rolloutStatus } from './deployment';

function deployment(spec: number | undefined, generation: number, status: V1Deployment['status']): V1Deployment {
  return { metadata: { name: 'httpbin', generation }, spec: { replicas: spec, selector: {}, template: {} }, status };
}

describe('rolloutStatus (as kubectl rollout status)', () => {
  test('ready only when the latest generation is observed and every replica is updated and available', () => {
    expect(rolloutStatus(deployment(2, 3, { observedGeneration: 3, replicas: 2, updatedReplicas: 2, availableReplicas: 2 }))).toEqual({ ready: true, summary: '2 of 2 replicas updated and available' });
    expect(rolloutStatus(deployment(undefined, 1, { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1 })).ready).toBe(true);
  });
  test('each way of not being ready says what is missing', () => {
    expect(rolloutStatus(undefined).summary).toBe('the Deployment does not exist');
    expect(rolloutStatus(deployment(2, 4, { observedGeneration: 3, replicas: 2, updatedReplicas: 2, availableReplicas: 2 })).summary).toBe('waiting for the controller to observe generation 4 (seen 3)');
    expect(rolloutStatus(deployment(2, 3, { observedGeneration: 3, replicas: 3, updatedReplicas: 1, availableReplicas: 2 })).summary).toBe('1 of 2 new replicas updated');
    expect(rolloutStatus(deployment(2, 3, { observedGeneration: 3, replicas: 3, updatedReplicas: 2, availableReplicas: 2 })).summary).toBe('1 old replicas pending termination');
    expect(rolloutStatus(deployment(2, 3, { observedGeneration: 3, replicas: 2, updatedReplicas: 2, availableReplicas: 1 })).summary).toBe('1 of 2 updated replicas available');
    const stalled = deployment(1, 1, { observedGeneration: 1, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "httpbin-1" has timed out progressing.' }] });
    expect(rolloutStatus(stalled)).toEqual({ ready: false, summary: 'exceeded its progress deadline: ReplicaSet "httpbin-1" has timed out progressing.' });
  });
});
