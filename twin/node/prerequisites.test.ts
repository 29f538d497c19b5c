import { describe, expect, test } from '@jest/globals';
import { UsageError } from '../../helpers/config';
import { childPath, findTool, requireTools } from './prerequisites';

describe('host prerequisites', () => {
  test('a missing tool is named with its package and the install command, in one line', () => {
    const missing = [
      { name: 'igc-no-such-tool', debianPackage: 'igc-pkg', why: 'testing' },
      { name: 'igc-other-missing', debianPackage: 'igc-pkg', why: 'testing too' },
    ];
    let error: unknown;
    try {
      requireTools([{ name: 'sh', debianPackage: 'dash', why: 'present' }, ...missing]);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as Error).message;
    expect(message).toBe(
      'missing host tools: igc-no-such-tool (testing), igc-other-missing (testing too); install them with: apt-get update && apt-get install -y igc-pkg (or run npm run preflight, which installs them as root)',
    );
    expect(message).not.toContain('\n');
  });

  test('tools are found in the sbin folders even when PATH lacks them, and children get their folders', () => {
    const ip = findTool('ip', '/nonexistent');
    expect(ip).toMatch(/^\/(usr\/)?s?bin\/ip$/);
    expect(childPath({ ip: ip! }, '/usr/bin').split(':')).toEqual(['/usr/bin', ip!.replace(/\/ip$/, '')]);
  });
});
