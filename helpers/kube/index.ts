// helpers/kube: the Kubernetes operations the catalogue needs, over @kubernetes/client-node.
export { connect, loadKubeConfig, type ConnectOptions, type KubeClient } from './connect';
export { create, apply, replace, read, get, list, deleteObject, waitGone, type WriteOptions, type ApplyOptions, type DeleteOptions, type ListQuery } from './objects';
export { backupAndReplace, restore, BackupLedger, RestoreError, type BackupEntry } from './backup';
export { waitForDeployment, rolloutStatus, type Rollout } from './deployment';
export { commandMissing, exec, exitCodeOf, type ExecRequest, type ExecResult } from './exec';
export { logs, type LogsRequest } from './logs';
export { portForward, type PortForwardRequest, type PortForwarding } from './portforward';
export { ingressAddress, selectIngressAddress, type IngressAddress } from './ingress';
export { acquireLease, leaseState, LeaseHeldError, LeaseLostError, type LeaseLock, type LeaseOptions } from './lease';
export { KubeApiError, hasReason, type ApiStatus, type KnownReason } from './errors';
export {
  SUITE,
  MANAGED_BY_LABEL,
  RUN_LABEL,
  FIELD_MANAGER,
  newRunId,
  ownershipLabels,
  ownedSelector,
  isOwned,
  runOf,
  OwnershipError,
} from './ownership';
export { redacted, renderObject, guardSecrets } from './redact';
export { refOf, describeTarget, secretObject, type KubeObject, type ObjectRef, type ObjectMeta, type Target } from './types';
