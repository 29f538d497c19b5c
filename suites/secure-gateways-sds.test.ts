// Today's Istio task "Secure Gateways" with credentialName (SDS) as a conformance run: every step
// is a test titled with its ID. The runner (npm test -- --catalogue secure-gateways-sds) prepares
// the target and sets KUBECONFIG.
import { loadSettings } from '../helpers/config';
import { catalogueReportDir, stepResultsFile } from '../helpers/report';
import { defineCatalogue } from './runtime/define';
import { prepareSds } from './secure-gateways-sds/context';
import { sdsDiagnostics } from './secure-gateways-sds/diagnostics';
import { secureGatewaysSds } from './secure-gateways-sds/entry';
import { sdsSteps } from './secure-gateways-sds/steps';

const settings = loadSettings();

defineCatalogue({
  name: secureGatewaysSds.name,
  steps: sdsSteps,
  policy: {
    stopAtFirstFailure: settings.STOP_AT_FIRST_FAILURE,
    only: settings.ONLY_STEPS ? new Set(settings.ONLY_STEPS) : undefined,
  },
  prepare: () => prepareSds(),
  resultsFile: stepResultsFile(settings.REPORT_DIR, secureGatewaysSds.id),
  onFailure: sdsDiagnostics(catalogueReportDir(settings.REPORT_DIR, secureGatewaysSds.id)),
  stepTimeoutMs: settings.WAIT_BUDGET_MS * 2 + 60_000,
  describeRun: (context) => (context ? { profile: 'sds', networkingVersion: context.networkingVersion, kubernetesVersion: context.kube.serverVersion } : {}),
});
