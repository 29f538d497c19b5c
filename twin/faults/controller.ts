// Arms a rehearsal's faults on a running twin, and takes them off again. It writes the
// active-faults file the stand-in's xDS tap and the pod runner read, makes the throwaway
// certificates the xDS faults substitute, and runs the faults that act outside the gateway pod:
// on API objects (a finalizer), in the node's nftables rules (resets, dropped packets) and in the
// container runtime's log of the gateway. Disarming removes everything it added.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Watch } from '@kubernetes/client-node';
import { get, isOwned, read, type KubeClient, type KubeObject } from '../../helpers/kube';
import { docLayoutPaths } from '../../helpers/pki/layout';
import { issueCertificate } from '../../helpers/pki';
import { hasFault, NO_FAULTS, writeActiveFaults, type ActiveFaults, type FaultMaterial } from './active';
import type { FaultName } from './catalogue';

const run = promisify(execFile);

export interface FaultTargets {
  kube: KubeClient;
  /** The node's network namespace and address (the LoadBalancer address too). */
  netns: string;
  nodeAddress: string;
  faultsFile: string;
  /** The twin's pod-logs folder (CRI logs per pod). */
  podLogsDir: string;
  log(line: string): void;
}

export interface ArmOptions {
  faults: FaultName[];
  propagationDelayMs: number;
  host: string;
  /** Where the run's SG-C1 writes the doc's folders (server-cert-wrong-host signs with its intermediate). */
  certDir?: string;
}

const NFT_TABLE = 'igc_faults';
const FINALIZER = 'faults.istio-gateway-conformance/never-cleared';
const GATEWAYS = '/apis/networking.istio.io/v1/gateways';
const GATEWAY_LOG_ERROR =
  'gRPC config for type.googleapis.com/envoy.config.listener.v3.Listener rejected: Error adding/updating listener(s) 0.0.0.0_8443: Failed to load certificate chain from <inline>';

export class FaultController {
  private active: ActiveFaults = NO_FAULTS;
  private stopWatch: (() => void) | undefined;
  private wrongHostTimer: NodeJS.Timeout | undefined;
  private readonly finalized = new Set<string>(); // namespace/name of Gateways given our finalizer
  private readonly logged = new Set<string>(); // Gateways whose creation got the log line
  private dropping = false;

  constructor(private readonly targets: FaultTargets) {}

  async arm(options: ArmOptions): Promise<void> {
    await this.disarm();
    const material = await makeMaterial(options);
    this.active = { faults: options.faults, propagationDelayMs: options.propagationDelayMs, material };
    writeActiveFaults(this.targets.faultsFile, this.active);
    if (hasFault(this.active, 'istiod-down')) await this.nft(`add rule inet ${NFT_TABLE} output tcp dport 15017 reject with tcp reset`);
    if (hasFault(this.active, 'server-cert-wrong-host')) this.followCertDir(options);
    if (['mutual-hangs', 'delete-ignored', 'gateway-log-errors'].some((name) => hasFault(this.active, name as FaultName))) await this.watchGateways();
  }

  /** Takes every fault off: the file, the rules, the watch, and the finalizers it added. */
  async disarm(): Promise<void> {
    this.stopWatch?.();
    this.stopWatch = undefined;
    clearInterval(this.wrongHostTimer);
    this.active = NO_FAULTS;
    writeActiveFaults(this.targets.faultsFile, NO_FAULTS);
    await run('ip', ['netns', 'exec', this.targets.netns, 'nft', 'delete', 'table', 'inet', NFT_TABLE]).catch(() => undefined);
    this.dropping = false;
    for (const key of this.finalized) await this.setFinalizer(key, false).catch((error: Error) => this.targets.log(`faults: could not clear the finalizer of ${key}: ${error.message}`));
    this.finalized.clear();
    this.logged.clear();
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

  // server-cert-wrong-host needs the run's intermediate CA, which SG-C1 writes after the rehearsal starts.
  private followCertDir(options: ArmOptions): void {
    if (!options.certDir) throw new Error('server-cert-wrong-host needs the run\'s CERT_DIR');
    const layout = docLayoutPaths(options.certDir, options.host);
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
      const wrongHost = await issueCertificate({ subject: { CN: 'wrong.example.com' }, dnsNames: ['wrong.example.com'], extendedKeyUsage: ['serverAuth'], issuer });
      this.active = { ...this.active, material: { ...this.active.material, wrongHost } };
      writeActiveFaults(this.targets.faultsFile, this.active);
    };
    this.wrongHostTimer = setInterval(() => void check().catch((error: Error) => this.targets.log(`faults: ${error.message}`)), 100);
    this.wrongHostTimer.unref();
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
      this.finalized.add(key);
      await this.setFinalizer(key, true);
    }
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

  private async setFinalizer(key: string, present: boolean): Promise<void> {
    const [namespace, name] = key.split('/') as [string, string];
    const kube = this.targets.kube;
    const ref = { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', namespace, name };
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
    const service = await read<KubeObject & { spec?: { ports?: Array<{ port: number; nodePort?: number; name?: string }> } }>(this.targets.kube, {
      apiVersion: 'v1',
      kind: 'Service',
      namespace: 'istio-system',
      name: 'istio-ingressgateway',
    });
    const https = service.spec?.ports?.find((port) => port.port === 443 || port.name === 'https');
    return [https?.port ?? 443, ...(https?.nodePort ? [https.nodePort] : [])];
  }

  // The runtime's log file of the gateway's istio-proxy container, in CRI format, as kubectl logs reads it.
  private appendGatewayLog(line: string): void {
    const dirs = fs.existsSync(this.targets.podLogsDir) ? fs.readdirSync(this.targets.podLogsDir).filter((dir) => dir.startsWith('istio-system_istio-ingressgateway-')) : [];
    for (const dir of dirs) {
      const file = path.join(this.targets.podLogsDir, dir, 'istio-proxy.log');
      if (fs.existsSync(file)) fs.appendFileSync(file, `${new Date().toISOString()} stderr F ${line}\n`);
    }
  }
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
