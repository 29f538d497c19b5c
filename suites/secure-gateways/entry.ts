// The Secure Gateways (HTTPS) catalogue's registry entry: its ID (its folder here and under the
// reports: reports/secure-gateways/…), its name, its STEPS.md, the jest file that runs it and the
// objects it creates.
// suites/secure-gateways/seen-failing.test.ts holds STEPS.md and the steps' code to the same IDs.
import path from 'node:path';
import { documentedStepIds, type CatalogueEntry, type CreatedObject, type ObjectScope } from '../runtime/catalogue-entry';
import { caSecretName, DOC_NAMES, serverSecretName } from './manifests';

export const secureGateways: CatalogueEntry = {
  id: 'secure-gateways',
  name: 'Secure Gateways (HTTPS)',
  stepsFile: path.join(__dirname, 'STEPS.md'),
  suiteFile: path.join(__dirname, '..', 'secure-gateways.test.ts'),
  stepIdPrefix: 'SG-',
  createdObjects,
};

/** The secrets of both profiles (S1, M1), the Gateway (S2, M2) and the VirtualService (S3). */
function createdObjects(scope: ObjectScope): CreatedObject[] {
  const secretNames = [...new Set((['file-mount', 'sds'] as const).flatMap((profile) => [serverSecretName(profile), caSecretName(profile)]))];
  return [
    ...secretNames.map((name) => ({ apiGroup: '', kind: 'Secret', namespace: scope.gatewayNamespace, name })),
    { apiGroup: 'networking.istio.io', kind: 'Gateway', namespace: scope.appNamespace, name: DOC_NAMES.gatewayName },
    { apiGroup: 'networking.istio.io', kind: 'VirtualService', namespace: scope.appNamespace, name: DOC_NAMES.virtualServiceName },
  ];
}

/** The step IDs of STEPS.md's tables, in its order. */
export function secureGatewaysStepIds(): string[] {
  return documentedStepIds(secureGateways);
}
