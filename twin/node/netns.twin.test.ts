import { afterEach, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { run } from '../process/run';
import { hostIpv4Prefixes, pickSubnet, prefixRange, ipToNumber, serviceCidr } from './addresses';
import { nodeNames } from './names';
import { createNodeNetwork, removeNodeNetwork } from './netns';
import { requireRoot } from './prerequisites';

describe('pickSubnet', () => {
  test('starts at the seed and gives host .1 and node .2', () => {
    expect(pickSubnet(7, [])).toEqual({ network: '10.250.7.0', prefixLength: 30, hostAddress: '10.250.7.1', nodeAddress: '10.250.7.2' });
    expect(pickSubnet(256 + 3, []).network).toBe('10.250.3.0');
  });

  test('skips a /30 that a host route or address overlaps, and ignores default routes', () => {
    expect(pickSubnet(7, ['10.250.7.0/24', '0.0.0.0/0']).network).toBe('10.250.8.0');
    expect(pickSubnet(7, ['10.250.7.2']).network).toBe('10.250.8.0');
    expect(() => pickSubnet(7, ['10.0.0.0/8'])).toThrow(/no free \/30/);
  });

  test('prefix ranges', () => {
    expect(prefixRange('10.250.7.1/30')).toEqual([ipToNumber('10.250.7.0'), ipToNumber('10.250.7.3')]);
    expect(prefixRange('192.0.2.2')).toEqual([ipToNumber('192.0.2.2'), ipToNumber('192.0.2.2')]);
  });
});

describe('the node network (root)', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) {
      await removeNodeNetwork(nodeNames(dir));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('create gives a namespace the host reaches through the veth; remove leaves nothing behind', async () => {
    requireRoot('this test');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'igc-node-'));
    dirs.push(dir);
    const names = nodeNames(dir);
    const hostForwardingBefore = fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');
    const hostRoutesBefore = await run('ip', ['-4', 'route', 'show', 'table', 'main']);
    const subnet = pickSubnet(names.seed, await hostIpv4Prefixes());

    const node = await createNodeNetwork({ ...names, subnet, serviceCidr });

    expect(await run('ip', ['netns', 'list'])).toContain(names.netns);
    expect(await run('ip', ['-4', 'addr', 'show', 'dev', names.hostLink])).toContain(`${subnet.hostAddress}/30`);
    expect(await run('ip', ['-n', names.netns, '-4', 'addr', 'show', 'dev', 'eth0'])).toContain(`${subnet.nodeAddress}/30`);
    expect(await run('ip', ['-n', names.netns, 'route', 'show'])).toContain(`${serviceCidr} dev lo`);
    expect((await run('ip', ['netns', 'exec', names.netns, 'cat', '/proc/sys/net/ipv4/ip_forward'])).trim()).toBe('1');
    expect(fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8')).toBe(hostForwardingBefore);

    // A TCP server inside the node answers the host on the node address.
    const server = spawn('ip', ['netns', 'exec', names.netns, process.execPath, '-e',
      `require('net').createServer((s) => s.end('from the node')).listen(8099, '${node.nodeAddress}', () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await once(server.stdout!, 'data');
      const reply = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(8099, node.nodeAddress);
        let data = '';
        socket.on('data', (chunk) => (data += String(chunk)));
        socket.on('end', () => resolve(data));
        socket.on('error', reject);
      });
      expect(reply).toBe('from the node');
    } finally {
      server.kill('SIGKILL');
      await once(server, 'exit');
    }

    const removed = await removeNodeNetwork(names);
    expect(removed).toEqual([`veth ${names.hostLink}`, `network namespace ${names.netns}`]);
    expect(await run('ip', ['netns', 'list'])).not.toContain(names.netns);
    expect(await run('ip', ['link', 'show'])).not.toContain(names.hostLink);
    expect(await run('ip', ['-4', 'route', 'show', 'table', 'main'])).toBe(hostRoutesBefore);
    expect(await removeNodeNetwork(names)).toEqual([]);
  });
});
