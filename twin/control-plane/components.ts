// The command lines of the control plane's components, as kubeadm and kwokctl would write them,
// for one node whose namespace holds them all. Each function returns a ProcessSpec for the
// supervisor; the start order and readiness checks are in start.ts.
import path from 'node:path';
import type { ProcessSpec } from '../process/supervisor';
import { clusterCidr, serviceCidr } from '../node/addresses';
import { frontProxyClientName, type ClusterPkiFiles } from './pki';
import { ports } from './ports';

/** Where one twin keeps its control plane's files (all under its state folder). */
export interface ControlPlaneLayout {
  stateDir: string;
  nodeName: string;
  nodeAddress: string;
  pki: ClusterPkiFiles;
  /** The admin kubeconfig the components use (server: the node address). */
  kubeconfig: string;
  etcdDataDir: string;
  /** Folder for generated config files (kube-proxy, kwok). */
  configDir: string;
  /** Scratch folder given as --cert-dir (nothing is written to /var/run/kubernetes). */
  certDir: string;
  /** HOME of the components, so none reads or writes the caller's (kwok reads ~/.kwok/kwok.yaml). */
  homeDir: string;
}

export function etcdSpec(binary: string, layout: ControlPlaneLayout): ProcessSpec {
  return {
    name: 'etcd',
    command: binary,
    args: [
      `--data-dir=${layout.etcdDataDir}`,
      `--listen-client-urls=http://127.0.0.1:${ports.etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
      // A test cluster, new at every start: fsync buys nothing and costs seconds on a busy disk.
      '--unsafe-no-fsync',
    ],
  };
}

export function apiserverSpec(binary: string, layout: ControlPlaneLayout): ProcessSpec {
  const { pki } = layout;
  return {
    name: 'kube-apiserver',
    command: binary,
    args: [
      `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
      '--bind-address=0.0.0.0',
      `--secure-port=${ports.apiserver}`,
      `--advertise-address=${layout.nodeAddress}`,
      `--cert-dir=${layout.certDir}`,
      `--tls-cert-file=${pki.apiserverCert}`,
      `--tls-private-key-file=${pki.apiserverKey}`,
      `--client-ca-file=${pki.caCert}`,
      `--service-account-key-file=${pki.saPub}`,
      `--service-account-signing-key-file=${pki.saKey}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-cluster-ip-range=${serviceCidr}`,
      '--authorization-mode=Node,RBAC',
      '--allow-privileged=true',
      // Webhooks and aggregated APIs are called on the endpoint (pod) IPs, not the ClusterIP.
      '--enable-aggregator-routing=true',
      // The node has one address that matters; the API server reaches the kubelet endpoint there.
      '--kubelet-preferred-address-types=InternalIP',
      `--kubelet-client-certificate=${pki.kubeletClientCert}`,
      `--kubelet-client-key=${pki.kubeletClientKey}`,
      `--kubelet-certificate-authority=${pki.caCert}`,
      `--requestheader-client-ca-file=${pki.frontProxyCaCert}`,
      `--requestheader-allowed-names=${frontProxyClientName}`,
      '--requestheader-username-headers=X-Remote-User',
      '--requestheader-group-headers=X-Remote-Group',
      '--requestheader-extra-headers-prefix=X-Remote-Extra-',
      `--proxy-client-cert-file=${pki.frontProxyClientCert}`,
      `--proxy-client-key-file=${pki.frontProxyClientKey}`,
      // Admission: upstream's default plugins, ValidatingAdmissionWebhook and MutatingAdmissionWebhook among them.
    ],
    // On SIGTERM it stops its controllers at once, then spends about a second more before exiting
    // (its log: "stopping ServiceCIDR Allocator Controller" ~1.1 s after the rest). It keeps no
    // state of its own (etcd does), so a short grace loses nothing and takes a second off every stop.
    stopTimeoutMs: 200,
  };
}

