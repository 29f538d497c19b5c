// The shipped RBAC (fixtures/rbac) grants get/update/delete by name: those names must be exactly
// the objects the registered catalogues create, so that a catalogue that adds an object cannot
// ship without the grant, and no grant outlives the object it was for.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import { CATALOGUES } from '../suites/registry';

interface Rule {
  apiGroups: string[];
  resources: string[];
  resourceNames?: string[];
  verbs: string[];
}
interface Role {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules: Rule[];
}

const rbacFile = path.join(__dirname, '..', 'fixtures', 'rbac', 'istio-gateway-conformance.yaml');
const roles = parseAllDocuments(fs.readFileSync(rbacFile, 'utf8'))
  .map((document) => document.toJS() as Role)
  .filter((object) => object.kind === 'Role');

// The doc's namespaces, which the shipped Roles are written for.
const scope = { gatewayNamespace: 'istio-system', appNamespace: 'default' };
const RESOURCES: Record<string, string> = { Secret: 'secrets', Gateway: 'gateways', VirtualService: 'virtualservices' };

/** "group/resource namespace" -> names the Roles let the suite update and delete. */
function grantedNames(): Map<string, Set<string>> {
  const granted = new Map<string, Set<string>>();
  for (const role of roles) {
    for (const rule of role.rules) {
      if (!rule.resourceNames || !rule.verbs.includes('update') || !rule.verbs.includes('delete')) continue;
      for (const group of rule.apiGroups) {
        for (const resource of rule.resources) {
          const key = `${group}/${resource} ${role.metadata.namespace}`;
          const names = granted.get(key) ?? new Set<string>();
          for (const name of rule.resourceNames) names.add(name);
          granted.set(key, names);
        }
      }
    }
  }
  return granted;
}

describe('the shipped RBAC and the catalogues', () => {
  test('grants update and delete by name for exactly the objects the catalogues create', () => {
    const wanted = new Map<string, Set<string>>();
    for (const object of CATALOGUES.flatMap((catalogue) => catalogue.createdObjects(scope))) {
      const resource = RESOURCES[object.kind];
      expect(resource).toBeDefined();
      const key = `${object.apiGroup}/${resource} ${object.namespace}`;
      wanted.set(key, (wanted.get(key) ?? new Set<string>()).add(object.name));
    }
    const granted = grantedNames();
    // The lock is the suite's own, not a catalogue's.
    granted.delete('coordination.k8s.io/leases default');
    const sorted = (map: Map<string, Set<string>>) => Object.fromEntries([...map].map(([key, names]) => [key, [...names].sort()]).sort());
    expect(sorted(granted)).toEqual(sorted(wanted));
  });

  test('create is granted for every kind a catalogue creates, in its namespace', () => {
    for (const object of CATALOGUES.flatMap((catalogue) => catalogue.createdObjects(scope))) {
      const creates = roles
        .filter((role) => role.metadata.namespace === object.namespace)
        .some((role) => role.rules.some((rule) => rule.apiGroups.includes(object.apiGroup) && rule.resources.includes(RESOURCES[object.kind]!) && rule.verbs.includes('create')));
      expect({ object, creates }).toEqual({ object, creates: true });
    }
  });
});
