import type { Command } from './command.ts';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve the Tidewire apps (what `npm start` runs)',
  usage: 'usage: tidewire serve [--host 127.0.0.1] [--port 8080]',
  async run() {
    console.error('serve: not wired yet');
    return 1;
  },
};
