// The page's state: the story being edited (saved to the server, debounced), the uploads, and
// the last error. Components read and change it; it talks to the API.
import type { Background, Format, Scene, Story, Voice } from '../../src/model.ts';
import { api, describe } from './api.ts';
import type { AssetInfo, BuiltinBackground, StorySummary } from './api.ts';

const SAVE_DELAY_MS = 600;
const SAMPLE_SCRIPT = `The tide comes in before dawn, quiet and grey.

By noon the harbour is full of light, and the boats lean on their ropes.

At dusk the water goes out again, and leaves the sand shining.`;

export type SaveState = 'saved' | 'pending' | 'saving' | 'error';

export class Studio {
  story = $state<Story | null>(null);
  stories = $state<StorySummary[]>([]);
  assets = $state<AssetInfo[]>([]);
  builtins = $state<BuiltinBackground[]>([]);
  error = $state<string | null>(null);
  notice = $state<string | null>(null);
  save = $state<SaveState>('saved');
  private timer: ReturnType<typeof setTimeout> | undefined;

  async load(): Promise<void> {
    try {
      const [stories, assets, builtins] = await Promise.all([api.stories(), api.assets(), api.backgrounds()]);
      this.stories = stories;
      this.assets = assets;
      this.builtins = builtins;
      this.story = stories.length > 0 ? await api.story(stories[0]!.id) : await api.createStory('My first story', SAMPLE_SCRIPT);
      if (stories.length === 0) this.stories = await api.stories();
    } catch (err) {
      this.fail(err);
    }
  }

  fail(err: unknown): void {
    this.error = describe(err);
  }

  async open(id: string): Promise<void> {
    await this.flush();
    try {
      this.story = await api.story(id);
    } catch (err) {
      this.fail(err);
    }
  }

  async create(): Promise<void> {
    await this.flush();
    try {
      this.story = await api.createStory('Untitled', '');
      this.stories = await api.stories();
    } catch (err) {
      this.fail(err);
    }
  }

  /** Marks the story changed; it is saved after a pause in the edits. */
  changed(): void {
    this.save = 'pending';
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), SAVE_DELAY_MS);
  }

  async flush(): Promise<boolean> {
    clearTimeout(this.timer);
    if (!this.story || this.save === 'saved') return true;
    this.save = 'saving';
    try {
      const saved = await api.saveStory($state.snapshot(this.story) as Story);
      if (this.story && this.story.id === saved.id) this.story.updatedAt = saved.updatedAt;
      this.save = 'saved';
      const i = this.stories.findIndex((s) => s.id === saved.id);
      const summary = { id: saved.id, title: saved.title, scenes: saved.scenes.length, updatedAt: saved.updatedAt };
      if (i >= 0) this.stories[i] = summary;
      else this.stories.unshift(summary);
      return true;
    } catch (err) {
      this.save = 'error';
      this.fail(err);
      return false;
    }
  }

  async split(): Promise<void> {
    if (!this.story) return;
    try {
      const voice = this.story.scenes[0]?.voice;
      const scenes = await api.split(this.story.script, voice);
      const bg = this.story.scenes[0]?.background;
      this.story.scenes = bg ? scenes.map((s) => ({ ...s, background: bg })) : scenes;
      this.changed();
    } catch (err) {
      this.fail(err);
    }
  }

  setVoice(voice: Voice): void {
    if (!this.story) return;
    for (const s of this.story.scenes) s.voice = { ...voice };
    this.changed();
  }

  setBackground(bg: Background, scene?: Scene): void {
    if (!this.story) return;
    for (const s of scene ? [scene] : this.story.scenes) s.background = { ...bg } as Background;
    this.changed();
  }

  setFormat(format: Format): void {
    if (this.story) this.story.format = format;
    this.changed();
  }

  async upload(file: File): Promise<AssetInfo | undefined> {
    this.notice = `Uploading ${file.name}…`;
    try {
      const asset = await api.upload(file);
      this.assets = [asset, ...this.assets];
      this.notice = null;
      return asset;
    } catch (err) {
      this.notice = null;
      this.error = `Upload of “${file.name}” refused: ${describe(err)}`;
      return undefined;
    }
  }

  async render(): Promise<void> {
    if (!this.story) return;
    if (!(await this.flush())) return;
    try {
      await api.render(this.story.id);
      this.notice = 'Render queued';
      setTimeout(() => (this.notice = null), 2500);
    } catch (err) {
      this.fail(err);
    }
  }
}
