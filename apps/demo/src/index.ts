export { generateProject, paramIds } from './generate.ts';
export type { ProjectOptions } from './generate.ts';
export { ChangeStorm } from './storm.ts';
export { mountDemo } from './server.ts';
export type { DemoOptions, MountedApp } from './server.ts';
