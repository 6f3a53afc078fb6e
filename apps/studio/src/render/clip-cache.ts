// Spoken clips kept in memory (docs/studio.md §5.10): an `lru-cache` bounded by bytes (`maxSize`,
// each clip weighed by its PCM length), keyed by a hash of everything espeak-ng is given. A scene
// whose text and voice did not change is not spoken again: re-rendering an edited story and the
// voice preview only run espeak-ng for what changed. Behind it sits the disk cache (the WAVs
// survive a restart); in front of both, nothing: a miss in both runs espeak-ng.
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Voice } from '../model.ts';
import { diskCacheBytes } from './disk-cache.ts';
import type { VoiceClip } from './voice.ts';

/** Default bytes of PCM kept in memory: about 25 minutes of 22 kHz 16-bit mono speech. */
export const CLIP_CACHE_MAX_BYTES = 64 * 1024 * 1024;
/** What one entry costs beyond its samples (the object, the key): keeps tiny clips from being free. */
const ENTRY_OVERHEAD_BYTES = 256;

/** The cache key: espeak-ng's binary, voice, rate, pitch and the exact text, hashed (sha-256, hex). */
export function clipKey(espeak: string, text: string, voice: Voice): string {
  return createHash('sha256')
    .update(JSON.stringify([espeak, voice.voice, voice.rate, voice.pitch, text]))
    .digest('hex');
}

export type ClipCache = LRUCache<string, VoiceClip>;

export function createClipCache(maxBytes = CLIP_CACHE_MAX_BYTES): ClipCache {
  return new LRUCache<string, VoiceClip>({
    maxSize: maxBytes,
    sizeCalculation: (clip) => clip.pcm.length + ENTRY_OVERHEAD_BYTES,
  });
}

/** The process-wide clip cache every render and preview shares. */
export const clipCache: ClipCache = createClipCache();

/**
 * The render caches' sizes for /metrics: the process-wide clip cache's bytes in memory and the
 * committed bytes of every intermediates folder this process opened (as of its last insert).
 */
export function renderCacheBytes(): { memoryBytes: number; diskBytes: number } {
  return { memoryBytes: clipCache.calculatedSize, diskBytes: diskCacheBytes() };
}
