// The host tools the pod runner calls, and their Debian packages: read by the preflight
// (twin/preflight.ts installs them), which must not load the runner itself to know them.
import type { HostTool } from '../node/prerequisites';

export const podTools: HostTool[] = [
  { name: 'ip', debianPackage: 'iproute2', why: 'pod network namespaces' },
  { name: 'setpriv', debianPackage: 'util-linux', why: 'pod programs die with the twin' },
  { name: 'bwrap', debianPackage: 'bubblewrap', why: "pods' filesystem views" },
  { name: 'curl', debianPackage: 'curl', why: 'httpGet probes' },
  { name: 'mkfifo', debianPackage: 'coreutils', why: 'container output to the log' },
];
