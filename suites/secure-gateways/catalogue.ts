// The Secure Gateways (HTTPS) catalogue, in the doc's order (STEPS.md).
import type { StepDefinition } from '../runtime/step';
import type { SecureGatewaysContext } from './context';
import { beforeYouBegin } from './steps/before';
import { certificates } from './steps/certs';
import { drainSteps } from './steps/drain';
import { cleanup } from './steps/cleanup';
import { mutualTls } from './steps/mutual';
import { simpleTls } from './steps/simple';
import { troubleshooting } from './steps/troubleshooting';

import { CATALOGUE_ID, CATALOGUE_NAME } from './entry';

/** The catalogue's ID: its folder's name, and where its diagnostics go under the reports (`reports/secure-gateways/diagnostics/`). */
export const SECURE_GATEWAYS_ID = CATALOGUE_ID;
export const SECURE_GATEWAYS_NAME = CATALOGUE_NAME;

export const secureGatewaysCatalogue: ReadonlyArray<StepDefinition<SecureGatewaysContext>> = [
  ...beforeYouBegin,
  ...certificates,
  ...simpleTls,
  drainSteps[0]!, // SG-S6: an HTTP/2 connection opened under SIMPLE, held
  ...mutualTls,
  drainSteps[1]!, // SG-M6: that connection drained after the switch to MUTUAL
  ...troubleshooting,
  ...cleanup,
];
