// B: before you begin. Istio installed, httpbin deployed, the ingress address determined.
import { get, ingressAddress, rolloutStatus, type KubeObject } from '../../../helpers/kube';
import type { StepDefinition, StepHandle } from '../../runtime/step';
import { gatewayPods, type SecureGatewaysContext } from '../context';
import { curlBuildStep } from './doc-curl';
import { gatewayServiceObject, httpbinObjects } from '../step-objects';

type Ready = KubeObject & { status?: { conditions?: Array<{ type: string; status: string }> } };
type Service = KubeObject & { spec?: { ports?: Array<{ port: number; name?: string }> } };

const isReady = (pod: Ready): boolean => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

export const beforeYouBegin: StepDefinition<SecureGatewaysContext>[] = [
  {
    id: 'SG-B1',
    title: 'Istio mesh installed, httpbin sample deployed',
    objects: (context) => [gatewayServiceObject(context), ...httpbinObjects(context)],
    run: async (context, step: StepHandle) => {
      const { kube, names } = context;
      step.expected = `namespace ${names.gatewayNamespace}, a Ready ingress gateway pod (istio=${names.gatewaySelector}), httpbin Deployment ready, Service httpbin port 8000`;
      const namespace = await get(kube, { apiVersion: 'v1', kind: 'Namespace', name: names.gatewayNamespace });
      step.expect(namespace !== undefined, `namespace ${names.gatewayNamespace} does not exist: Istio is not installed`);
      const pods = (await gatewayPods(context)) as Ready[];
      const ready = pods.filter(isReady);
      step.expect(ready.length > 0, `${pods.length} gateway pod(s) with istio=${names.gatewaySelector}, none Ready`);
      context.gatewayPod = ready[0]!.metadata!.name!;
      const httpbin = await get(kube, { apiVersion: 'apps/v1', kind: 'Deployment', namespace: names.appNamespace, name: 'httpbin' });
      const rollout = rolloutStatus(httpbin as never);
      step.expect(rollout.ready, `httpbin Deployment in ${names.appNamespace}: ${httpbin ? rollout.summary : 'not found'}`);
      const service = (await get(kube, { apiVersion: 'v1', kind: 'Service', namespace: names.appNamespace, name: 'httpbin' })) as Service | undefined;
      const ports = service?.spec?.ports?.map((p) => p.port) ?? [];
      step.expect(ports.includes(8000), service ? `Service httpbin has ports ${ports.join(', ')}` : 'Service httpbin not found');
      step.observed = `gateway pod ${context.gatewayPod} Ready; httpbin ${rollout.summary}; Service httpbin port 8000`;
    },
  },
  {
    id: 'SG-B2',
    title: 'determine INGRESS_HOST and SECURE_INGRESS_PORT',
    dependsOn: ['SG-B1'],
    objects: (context) => [gatewayServiceObject(context)],
    run: async (context, step: StepHandle) => {
      step.expected = 'the gateway Service exposes 443 (https) at a LoadBalancer address, or a node address and NodePort';
      context.ingress = await ingressAddress(
        context.kube,
        { namespace: context.names.gatewayNamespace, name: context.gatewayService },
        context.settings.INGRESS_ADDRESS,
      );
      step.observed = `INGRESS_HOST=${context.ingress.address}, SECURE_INGRESS_PORT=${context.ingress.port} (${context.ingress.source})`;
    },
  },
  curlBuildStep({ id: 'SG-B3', title: 'macOS: curl must be built with LibreSSL' }),
];
