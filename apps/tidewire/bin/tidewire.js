#!/usr/bin/env node
// The tidewire command. Sources are TypeScript run through tsx's loader, so the CLI
// needs no separate compile step in the workspace.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
