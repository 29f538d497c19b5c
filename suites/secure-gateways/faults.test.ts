// The fault catalogue against the step catalogue: every fault breaks a step that exists, the list
// follows the catalogue's order, names are unique, and each step issue 14 found never seen failing
// now has a fault that breaks it.
import { describe, expect, test } from '@jest/globals';
import { secureGatewaysCatalogue } from './catalogue';
import { isFaultName } from '../../twin/faults/names';
import { FAULTS } from './faults';

const steps = secureGatewaysCatalogue.map((step) => step.id);

describe('fault catalogue', () => {
  test('each fault breaks a catalogue step, in catalogue order, under a name of its own', () => {
    expect(FAULTS.map((fault) => fault.breaks).filter((id) => !steps.includes(id))).toEqual([]);
    const positions = FAULTS.map((fault) => steps.indexOf(fault.breaks));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(new Set(FAULTS.map((fault) => fault.name)).size).toBe(FAULTS.length);
    expect(isFaultName('gateway-not-ready')).toBe(true);
    expect(isFaultName('nope')).toBe(false);
  });

  test('the thirteen steps issue 14 named are each broken by a fault', () => {
    const named = ['SG-B1', 'SG-B2', 'SG-C1', 'SG-S1', 'SG-S3', 'SG-M1', 'SG-M2', 'SG-T1', 'SG-T2', 'SG-T3', 'SG-T7', 'SG-T8', 'SG-X2'];
    expect(named.filter((id) => !FAULTS.some((fault) => fault.breaks === id))).toEqual([]);
  });

  test('a fault inside the stand-in or in the input says why it acts there', () => {
    for (const fault of FAULTS.filter((f) => (f.boundary as string) === 'stand-in')) expect(fault.acts).toMatch(/Inside the stand-in because/);
    for (const fault of FAULTS.filter((f) => (f.boundary as string) === 'input')) expect(fault.breaks).toBe('SG-C1');
  });
});
