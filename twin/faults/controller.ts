// Arms a rehearsal's faults on a running twin, and takes them off again. It writes the
// active-faults file the stand-in's xDS tap and the pod runner read, makes the throwaway
// certificates the faults substitute, and runs the faults that act outside the gateway pod: on
// API objects (finalizers, the gateway Service's ports), through an admission webhook, in the
// node's nftables rules (resets, dropped packets), in the container runtime's log and exec entry
// of the gateway, and in the cert folder the run is given. Arming waits until a fault is in
// force; disarming removes everything it added and waits until the twin is as it was.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Watch } from '@kubernetes/client-node';
import { eventually } from '../../helpers/eventually';
import { get, isOwned, list, read, type KubeClient, type KubeObject, type ObjectRef } from '../../helpers/kube';
import { FILE_MOUNT } from '../../helpers/istio/conventions';
import { docLayoutPaths } from '../../helpers/pki/layout';
import { issueCertificate } from '../../helpers/pki';
import { containerEntryFile } from '../pods/hook';
import { DEFAULT_FAULT_OBJECTS, hasFault, NO_FAULTS, writeActiveFaults, type ActiveFaults, type FaultMaterial, type FaultObjects } from './active';
import { isAdmissionFault } from './admission-patches';
import { AdmissionFaults } from './admission';
import type { FaultName } from './names';
import { linkLeafFolders } from './cert-dir';
import { ExecViewRewrites } from './exec-view';
import { GATEWAY_SERVICE, moveHttpsPort, renameHttpsPort, ServicePortFault } from './service-ports';

const run = promisify(execFile);

export interface FaultTargets {
  kube: KubeClient;
  /** The node's network namespace and address (the LoadBalancer address too). */
  netns: string;
  nodeAddress: string;
  /** The host's end of the node's veth: where the API server reaches the admission faults' webhook. */
  hostAddress: string;
  faultsFile: string;
  /** The twin's pod-logs folder (CRI logs per pod). */
  podLogsDir: string;
  /** The pod runner's exec index (twin/pods/hook.ts): how exec enters each container. */
  execIndexDir: string;
  log(line: string): void;
}

export interface ArmOptions {
  faults: FaultName[];
  /** The rehearsed catalogue's objects the faults act on; Istio's default gateway with the 2018 doc's names when unset. */
  objects?: FaultObjects;
  propagationDelayMs: number;
  host: string;
  /** Where the run's SG-C1 writes the doc's folders (server-cert-wrong-host signs with its intermediate). */
  certDir?: string;
}

const NFT_TABLE = 'igc_faults';
const FINALIZER = 'faults.istio-gateway-conformance/never-cleared';
const GATEWAYS = '/apis/networking.istio.io/v1/gateways';
const PROXY_CONTAINER = 'istio-proxy';
/** The httpbin sample's Service, in the catalogue's app namespace. */
const httpbinService = (objects: FaultObjects): ObjectRef => ({ apiVersion: 'v1', kind: 'Service', namespace: objects.appNamespace, name: 'httpbin' });
/** How long arming and disarming wait for the twin to show a fault (or its absence). */
const SETTLE_BUDGET_MS = 30_000;
/** Which volume each exec fault binds at which of the doc's paths: [shown at, taken from]. */
const EXEC_REBINDS: Partial<Record<FaultName, [string, string]>> = {
  'exec-certs-dir-wrong-volume': [FILE_MOUNT.certDir, FILE_MOUNT.caDir],
  'exec-ca-dir-wrong-volume': [FILE_MOUNT.caDir, FILE_MOUNT.certDir],
};
const GATEWAY_LOG_ERROR =
  'gRPC config for type.googleapis.com/envoy.config.listener.v3.Listener rejected: Error adding/updating listener(s) 0.0.0.0_8443: Failed to load certificate chain from <inline>';

export class FaultController {
  private active: ActiveFaults = NO_FAULTS;
  private stopWatch: (() => void) | undefined;
  private certDirTimer: NodeJS.Timeout | undefined;
  private readonly finalized = new Map<string, ObjectRef>(); // objects given our finalizer, by "Kind namespace/name"
  private readonly logged = new Set<string>(); // Gateways whose creation got the log line
  private dropping = false;
  private admission: AdmissionFaults | undefined;
  private readonly servicePorts: ServicePortFault;
  private readonly execViews = new ExecViewRewrites();
  private gatewayMadeUnready = false;

