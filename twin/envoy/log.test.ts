// Envoy-like log lines: the default pattern, Istio's bootstrap text and JSON formats, levels.
import { describe, expect, test } from '@jest/globals';
import { Logger } from './log';

function capture(level: ConstructorParameters<typeof Logger>[0] = 'info') {
  const lines: string[] = [];
  return { log: new Logger(level, (line) => lines.push(line)), lines };
}

describe('logger', () => {
  test("Envoy's default pattern", () => {
    const { log, lines } = capture();
    log.warn('config', 'gRPC config for x rejected: y', 'source/extensions/config_subscription/grpc/grpc_mux_impl.cc:372');
    expect(lines[0]).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\]\[\d+\]\[warning\]\[config\] \[source\/extensions\/config_subscription\/grpc\/grpc_mux_impl\.cc:372\] gRPC config for x rejected: y\n$/);
  });

  test("Istio's text_format and json_format from the bootstrap", () => {
    const { log, lines } = capture();
    log.setFormat({ text: '%Y-%m-%dT%T.%fZ\t%l\tenvoy %n %g:%#\t%v\tthread=%t' });
    log.info('main', 'hello', 'source/server/server.cc:1');
    log.setFormat({ json: { level: '%l', scope: 'envoy %n', msg: '%j', caller: '%g:%#' } });
    log.error('secret', 'a "quoted" word', 'sds_api.cc:9');
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z\tinfo\tenvoy main source\/server\/server\.cc:1\thello\tthread=\d+\n$/);
    expect(JSON.parse(lines[1]!)).toEqual({ level: 'error', scope: 'envoy secret', msg: 'a "quoted" word', caller: 'sds_api.cc:9' });
  });

  test('-l and --component-log-level decide what is written', () => {
    const { log, lines } = capture('warning');
    expect(log.applyComponentLevels('misc:error,upstream:debug,bogus')).toEqual(['bogus']);
    log.info('config', 'dropped');
    log.debug('upstream', 'kept');
    log.warn('misc', 'dropped too');
    expect(lines.map((line) => line.trim().split(' ').pop())).toEqual(['kept']);
  });
});
