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
