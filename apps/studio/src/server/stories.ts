// Stories on disk: one JSON file per story (`<dataDir>/stories/<id>.json`), written atomically.
// The id is checked before it becomes a file name; a file that fails to parse is skipped by
// list() and reported as not found by get(), never served half-read.
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Story } from '../model.ts';
import { StudioError } from '../errors.ts';
import { writeFileAtomic } from './atomic.ts';
import { checkId } from './names.ts';
import { checkStory, STORY_LIMITS } from './story-schema.ts';

export interface StorySummary {
  id: string;
  title: string;
  scenes: number;
  updatedAt: number;
}

export class StoryStore {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'stories');
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  private path(id: string): string {
    return join(this.dir, `${checkId('story', id)}.json`);
  }

  async get(id: string): Promise<Story> {
    const path = this.path(id);
    let text: string;
    try {
      const s = await stat(path);
      if (s.size > STORY_LIMITS.bodyBytes) throw new StudioError('STUDIO_TEXT_TOO_LONG', `story ${id} is ${s.size} bytes on disk`);
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new StudioError('STUDIO_NOT_FOUND', `no story ${id}`);
      throw err;
    }
    try {
      return JSON.parse(text) as Story;
    } catch {
      throw new StudioError('STUDIO_NOT_FOUND', `story ${id} is unreadable`);
    }
  }

  /** Saves (creates or replaces) a story; keeps createdAt of an existing one. */
  async save(story: Story, now = Date.now()): Promise<Story> {
    checkStory(story);
    const path = this.path(story.id);
    let createdAt = now;
    try {
      createdAt = (await this.get(story.id)).createdAt ?? now;
    } catch (err) {
      if (!(err instanceof StudioError && err.code === 'STUDIO_NOT_FOUND')) throw err;
      if ((await this.ids()).length >= STORY_LIMITS.stories) throw new StudioError('STUDIO_QUOTA', `at most ${STORY_LIMITS.stories} stories`);
    }
    const saved: Story = { ...story, createdAt, updatedAt: now };
    const json = JSON.stringify(saved);
    if (Buffer.byteLength(json) > STORY_LIMITS.bodyBytes) throw new StudioError('STUDIO_TEXT_TOO_LONG', 'the story is larger than 1 MiB');
    await writeFileAtomic(path, json);
    return saved;
  }

  async delete(id: string): Promise<void> {
    const path = this.path(id);
    try {
      await stat(path);
    } catch {
      throw new StudioError('STUDIO_NOT_FOUND', `no story ${id}`);
    }
    await rm(path, { force: true });
  }

  private async ids(): Promise<string[]> {
    const names = await readdir(this.dir);
    return names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).map((n) => n.slice(0, -5));
  }

  /** Summaries, most recently updated first. */
  async list(): Promise<StorySummary[]> {
    const out: StorySummary[] = [];
    for (const id of await this.ids()) {
      try {
        const s = await this.get(id);
        out.push({ id: s.id, title: s.title, scenes: s.scenes.length, updatedAt: s.updatedAt });
      } catch {
        // an unreadable or foreign file: not a story
      }
    }
    return out.sort((a, b) => b.updatedAt - a.updatedAt);
  }
}
