// Worker entry for snapshot-thread.ts: the server's sources are TypeScript run through tsx, and
// a worker thread does not inherit the loader the main thread registered (bin/tidewire.js).
import { register } from 'tsx/esm/api';

register();
await import('./snapshot-thread.ts');
