// The Media Studio's data model, shared by the render pipeline (src/render), the job queue
// (src/queue) and the server and UI (src/server, ui). docs/studio.md §1 describes each field.
// Everything here is plain JSON: stories are saved as JSON files, jobs travel through the
// queue's journal and through Redis as JSON.

/** Output formats, width × height. 1080×1920 (vertical) is the default. */
export const FORMATS = ['1080x1920', '1920x1080', '1080x1080'] as const;
export type Format = (typeof FORMATS)[number];

export interface Voice {
  /** espeak-ng voice name, e.g. 'en', 'en-us', 'de', 'fr'. Checked against `espeak-ng --voices`. */
  voice: string;
  /** Words per minute, 80–450 (espeak-ng -s). */
  rate: number;
  /** 0–99 (espeak-ng -p). */
  pitch: number;
}

/** A scene's background: a shipped generated background, an uploaded asset, or a colour. */
export type Background = { kind: 'builtin'; name: string } | { kind: 'asset'; assetId: string } | { kind: 'color'; color: string };

export interface CaptionStyle {
  /** Font size in pixels at the output resolution. */
  size: number;
  position: 'top' | 'middle' | 'bottom';
  /** Highlight the word being spoken (karaoke timing from the voice's duration). */
  wordHighlight: boolean;
}

export interface Scene {
  /** Stable id within the story. */
  id: string;
  /** The words spoken by the voice. */
  text: string;
  /** The caption shown while the scene plays; defaults to `text`. */
  caption: string;
  voice: Voice;
  background: Background;
  /** Zoom: a slow push-in on still backgrounds. */
  zoom: boolean;
}

export interface Story {
  id: string;
  title: string;
  /** The script the scenes were split from. */
  script: string;
  scenes: Scene[];
  format: Format;
  captions: CaptionStyle;
  /** Optional music bed (an uploaded audio asset), ducked under the voice. */
  music?: { assetId: string; volume: number };
  /** Silence between scenes, in seconds. */
  gapSeconds: number;
  createdAt: number;
  updatedAt: number;
}

/** The stages a render passes through, in order. */
export const STAGES = ['voice', 'captions', 'compose', 'thumbnail'] as const;
export type Stage = (typeof STAGES)[number];

/** A job's named states (docs/studio.md §3, the job state machine). */
export type JobState = 'queued' | 'active' | 'retrying' | 'completed' | 'failed' | 'cancelled';

/** What a worker needs to render: the story as it was when the job was submitted. */
export interface RenderRequest {
  story: Story;
}

export interface JobStatus {
  id: string;
  storyId: string;
  title: string;
  state: JobState;
  stage?: Stage;
  /** 0–1 within the whole job. */
  progress: number;
  attempts: number;
  error?: { code: string; message: string };
  /** Set once completed: the library entry's id. */
  outputId?: string;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
}

/** A finished render in the library. */
export interface LibraryEntry {
  id: string;
  jobId: string;
  title: string;
  format: Format;
  durationSeconds: number;
  bytes: number;
  createdAt: number;
}
