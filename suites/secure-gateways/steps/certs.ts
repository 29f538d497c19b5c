// C: client and server certificates, in the layout of the doc's generate.sh.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { certificateSummary } from '../../../helpers/pki';
import type { StepDefinition, StepHandle } from '../../runtime/step';
import { makeCertificates, need, type SecureGatewaysContext } from '../context';

const run = promisify(execFile);

// OpenSSL, not the generator, is the judge: `openssl verify -CAfile ca-chain.cert.pem <cert>`.
async function opensslVerify(caChain: string, cert: string, purpose: 'sslserver' | 'sslclient'): Promise<string> {
  try {
    const { stdout } = await run('openssl', ['verify', '-purpose', purpose, '-CAfile', caChain, cert]);
    return stdout.trim();
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; code?: string };
    if (failed.code === 'ENOENT') throw new Error('openssl is not installed: install it (apt-get install openssl, brew install openssl)');
    return `${failed.stdout ?? ''}${failed.stderr ?? ''}`.trim();
  }
}

export const certificates: StepDefinition<SecureGatewaysContext>[] = [
  {
    id: 'SG-C1',
    title: 'generate root, intermediate, server and client certificates (1_root … 4_client)',
    run: async (context, step: StepHandle) => {
      await makeCertificates(context);
      const layout = need(context.layout, 'the doc layout');
      const host = context.names.host;
      step.expected = `ca-chain.cert.pem = intermediate + root; server and client certs for ${host} verified by openssl against it`;
      const chainText = await readFile(layout.caChain, 'utf8');
      const chainCerts = chainText.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
      const [first, second] = chainCerts.map((pem) => certificateSummary(pem).subject.CN);
      const [intermediateCn, rootCn] = [certificateSummary(context.chain!.intermediate.certPem).subject.CN, certificateSummary(context.chain!.root.certPem).subject.CN];
      step.expect(chainCerts.length === 2 && first === intermediateCn && second === rootCn, `ca-chain.cert.pem holds ${chainCerts.length} certificate(s): ${[first, second].join(', ')}`);
      for (const [what, file, purpose] of [
        ['server', layout.serverCert, 'sslserver'],
        ['client', layout.clientCert, 'sslclient'],
      ] as const) {
        const verdict = await opensslVerify(layout.caChain, file, purpose);
        step.expect(verdict.endsWith(': OK'), `openssl verify of the ${what} certificate said: ${verdict}`);
        const cn = certificateSummary(await readFile(file, 'utf8')).subject.CN;
        step.expect(cn === host, `the ${what} certificate's CN is ${cn}`);
      }
      step.observed = `4 folders in ${layout.dir}; openssl verify OK for server and client (CN=${host})`;
    },
  },
];
