import { describe, expect, it } from '@jest/globals';
import { listsFiles } from './troubleshooting';

// `ls -al` of a Secret volume as the kubelet writes it (seen in the twin's gateway pod).
const mounted = `total 8
drwxr-xr-x 3 root root 4096 Nov 27 23:21 .
drwx------ 7 root root  140 Nov 27 23:21 ..
drwxr-xr-x 2 root root 4096 Nov 27 23:21 ..2026_11_27_23_21_10.503_886345815
lrwxrwxrwx 1 root root   35 Nov 27 23:21 ..data -> ..2026_11_27_23_21_10.503_886345815
lrwxrwxrwx 1 root root   14 Nov 27 23:21 tls.crt -> ..data/tls.crt
lrwxrwxrwx 1 root root   14 Nov 27 23:21 tls.key -> ..data/tls.key
`;

describe('SG-T2/T7 file listing', () => {
  it('accepts the kubelet symlinks and plain files', () => {
    expect(listsFiles('tls.crt', 'tls.key')({ exitCode: 0, stdout: mounted, stderr: '' })).toBe(true);
    expect(listsFiles('ca-chain.cert.pem')({ exitCode: 0, stdout: '-rw-r--r-- 1 root root 4000 Nov 27 23:21 ca-chain.cert.pem\n', stderr: '' })).toBe(true);
  });

  it('refuses an empty mount, a missing key, a lookalike name and a failed ls', () => {
    const empty = mounted.split('\n').slice(0, 5).join('\n');
    expect(listsFiles('tls.crt', 'tls.key')({ exitCode: 0, stdout: empty, stderr: '' })).toBe(false);
    expect(listsFiles('tls.crt', 'tls.key')({ exitCode: 0, stdout: mounted.replace(/tls\.key.*\n/, ''), stderr: '' })).toBe(false);
    expect(listsFiles('tls.crt')({ exitCode: 0, stdout: 'lrwxrwxrwx 1 root root 14 Nov 27 23:21 xtls.crt -> ..data/xtls.crt\n', stderr: '' })).toBe(false);
    expect(listsFiles('tls.crt')({ exitCode: 2, stdout: mounted, stderr: 'ls: cannot access' })).toBe(false);
  });
});
