// The objects Secure Gateways steps depend on, by the doc's names: what a failed step's
// diagnostics bundle reads back from the API server (StepDefinition.objects).
import type { StepObject } from '../runtime/step';
import type { SecureGatewaysContext } from './context';

export function gatewayServiceObject(context: SecureGatewaysContext): StepObject {
  return { apiVersion: 'v1', kind: 'Service', namespace: context.names.gatewayNamespace, name: context.gatewayService };
}

/** The httpbin sample's Deployment and Service. */
export function httpbinObjects(context: SecureGatewaysContext): StepObject[] {
  return [
    { apiVersion: 'apps/v1', kind: 'Deployment', namespace: context.names.appNamespace, name: 'httpbin' },
    { apiVersion: 'v1', kind: 'Service', namespace: context.names.appNamespace, name: 'httpbin' },
  ];
}

/** What most steps depend on (the default): the doc's Gateway and VirtualService, and the gateway's Service. */
export function docObjects(context: SecureGatewaysContext): StepObject[] {
  const { names, networkingVersion } = context;
  return [
    { apiVersion: networkingVersion, kind: 'Gateway', namespace: names.appNamespace, name: names.gatewayName },
    { apiVersion: networkingVersion, kind: 'VirtualService', namespace: names.appNamespace, name: names.virtualServiceName },
    gatewayServiceObject(context),
  ];
}
