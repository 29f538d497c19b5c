// The files a kubelet gives every container besides its volumes: /etc/hosts naming the pod,
// /etc/hostname, and /etc/resolv.conf pointing at the cluster DNS (dnsPolicy ClusterFirst).
// They are bound over the host's files in the pod's view only.
import type { V1Pod } from '@kubernetes/client-node';

export function podHostname(pod: V1Pod): string {
  return (pod.spec?.hostname ?? pod.metadata?.name ?? 'pod').slice(0, 63);
}

export function hostsFile(pod: V1Pod, podIP: string, clusterDomain: string): string {
  const hostname = podHostname(pod);
  const names = [hostname];
  if (pod.spec?.subdomain) names.unshift(`${hostname}.${pod.spec.subdomain}.${pod.metadata?.namespace}.svc.${clusterDomain}`);
  const aliases = (pod.spec?.hostAliases ?? []).map((a) => `${a.ip}\t${(a.hostnames ?? []).join('\t')}`);
  return [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
    `${podIP}\t${names.join('\t')}`,
    ...(aliases.length ? ['', '# Entries added by HostAliases.', ...aliases] : []),
    '',
  ].join('\n');
}

/** resolv.conf for ClusterFirst pods; undefined when the pod keeps the host's (dnsPolicy Default). */
export function resolvConf(pod: V1Pod, clusterDnsIp: string, clusterDomain: string): string | undefined {
  const policy = pod.spec?.dnsPolicy ?? 'ClusterFirst';
  const extra = pod.spec?.dnsConfig;
  if (policy === 'Default') return undefined;
  const namespace = pod.metadata?.namespace ?? 'default';
  const useCluster = policy === 'ClusterFirst' || policy === 'ClusterFirstWithHostNet';
  const nameservers = [...(useCluster ? [clusterDnsIp] : []), ...(extra?.nameservers ?? [])];
  const searches = [...(useCluster ? [`${namespace}.svc.${clusterDomain}`, `svc.${clusterDomain}`, clusterDomain] : []), ...(extra?.searches ?? [])];
  const options = new Map<string, string | undefined>(useCluster ? [['ndots', '5']] : []);
  for (const option of extra?.options ?? []) options.set(option.name ?? '', option.value);
  const lines = [
    ...(searches.length ? [`search ${searches.join(' ')}`] : []),
    ...nameservers.map((ns) => `nameserver ${ns}`),
    ...(options.size ? [`options ${[...options].map(([k, v]) => (v === undefined ? k : `${k}:${v}`)).join(' ')}`] : []),
  ];
  return `${lines.join('\n')}\n`;
}
