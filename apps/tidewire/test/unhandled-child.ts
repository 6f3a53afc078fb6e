// Child process of serve.test.ts §6.7 (node:test attributes a rejection in its own process to
// the test): a server watched by watchProcess, one promise rejected with nobody to handle it;
// prints the log lines it got and the counter from /metrics as JSON, then exits.
import { createServer } from '@tidewire/server';
import { watchProcess } from '../src/serve.ts';

const lines: unknown[] = [];
const server = await createServer({ logger: { level: 'info', stream: { write: (l: string) => void lines.push(JSON.parse(l)) } }, defaultMetrics: false });
const url = await server.listen();
const stop = watchProcess(server);
void Promise.reject(Object.assign(new Error('background work failed'), { code: 'APP_BACKGROUND' }));
await new Promise((r) => setTimeout(r, 50));
const metrics = (await (await fetch(`${url}/metrics`)).text()).split('\n').filter((l) => l.startsWith('tidewire_internal_errors_total{'));
stop();
await server.close();
process.stdout.write(`${JSON.stringify({ lines, metrics })}\n`);
