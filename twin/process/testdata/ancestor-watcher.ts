// Prints "watching" once it watches its parent, then "gone PID" and exits when the parent exits
// (see ancestry.test.ts).
import { watchAncestors } from '../ancestry';

watchAncestors(1, (gone) => {
  console.log(`gone ${gone.pid}`);
  process.exit(0);
}, 50);
console.log(`watching ${process.pid}`);
setInterval(() => {}, 1000);
