// `npm run typecheck`: the isomorphic packages against ES2022 only (no Node, no DOM), everything
// else against Node + DOM, and every app's browser UI (.svelte, .svelte.ts) with svelte-check.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

function run(label, cmd, args, cwd = root) {
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`typecheck failed: ${label}`);
    process.exit(r.status ?? 1);
  }
}

run('isomorphic packages', 'npx', ['tsc', '-p', 'tsconfig.iso.json']);
run('node and tests', 'npx', ['tsc', '-p', 'tsconfig.node.json']);
for (const app of readdirSync(join(root, 'apps'))) {
  const dir = join(root, 'apps', app);
  if (!existsSync(join(dir, 'tsconfig.json'))) continue;
  run(`apps/${app} UI`, 'npx', ['svelte-check', '--tsconfig', './tsconfig.json', '--threshold', 'error', '--output', 'human'], dir);
}
