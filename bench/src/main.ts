// `npm run bench -- <suite> [--json] [--quick] [suite options]`: runs one benchmark suite. Each suite measures
// the original design, the best peer and Tidewire side by side in one run and reports ratios;
// with --json it prints exactly one JSON object on stdout (progress goes to stderr).
import type { Suite } from './suite.ts';

const suites: Record<string, () => Promise<{ suite: Suite }>> = {
  tree: () => import('./suites/tree.ts'),
  liveset: () => import('./suites/liveset.ts'),
  timeline: () => import('./suites/timeline.ts'),
  replay: () => import('./suites/replay.ts'),
  audio: () => import('./suites/audio.ts'),
  studio: () => import('./suites/studio.ts'),
  soak: () => import('./suites/soak.ts'),
  cluster: () => import('./suites/cluster.ts'),
  browser: () => import('./suites/browser.ts'),
};

function usage(): string {
  return `usage: npm run bench -- <suite> [--json] [--quick]\nsuites: ${Object.keys(suites).join(', ')}\nsoak: [--minutes M] [--clients N] [--sample-seconds S] [--osc-rate R]\ncluster: [--seconds S] [--max-clients N] [--memory-minutes M]\nbrowser: [--blocks N] [--storm-seconds S] [--storm-rate R] [--visits N]`;
}

async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const quick = argv.includes('--quick');
  const name = argv.find((a) => !a.startsWith('--'));
  if (!name || !(name in suites)) {
    console.error(name ? `unknown suite '${name}'\n${usage()}` : usage());
    return 2;
  }
  const { suite } = await suites[name]!();
  const args = argv.slice(argv.indexOf(name) + 1);
  const result = await suite.run({ quick, args, log: (msg: string) => console.error(`[bench ${name}] ${msg}`) });
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else console.log(suite.format ? suite.format(result) : JSON.stringify(result, null, 2));
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
