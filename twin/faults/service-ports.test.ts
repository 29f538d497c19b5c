// The Service port faults' patches on the twin's own gateway Service ports (the overlay's three):
// what each makes of the ports, read back through the suite's own httpsPort, and that the undo
// checks what it finds before putting the port back.
import { describe, expect, test } from '@jest/globals';
import type { V1Service } from '@kubernetes/client-node';
import { applyPatch, type Operation } from 'fast-json-patch';
import { httpsPort } from '../../helpers/kube/ingress';
import { MOVED_PORT, moveHttpsPort, renameHttpsPort, type JsonPatchOp, type ServicePort } from './service-ports';

const overlayPorts: ServicePort[] = [
  { name: 'status-port', port: 15021, targetPort: 15021, nodePort: 31021, protocol: 'TCP' },
  { name: 'http2', port: 80, targetPort: 8080, nodePort: 31080, protocol: 'TCP' },
  { name: 'https', port: 443, targetPort: 8443, nodePort: 30443, protocol: 'TCP' },
];
const service = (ports: ServicePort[]) => ({ metadata: { namespace: 'istio-system', name: 'istio-ingressgateway' }, spec: { type: 'LoadBalancer', ports } }) as V1Service;

// Applied as the API server applies a JSON patch (RFC 6902): a failed `test` fails the whole patch.
function applyPorts(ports: ServicePort[], ops: JsonPatchOp[]): ServicePort[] {
  const patched = applyPatch(service(structuredClone(ports)), ops as Operation[], true, false).newDocument;
  return patched.spec!.ports as ServicePort[];
}

describe('gateway Service port faults', () => {
  test('gateway-service-no-https leaves no port the suite takes for HTTPS; the undo restores it', () => {
    const change = renameHttpsPort(overlayPorts);
    const broken = applyPorts(overlayPorts, change.patch);
    expect(broken[2]).toEqual({ name: 'tls-alt', port: MOVED_PORT, targetPort: 8443, nodePort: 30443, protocol: 'TCP' });
    expect(() => httpsPort(service(broken))).toThrow(/has no port named https or numbered 443 \(its ports: .*tls-alt 9443\/TCP \(NodePort 30443\)\)/);
    expect(applyPorts(broken, change.undo)).toEqual(overlayPorts);
    // The undo finds what the change made, or changes nothing: not a port someone else renamed since.
    expect(() => applyPorts(overlayPorts, change.undo)).toThrow(/Test operation failed/);
  });

  test('service-port-moved keeps 443 served under another name and makes the suite read 9443; the undo restores it', () => {
    const change = moveHttpsPort(overlayPorts);
    const moved = applyPorts(overlayPorts, change.patch);
    expect(moved.find((port) => port.port === 443)).toMatchObject({ name: 'https-old', nodePort: 30443, targetPort: 8443 });
    expect(httpsPort(service(moved))).toMatchObject({ name: 'https', port: MOVED_PORT, targetPort: 8443 });
    expect(applyPorts(moved, change.undo)).toEqual(overlayPorts);
    expect(() => applyPorts(overlayPorts, change.undo)).toThrow();
  });

  test('a Service without https 443 is not changed', () => {
    expect(() => renameHttpsPort(overlayPorts.slice(0, 2))).toThrow(/no port https 443 to change \(its ports: status-port 15021, http2 80\)/);
  });
});
