// Fault cert-dir-leaf-folders-linked, a broken input rather than a broken gateway: SG-C1 checks the
// suite's own action (the doc's four folders, as written to disk), so the fault is in what the
// user hands it. CERT_DIR already holds a 4_client that is a link to 3_application, as a layout
// kept with one folder for both leaf certificates would. The doc names both leaf files after the
// host, so the client's certificate and key land on the server's. Nothing in the suite is changed.
import fs from 'node:fs';
import path from 'node:path';

export function linkLeafFolders(certDir: string): void {
  const server = path.join(certDir, '3_application');
  fs.mkdirSync(server, { recursive: true, mode: 0o755 });
  fs.symlinkSync('3_application', path.join(certDir, '4_client'));
}
