// An entry point that keeps writing after its reader has gone, then does its cleanup: the marker
// file (argv[2]) proves the cleanup ran.
import fs from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { runMain } from '../cli';

runMain(async () => {
  for (let line = 0; line < 200; line++) {
    console.log(`line ${line} ${'x'.repeat(200)}`);
    console.error(`progress ${line}`);
    await delay(2);
  }
  fs.writeFileSync(process.argv[2]!, 'cleaned up\n');
  return 0;
});