  constructor(private readonly targets: FaultTargets) {
    this.servicePorts = new ServicePortFault(targets.kube);
  }

  async arm(options: ArmOptions): Promise<void> {
    await this.disarm();
    const material = await makeMaterial(options);
    this.active = { faults: options.faults, objects: options.objects ?? DEFAULT_FAULT_OBJECTS, propagationDelayMs: options.propagationDelayMs, material };
    writeActiveFaults(this.targets.faultsFile, this.active);
    const armed = (name: FaultName) => hasFault(this.active, name);
    if (armed('istiod-down')) await this.nft(`add rule inet ${NFT_TABLE} output tcp dport 15017 reject with tcp reset`);
    if (armed('server-cert-wrong-host') || armed('mounted-cert-other-serial')) this.followCertDir(options);
    if (['mutual-hangs', 'delete-ignored', 'gateway-log-errors', 'service-port-moved'].some((name) => armed(name as FaultName))) await this.watchGateways();
    if (armed('gateway-not-ready')) {
      this.gatewayMadeUnready = true;
      await this.waitGatewayReady(false);
    }
    if (armed('gateway-service-no-https')) await this.servicePorts.change(renameHttpsPort);
    if (armed('cert-dir-leaf-folders-linked')) linkLeafFolders(needCertDir(options, 'cert-dir-leaf-folders-linked'));
    const admission = options.faults.filter(isAdmissionFault);
    if (admission.length > 0) this.admission = await AdmissionFaults.arm(this.targets.kube, { faults: admission, objects: this.active.objects, listenAddress: this.targets.hostAddress, host: options.host });
    for (const [name, [shownAt, takenFrom]] of Object.entries(EXEC_REBINDS)) if (armed(name as FaultName)) await this.rebindExec(shownAt, takenFrom);
    if (armed('httpbin-delete-stuck')) await this.setFinalizer(httpbinService(this.active.objects), true);
  }

  /** Takes every fault off (the file, rules, watch, webhook, patches, finalizers) and waits until the twin is as it was. */
  async disarm(): Promise<void> {
    const objects = this.active.objects;
    this.stopWatch?.();
    this.stopWatch = undefined;
    clearInterval(this.certDirTimer);
    this.active = { ...NO_FAULTS, objects }; // the gateway is still the one the faults acted on
    writeActiveFaults(this.targets.faultsFile, NO_FAULTS);
    const undo = async (what: string, work: () => Promise<void>) => work().catch((error: Error) => this.targets.log(`faults: could not ${what}: ${error.message}`));
    await run('ip', ['netns', 'exec', this.targets.netns, 'nft', 'delete', 'table', 'inet', NFT_TABLE]).catch(() => undefined);
    this.dropping = false;
    for (const [key, ref] of this.finalized) await undo(`clear the finalizer of ${key}`, () => this.setFinalizer(ref, false));
    this.finalized.clear();
    this.logged.clear();
    const admission = this.admission;
    this.admission = undefined;
    if (admission) await undo('remove the admission webhook', () => admission.disarm());
    await undo('put the gateway Service\'s ports back', () => this.servicePorts.restore());
    this.execViews.restore();
    if (this.gatewayMadeUnready) {
      this.gatewayMadeUnready = false;
      await undo('see the gateway Ready again', () => this.waitGatewayReady(true));
    }
    // A deletion the finalizer held completes now: the next rehearsal deploys httpbin afresh.
    await undo('see the httpbin Service deletion complete', () => this.waitNotTerminating(httpbinService(objects)));
  }

