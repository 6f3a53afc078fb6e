// A render in its own process, for the crash test (render.test.ts §5.6): prints "compose" once
// FFmpeg is encoding, then waits to be killed with SIGKILL, leaving its children and temp files.
import { join } from 'node:path';
import { renderStory } from '../src/render/pipeline.ts';
import { scene, story, withBackground } from './render-helpers.ts';

const [stateDir, outDir] = process.argv.slice(2) as [string, string];
const st = story(
  withBackground(
    ['A scene that is long enough to keep the encoder busy for a while', 'And another one after it, with more words to say'].map((t, i) => scene(i, t)),
    { kind: 'builtin', name: 'life' },
  ),
);
let said = false;
await renderStory(
  st,
  {
    outPath: join(outDir, 'crash.mp4'),
    thumbnailPath: join(outDir, 'crash.jpg'),
    workDir: join(stateDir, 'work-crash'),
    stateDir,
    assets: () => undefined,
    onProgress: (stage, f) => {
      if (stage === 'compose' && f > 0 && !said) {
        said = true;
        process.stdout.write('compose\n');
      }
    },
  },
  { size: { width: 1080, height: 1920 } },
);
