// The Secure Gateways (credentialName, SDS) catalogue's registry entry: its ID (its folder and
// reports/secure-gateways-sds/), its name, its STEPS.md, the jest file that runs it and the
// objects it creates.
import path from 'node:path';
import { documentedStepIds, type CatalogueEntry, type CreatedObject, type ObjectScope } from '../runtime/catalogue-entry';
import { SDS_NAMES } from './manifests';

export const secureGatewaysSds: CatalogueEntry = {
  id: 'secure-gateways-sds',
  name: 'Secure Gateways (credentialName, SDS)',
  stepsFile: path.join(__dirname, 'STEPS.md'),
  suiteFile: path.join(__dirname, '..', 'secure-gateways-sds.test.ts'),
  stepIdPrefix: 'SDS-',
  createdObjects,
};

/** The credential (S1, M1, R1), the Gateway (S2, M1) and the VirtualService (S3). */
function createdObjects(scope: ObjectScope): CreatedObject[] {
  return [
    { apiGroup: '', kind: 'Secret', namespace: scope.gatewayNamespace, name: SDS_NAMES.credential },
    { apiGroup: 'networking.istio.io', kind: 'Gateway', namespace: scope.appNamespace, name: SDS_NAMES.gatewayName },
    { apiGroup: 'networking.istio.io', kind: 'VirtualService', namespace: scope.appNamespace, name: SDS_NAMES.virtualServiceName },
  ];
}

export function secureGatewaysSdsStepIds(): string[] {
  return documentedStepIds(secureGatewaysSds);
}
