// The uploaded-like background files the studio suite renders over, made with FFmpeg at the start
// of a run in its temp folder: a still photo-sized PNG and a short H.264 clip shot in portrait
// (what a phone uploads), which the render loops.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface BenchMedia {
  still: string;
  video: string;
}

export async function makeMedia(dir: string, videoSeconds: number): Promise<BenchMedia> {
  const still = join(dir, 'upload-still.png');
  const video = join(dir, 'upload-clip.mp4');
  const q = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'];
  await exec('ffmpeg', [...q, '-f', 'lavfi', '-i', 'testsrc2=s=1080x1920:d=1', '-frames:v', '1', still]);
  // 30 fps with motion (so the loop is real decoding work), a keyframe every 2 s, moov at the end as a camera writes it.
  await exec('ffmpeg', [
    ...q,
    '-f',
    'lavfi',
    '-i',
    `testsrc2=s=1080x1920:r=30:d=${videoSeconds}`,
    '-f',
    'lavfi',
    '-i',
    `sine=f=330:d=${videoSeconds}`,
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '23',
    '-g',
    '60',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-shortest',
    video,
  ]);
  return { still, video };
}