  /** Adds rules to the fault table in the node (created on first use, filter hooks before kube-proxy's). */
  private async nft(rule: string): Promise<void> {
    const script = [
      `add table inet ${NFT_TABLE}`,
      `add chain inet ${NFT_TABLE} output { type filter hook output priority 0 ; }`,
      `add chain inet ${NFT_TABLE} prerouting { type filter hook prerouting priority -300 ; }`,
      rule,
    ].join('\n');
    const child = execFile('ip', ['netns', 'exec', this.targets.netns, 'nft', '-f', '-']);
    const done = new Promise<void>((resolve, reject) => child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`nft exited ${code}`)))));
    child.stdin?.end(script);
    await done;
  }

  // server-cert-wrong-host and mounted-cert-other-serial need the run's intermediate CA, which
  // SG-C1 writes after the rehearsal starts.
  private followCertDir(options: ArmOptions): void {
    const layout = docLayoutPaths(needCertDir(options, 'a fault that signs with the run\'s intermediate CA'), options.host);
    let seen = '';
    const check = async () => {
      let stamp: string;
      try {
        stamp = String(fs.statSync(layout.intermediateKey).mtimeMs);
      } catch {
        return;
      }
      if (stamp === seen) return;
      seen = stamp;
      const issuer = { certPem: fs.readFileSync(layout.intermediateCert, 'utf8'), keyPem: fs.readFileSync(layout.intermediateKey, 'utf8') };
      const forHost = (host: string) => issueCertificate({ subject: { CN: host }, dnsNames: [host], extendedKeyUsage: ['serverAuth'], issuer });
      const material: FaultMaterial = { ...this.active.material };
      if (hasFault(this.active, 'server-cert-wrong-host')) material.wrongHost = await forHost('wrong.example.com');
      if (hasFault(this.active, 'mounted-cert-other-serial')) material.otherServer = await forHost(options.host);
      this.active = { ...this.active, material };
      writeActiveFaults(this.targets.faultsFile, this.active);
    };
    this.certDirTimer = setInterval(() => void check().catch((error: Error) => this.targets.log(`faults: ${error.message}`)), 100);
    this.certDirTimer.unref();
  }

  private async watchGateways(): Promise<void> {
    const watch = new Watch(this.targets.kube.kubeConfig);
    let stopped = false;
    let request: { abort(): void } | undefined;
    const start = async () => {
      if (stopped) return;
      request = await watch.watch(
        GATEWAYS,
        {},
        (type: string, object: KubeObject & { spec?: { servers?: Array<{ tls?: { mode?: string } }> } }) => {
          if (type === 'DELETED' || !isOwned(object)) return;
          void this.onGateway(type, object).catch((error: Error) => this.targets.log(`faults: ${error.message}`));
        },
        () => void setTimeout(() => void start().catch(() => undefined), 200),
      );
    };
    await start();
    this.stopWatch = () => {
      stopped = true;
      request?.abort();
    };
  }

  private async onGateway(type: string, gateway: KubeObject & { spec?: { servers?: Array<{ tls?: { mode?: string } }> } }): Promise<void> {
    const key = `${gateway.metadata?.namespace}/${gateway.metadata?.name}`;
    if (hasFault(this.active, 'delete-ignored') && !gateway.metadata?.deletionTimestamp && !gateway.metadata?.finalizers?.includes(FINALIZER)) {
      await this.setFinalizer({ apiVersion: 'networking.istio.io/v1', kind: 'Gateway', namespace: gateway.metadata!.namespace!, name: gateway.metadata!.name! }, true);
    }
    // service-port-moved: the suite's first Gateway comes after SG-B2 read the Service.
    if (hasFault(this.active, 'service-port-moved') && type === 'ADDED') await this.servicePorts.change(moveHttpsPort);
    if (hasFault(this.active, 'gateway-log-errors') && type === 'ADDED' && !this.logged.has(key)) {
      this.logged.add(key);
      this.appendGatewayLog(`[${new Date().toISOString().replace('T', ' ').replace('Z', '')}][15][warning][config] [source/extensions/config_subscription/grpc/grpc_mux_impl.cc:372] ${GATEWAY_LOG_ERROR}`);
    }
    const mutual = gateway.spec?.servers?.some((server) => server.tls?.mode === 'MUTUAL') ?? false;
    if (hasFault(this.active, 'mutual-hangs') && mutual && !this.dropping) {
      this.dropping = true;
      const ports = await this.gatewayPorts();
      await this.nft(`add rule inet ${NFT_TABLE} prerouting ip daddr ${this.targets.nodeAddress} tcp dport { ${ports.join(', ')} } drop`);
    }
  }

  private async setFinalizer(ref: ObjectRef, present: boolean): Promise<void> {
    const kube = this.targets.kube;
    if (present) this.finalized.set(`${ref.kind} ${ref.namespace}/${ref.name}`, ref);
    const current = await get(kube, ref);
    if (!current) return;
    const where = await kube.transport.pathOf(ref, 'patch');
    const others = (current.metadata?.finalizers ?? []).filter((finalizer) => finalizer !== FINALIZER);
    const finalizers = present ? [...others, FINALIZER] : others;
    // No resourceVersion: a concurrent change (the suite replacing the Gateway) must not make it miss.
    await kube.transport.request('PATCH', where, { contentType: 'application/merge-patch+json', body: { metadata: { finalizers } } });
  }

  /** The https port of the gateway Service: its port (LoadBalancer address) and its NodePort. */
  private async gatewayPorts(): Promise<number[]> {
    const service = await read<KubeObject & { spec?: { ports?: Array<{ port: number; nodePort?: number; name?: string }> } }>(this.targets.kube, GATEWAY_SERVICE);
    const https = service.spec?.ports?.find((port) => port.port === 443 || port.name === 'https');
    return [https?.port ?? 443, ...(https?.nodePort ? [https.nodePort] : [])];
  }

  /** The catalogue's gateway pods (by default istio-system, istio=ingressgateway). */
  private async gatewayPods(): Promise<Array<KubeObject & { status?: { conditions?: Array<{ type: string; status: string }> } }>> {
    const { gatewayNamespace, gatewaySelector } = this.active.objects;
    return list(this.targets.kube, { apiVersion: 'v1', kind: 'Pod', namespace: gatewayNamespace, labels: { istio: gatewaySelector } });
  }

  /** Waits until the gateway pods report Ready (or, for gateway-not-ready, none does). */
  private async waitGatewayReady(ready: boolean): Promise<void> {
    const isReady = (pod: { status?: { conditions?: Array<{ type: string; status: string }> } }) => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    await eventually(
      () => this.gatewayPods(),
      (pods) => pods.length > 0 && (ready ? pods.every(isReady) : !pods.some(isReady)),
      { budgetMs: SETTLE_BUDGET_MS, converge: 1, initialDelayMs: 100, maxDelayMs: 500, expectation: `the gateway pods ${ready ? 'Ready' : 'not Ready'}`, render: (pods) => `${pods.filter(isReady).length} of ${pods.length} Ready` },
    );
  }

  /** Waits until the object is gone or not being deleted (a deletion a finalizer held has completed). */
  private async waitNotTerminating(ref: ObjectRef): Promise<void> {
    await eventually(
      () => get(this.targets.kube, ref),
      (object) => !object?.metadata?.deletionTimestamp,
      { budgetMs: SETTLE_BUDGET_MS, converge: 1, initialDelayMs: 50, maxDelayMs: 500, expectation: `${ref.kind} ${ref.namespace}/${ref.name} deleted or not terminating` },
    );
  }

  // The exec faults: the runtime's exec entry of each gateway pod's istio-proxy binds another volume.
  private async rebindExec(shownAt: string, takenFrom: string): Promise<void> {
    const pods = (await this.gatewayPods()).map((pod) => pod.metadata?.name ?? '');
    const entries = pods.map((pod) => containerEntryFile({ index: this.targets.execIndexDir }, this.active.objects.gatewayNamespace, pod, PROXY_CONTAINER)).filter((file) => fs.existsSync(file));
    const rebound = entries.filter((file) => this.execViews.rebind(file, shownAt, takenFrom));
    if (rebound.length === 0) throw new Error(`no running gateway container binds ${shownAt} and ${takenFrom}: the exec fault cannot be armed`);
  }

  // The runtime's log file of the gateway's istio-proxy container, in CRI format, as kubectl logs reads it.
  private appendGatewayLog(line: string): void {
    const dirs = fs.existsSync(this.targets.podLogsDir) ? fs.readdirSync(this.targets.podLogsDir).filter((dir) => dir.startsWith(`${this.active.objects.gatewayNamespace}_istio-ingressgateway-`)) : [];
    for (const dir of dirs) {
      const file = path.join(this.targets.podLogsDir, dir, 'istio-proxy.log');
      if (fs.existsSync(file)) fs.appendFileSync(file, `${new Date().toISOString()} stderr F ${line}\n`);
    }
  }
}

function needCertDir(options: ArmOptions, what: string): string {
  if (!options.certDir) throw new Error(`${what} needs the run's CERT_DIR`);
  return options.certDir;
}

async function makeMaterial(options: ArmOptions): Promise<FaultMaterial> {
  const material: FaultMaterial = {};
  if (options.faults.includes('server-cert-self-signed')) {
    material.selfSigned = await issueCertificate({ subject: { CN: options.host }, dnsNames: [options.host], extendedKeyUsage: ['serverAuth'] });
  }
  if (options.faults.includes('mutual-rejects-valid-client')) {
    material.unrelatedCaPem = (await issueCertificate({ subject: { CN: 'Unrelated Root CA' }, ca: {} })).certPem;
  }
  return material;
}