export function controllerManagerSpec(binary: string, layout: ControlPlaneLayout): ProcessSpec {
  const { pki } = layout;
  return {
    name: 'kube-controller-manager',
    command: binary,
    args: [
      `--kubeconfig=${layout.kubeconfig}`,
      `--authentication-kubeconfig=${layout.kubeconfig}`,
      `--authorization-kubeconfig=${layout.kubeconfig}`,
      `--secure-port=${ports.controllerManager}`,
      `--cert-dir=${layout.certDir}`,
      `--root-ca-file=${pki.caCert}`,
      `--service-account-private-key-file=${pki.saKey}`,
      `--cluster-signing-cert-file=${pki.caCert}`,
      `--cluster-signing-key-file=${pki.caKey}`,
      // One identity for all controllers (kwokctl's choice): per-controller service-account tokens
      // cost about 5 s of start on this machine, and the suites never look at controller identities.
      '--use-service-account-credentials=false',
      // Every controller but the cloud ones (there is no cloud: LoadBalancer status comes from the twin).
      '--controllers=*,-service-lb-controller,-node-route-controller,-cloud-node-lifecycle-controller',
      // The Node is created with its podCIDR set: no CIDR allocation needed.
      `--cluster-cidr=${clusterCidr}`,
      '--allocate-node-cidrs=false',
      `--service-cluster-ip-range=${serviceCidr}`,
      // One instance of a cluster that is new at every start.
      '--leader-elect=false',
    ],
  };
}

export function schedulerSpec(binary: string, layout: ControlPlaneLayout): ProcessSpec {
  return {
    name: 'kube-scheduler',
    command: binary,
    args: [
      `--kubeconfig=${layout.kubeconfig}`,
      `--authentication-kubeconfig=${layout.kubeconfig}`,
      `--authorization-kubeconfig=${layout.kubeconfig}`,
      `--secure-port=${ports.scheduler}`,
      `--cert-dir=${layout.certDir}`,
      '--leader-elect=false',
    ],
  };
}

export function kubeProxySpec(binary: string, configFile: string): ProcessSpec {
  return {
    name: 'kube-proxy',
    command: binary,
    args: [`--config=${configFile}`],
  };
}

/**
 * kwok manages the one node (initialize, heartbeat with a lease) and pod deletion. The node's
 * kubelet endpoint port is always ports.kubelet; kwok serves it only when twin-kubelet-stream is
 * not there (`serveKubelet`), else its own server listens on ports.kwok for its health checks.
 */
export function kwokSpec(binary: string, layout: ControlPlaneLayout, configFile: string, serveKubelet: boolean): ProcessSpec {
  return {
    name: 'kwok',
    command: binary,
    args: [
      `--kubeconfig=${layout.kubeconfig}`,
      `--config=${configFile}`,
      '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
      `--node-ip=${layout.nodeAddress}`,
      `--node-name=${layout.nodeName}`,
      `--node-port=${ports.kubelet}`,
      '--node-lease-duration-seconds=40',
      `--server-address=0.0.0.0:${serveKubelet ? ports.kubelet : ports.kwok}`,
      ...(serveKubelet ? [`--tls-cert-file=${layout.pki.kubeletCert}`, `--tls-private-key-file=${layout.pki.kubeletKey}`] : []),
    ],
    env: { HOME: layout.homeDir },
  };
}

export function kubeletStreamSpec(binary: string, layout: ControlPlaneLayout, hook: string, logsDir: string): ProcessSpec {
  return {
    name: 'twin-kubelet-stream',
    command: binary,
    args: [
      `--address=0.0.0.0:${ports.kubelet}`,
      `--tls-cert-file=${layout.pki.kubeletCert}`,
      `--tls-private-key-file=${layout.pki.kubeletKey}`,
      // Only the API server (its kubelet client cert, signed by the cluster CA) may call it.
      `--client-ca-file=${layout.pki.caCert}`,
      `--hook=${hook}`,
      `--logs-dir=${logsDir}`,
    ],
  };
}

export function controlPlaneLayout(stateDir: string, nodeName: string, nodeAddress: string, pki: ClusterPkiFiles): ControlPlaneLayout {
  return {
    stateDir,
    nodeName,
    nodeAddress,
    pki,
    kubeconfig: path.join(stateDir, 'kubeconfig'),
    etcdDataDir: path.join(stateDir, 'etcd'),
    configDir: path.join(stateDir, 'config'),
    certDir: path.join(stateDir, 'cert-dir'),
    homeDir: path.join(stateDir, 'home'),
  };
}
