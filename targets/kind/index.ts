// The kind target and the choice of target, for `npm test` (scripts/conformance.ts) and the
// cluster:up / cluster:down entry points.
export { chooseTarget, checkTwinHost, machineTargetChecks, type TargetChecks, type TargetDecision, type TargetName } from './target';
export { startKindTarget, stopKindCluster, dryRunLines, dryRun, ClusterStepError, type KindCluster, type KindOptions, type KindSettings } from './provision';
export { checkDocker, checkKindPrerequisites, machineChecks, type Check, type MachineChecks } from './prerequisites';
export { fixtures, GATEWAY, HTTPBIN } from './kind-plan';
export { pins, istioVersion, kindVersion, nodeImageFor } from './pins';
