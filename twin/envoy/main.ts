// The Envoy stand-in as a program: what pilot-agent starts as its Envoy binary (bin/envoy runs this
// file on the repository's Node 24). It behaves like the envoy binary, not like the project's
// scripts: `--version` prints Envoy's version line, a bad command line or bootstrap is logged and
// exits 1, SIGTERM and SIGINT shut down and exit 0, /quitquitquit exits 0.
import fs from 'node:fs';
import { CommandLineError, parseCommandLine, versionText } from './command-line';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  let commandLine;
  try {
    commandLine = parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof CommandLineError)) throw error;
    process.stderr.write(`PARSE ERROR: ${error.message}\n`);
    process.exit(1);
  }
  if (commandLine.version) {
    process.stdout.write(versionText());
    return;
  }
  if (commandLine.mode === 'validate') {
    const { loadBootstrap } = require('./bootstrap') as typeof import('./bootstrap');
    loadBootstrap(commandLine);
    process.stdout.write(`configuration '${commandLine.configPath ?? '--config-yaml'}' OK\n`);
    return;
  }
  const logFile = commandLine.logPath ? fs.openSync(commandLine.logPath, 'a') : null;
  const writeLog = logFile === null ? undefined : (line: string) => fs.writeSync(logFile, line);
  // Loaded only to serve: --version and argument errors stay fast.
  const { EnvoyStandIn } = require('./server') as typeof import('./server');
  const server = await EnvoyStandIn.start({ argv, writeLog, onExit: (code) => process.exit(code), faultsFile: process.env.TWIN_FAULTS_FILE });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      server.log.warn('main', `caught ENVOY_${signal}`, 'source/server/server.cc:998');
      void server.stop().then(() => process.exit(0));
    });
  }
}

main().catch((error: unknown) => {
  // Envoy's wording for a configuration it cannot load, then exit 1.
  process.stderr.write(`[${new Date().toISOString()}][${process.pid}][critical][main] [source/server/server.cc:131] error initializing config '${process.argv.slice(2).join(' ')}': ${(error as Error).message}\n`);
  process.exit(1);
});
