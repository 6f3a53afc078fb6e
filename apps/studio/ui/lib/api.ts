// The Studio REST API (/studio/api/…). Every failure becomes an ApiError carrying the server's
// `{ code, message }`, so the page can say exactly what went wrong (a corrupt upload says so).
import type { LibraryEntry, Story, Voice } from '../../src/model.ts';

export const API = '/studio/api';

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface AssetInfo {
  id: string;
  name: string;
  kind: 'image' | 'video' | 'audio';
  width?: number;
  height?: number;
  durationSeconds?: number;
  bytes: number;
  createdAt: number;
}

export interface StorySummary {
  id: string;
  title: string;
  scenes: number;
  updatedAt: number;
}

export interface BuiltinBackground {
  name: string;
  label: string;
  colors: string[];
}

async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${API}${path}`, init);
  } catch (err) {
    throw new ApiError('NETWORK', `the server could not be reached (${(err as Error).message})`, 0);
  }
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  if (!res.ok) {
    const body = type.includes('json') ? ((await res.json().catch(() => ({}))) as { code?: string; message?: string }) : {};
    throw new ApiError(body.code ?? `HTTP_${res.status}`, body.message ?? res.statusText, res.status);
  }
  return (type.includes('json') ? res.json() : res.blob()) as Promise<T>;
}

const json = (method: string, body: unknown): RequestInit => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

export const api = {
  stories: () => call<{ stories: StorySummary[] }>('/stories').then((r) => r.stories),
  story: (id: string) => call<Story>(`/stories/${encodeURIComponent(id)}`),
  createStory: (title: string, script: string) => call<Story>('/stories', json('POST', { title, script })),
  saveStory: (story: Story) => call<Story>(`/stories/${encodeURIComponent(story.id)}`, json('PUT', story)),
  split: (script: string, voice?: Voice) =>
    call<{ scenes: Story['scenes'] }>('/script/split', json('POST', voice ? { script, voice } : { script })).then((r) => r.scenes),
  assets: () => call<{ assets: AssetInfo[] }>('/assets').then((r) => r.assets),
  /** Streams the file as the request body (the browser never reads it into a string). */
  upload: (file: File) =>
    call<AssetInfo>(`/assets?name=${encodeURIComponent(file.name)}`, {
      method: 'PUT',
      body: file,
      headers: { 'content-type': file.type || 'application/octet-stream' },
    }),
  backgrounds: () => call<{ builtins: BuiltinBackground[] }>('/backgrounds').then((r) => r.builtins),
  voices: () => call<{ voices: { voice: string; name: string }[] }>('/voices').then((r) => r.voices),
  preview: (text: string, voice: Voice, signal?: AbortSignal) =>
    call<Blob>('/voice/preview', { ...json('POST', { text, voice }), ...(signal ? { signal } : {}) }),
  render: (storyId: string) => call<{ id: string }>('/jobs', json('POST', { storyId })),
  cancel: (jobId: string) => call<{ cancelled: boolean }>(`/jobs/${encodeURIComponent(jobId)}/cancel`, { method: 'POST' }),
  library: (offset: number, limit: number) => call<{ total: number; entries: LibraryEntry[] }>(`/library?offset=${offset}&limit=${limit}`),
};

export const assetThumb = (id: string) => `${API}/assets/${encodeURIComponent(id)}/thumbnail`;
export const renderThumb = (id: string) => `${API}/library/${encodeURIComponent(id)}/thumbnail`;
export const renderVideo = (id: string) => `${API}/library/${encodeURIComponent(id)}/video`;
export const renderDownload = (id: string) => `${API}/library/${encodeURIComponent(id)}/download`;

/** "STUDIO_UNSUPPORTED_MEDIA: …" for people: the message first, the code for reference. */
export function describe(err: unknown): string {
  if (err instanceof ApiError) return `${err.message} (${err.code})`;
  return err instanceof Error ? err.message : String(err);
}
