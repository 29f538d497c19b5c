// The admission faults' webhook: a real HTTPS server in the rehearsal's process, on the host's
// end of the node's veth (the API server runs in the node's namespace and reaches it there), and
// a real MutatingWebhookConfiguration that sends it the doc's objects. The API server calls it as
// it calls any webhook, and stores what the patch makes. A configuration takes effect (and goes)
// only once the API server has read it: arming and disarming wait for that with dry-run writes,
// which call the webhook too (sideEffects None), counted by the server.
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { create, deleteObject, type KubeClient, type KubeObject } from '../../helpers/kube';
import { issueCertificate } from '../../helpers/pki';
import { admissionPatch, admissionTarget, webhookConfiguration, type AdmissionFault, type AdmissionMaterial, type AdmissionTarget } from './admission-patches';
import type { FaultObjects } from './active';

export const WEBHOOK_CONFIGURATION = 'istio-gateway-conformance-faults';
const CONFIGURATION_REF = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', name: WEBHOOK_CONFIGURATION };
const PROPAGATION_BUDGET_MS = 20_000;

interface AdmissionReview {
  request?: { uid?: string; object?: Record<string, unknown> };
}

/** The server alone: answers AdmissionReviews at /<fault>, and counts the calls per fault. */
export class AdmissionServer {
  private constructor(
    private readonly server: https.Server,
    readonly url: string,
    readonly caPem: string,
    private readonly calls: Map<string, number>,
  ) {}

  /** Starts on `address` (port chosen by the system) with a certificate for that address from a CA of its own. */
  static async start(address: string, faults: readonly AdmissionFault[], material: AdmissionMaterial): Promise<AdmissionServer> {
    const ca = await issueCertificate({ subject: { CN: 'istio-gateway-conformance faults webhook CA' }, ca: {}, keyType: 'ecdsa' });
    const serving = await issueCertificate({ subject: { CN: 'istio-gateway-conformance faults webhook' }, ipAddresses: [address], extendedKeyUsage: ['serverAuth'], keyType: 'ecdsa', issuer: ca });
    const calls = new Map<string, number>();
    const server = https.createServer({ cert: serving.certPem, key: serving.keyPem }, (request, response) => {
      // The API server adds ?timeout=5s to the configured URL.
      const fault = new URL(request.url ?? '/', 'https://webhook').pathname.slice(1) as AdmissionFault;
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        calls.set(fault, (calls.get(fault) ?? 0) + 1);
        let review: AdmissionReview;
        try {
          review = JSON.parse(body) as AdmissionReview;
        } catch {
          response.writeHead(400).end('not an AdmissionReview');
          return;
        }
        const patch = faults.includes(fault) ? admissionPatch(fault, review.request?.object ?? {}, material) : [];
        const answer = {
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          response: { uid: review.request?.uid ?? '', allowed: true, ...(patch.length > 0 ? { patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64') } : {}) },
        };
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, address, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    return new AdmissionServer(server, `https://${address}:${port}`, ca.certPem, calls);
  }

  /** How many AdmissionReviews the fault's path has answered. */
  callsOf(fault: AdmissionFault): number {
    return this.calls.get(fault) ?? 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The armed admission faults: the server and the configuration that routes to it. */
export class AdmissionFaults {
  private constructor(
    private readonly kube: KubeClient,
    private readonly server: AdmissionServer,
    private readonly faults: readonly AdmissionFault[],
    private readonly objects: FaultObjects,
  ) {}

  static async arm(kube: KubeClient, options: { faults: readonly AdmissionFault[]; objects: FaultObjects; listenAddress: string; host: string }): Promise<AdmissionFaults> {
    await removeConfiguration(kube); // one a killed rehearsal left
    const substitute = await issueCertificate({ subject: { CN: options.host }, dnsNames: [options.host], extendedKeyUsage: ['serverAuth'], keyType: 'ecdsa' });
    const server = await AdmissionServer.start(options.listenAddress, options.faults, { substituteCertPem: substitute.certPem, caKey: options.objects.caKey });
    const armed = new AdmissionFaults(kube, server, options.faults, options.objects);
    try {
      await create(kube, webhookConfiguration(WEBHOOK_CONFIGURATION, options.faults, options.objects, server.url, server.caPem) as KubeObject, { stamp: false });
      await armed.waitUntil('in force', true);
      return armed;
    } catch (error) {
      await removeConfiguration(kube).catch(() => undefined);
      await server.close();
      throw error;
    }
  }

  async disarm(): Promise<void> {
    try {
      await removeConfiguration(this.kube);
      await this.waitUntil('out of force', false);
    } finally {
      await this.server.close();
    }
  }

  /** Dry-run writes of each fault's object until every one reaches the webhook (or none does). */
  private async waitUntil(what: string, called: boolean): Promise<void> {
    const started = Date.now();
    for (const fault of this.faults) {
      for (;;) {
        const before = this.server.callsOf(fault);
        const outcome = await dryRunWrite(this.kube, admissionTarget(fault, this.objects));
        if (this.server.callsOf(fault) > before === called) break;
        if (Date.now() - started > PROPAGATION_BUDGET_MS) throw new Error(`the webhook of ${fault} is not ${what} after ${PROPAGATION_BUDGET_MS / 1000} s (the last dry-run write: ${outcome})`);
        await delay(200);
      }
    }
  }
}

// A write the API server admits and then forgets: whether it is stored (Istio's validation may
// refuse the empty object) does not matter, only whether our webhook was called; the outcome is
// kept for the message when it never is.
async function dryRunWrite(kube: KubeClient, target: AdmissionTarget): Promise<string> {
  const object = { apiVersion: target.apiVersion, kind: target.kind, metadata: { name: target.name, namespace: target.namespace }, ...(target.kind === 'Secret' ? { type: 'Opaque' } : { spec: {} }) };
  return create(kube, object as KubeObject, { dryRun: true, stamp: false }).then(
    () => 'admitted',
    (error: Error) => error.message,
  );
}

async function removeConfiguration(kube: KubeClient): Promise<void> {
  await deleteObject(kube, CONFIGURATION_REF, { adoptUnowned: true, waitBudgetMs: PROPAGATION_BUDGET_MS });
}
