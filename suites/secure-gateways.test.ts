// The Istio task "Secure Gateways (HTTPS)" as a conformance run: every step of the doc is a test
// titled with its ID. The runner (npm test) prepares the target and sets KUBECONFIG.
import { loadSettings } from '../helpers/config';
import { defineCatalogue } from './runtime/define';
import { catalogueReportDir, stepResultsFile } from '../helpers/report';
import { secureGatewaysCatalogue } from './secure-gateways/catalogue';
import { secureGateways } from './secure-gateways/entry';
import { prepareSecureGateways } from './secure-gateways/context';
import { secureGatewaysDiagnostics } from './secure-gateways/diagnostics';

const settings = loadSettings();
// Its step results, JUnit XML and diagnostics bundles go in its own folder: reports/secure-gateways/.
const catalogueDir = catalogueReportDir(settings.REPORT_DIR, secureGateways.id);

defineCatalogue({
  name: secureGateways.name,
  steps: secureGatewaysCatalogue,
  policy: {
    stopAtFirstFailure: settings.STOP_AT_FIRST_FAILURE,
    only: settings.ONLY_STEPS ? new Set(settings.ONLY_STEPS) : undefined,
  },
  prepare: () => prepareSecureGateways(),
  resultsFile: stepResultsFile(settings.REPORT_DIR, secureGateways.id),
  // A failed step's diagnostics: reports/secure-gateways/diagnostics/<step ID>/ (helpers/diagnostics).
  onFailure: secureGatewaysDiagnostics(catalogueDir),
  // A step's own waits are bounded by WAIT_BUDGET_MS (FILE_MOUNT_WAIT_MS when larger, on a real
  // kubelet); jest's limit sits above them.
  stepTimeoutMs: Math.max(settings.WAIT_BUDGET_MS, settings.FILE_MOUNT_WAIT_MS ?? 0) * 2 + 60_000,
  describeRun: (context) =>
    context
      ? { profile: context.profile, profileReason: context.profileReason, networkingVersion: context.networkingVersion, kubernetesVersion: context.kube.serverVersion }
      : {},
});
