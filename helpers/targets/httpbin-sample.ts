// The httpbin samples the targets deploy, read from fixtures/httpbin: Istio's current one
// (go-httpbin) and the one of the doc's time (the Python httpbin, whose 418 is ASCII art).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../kube';

const manifests = {
  current: path.resolve(__dirname, '../../fixtures/httpbin/httpbin.yaml'),
  old: path.resolve(__dirname, '../../fixtures/httpbin/httpbin-old.yaml'),
};
export type HttpbinSample = keyof typeof manifests;

/** The sample's objects (ServiceAccount, Service, Deployment) placed in the namespace. */
export function httpbinObjects(namespace: string, sample: HttpbinSample = 'current'): KubeObject[] {
  return parseAllDocuments(readFileSync(manifests[sample], 'utf8'))
    .map((document) => document.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null)
    .map((object) => ({ ...object, metadata: { ...object.metadata, namespace } }));
}
