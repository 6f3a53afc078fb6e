// Media Studio's error registry. Every code has a row in docs/studio.md §7; the HTTP status is
// what a route answers with. Tests compare `err.code`, never the message.
import { defineErrors } from '@tidewire/base';

export const StudioErrorCodes = {
  STUDIO_BAD_REQUEST: { status: 400, description: 'a request body or query that does not match its schema' },
  STUDIO_BAD_NAME: { status: 400, description: 'a name or id with path separators, `..`, control characters, or past the length cap' },
  STUDIO_TOO_MANY_SCENES: { status: 413, description: 'a script that splits into more scenes than the cap' },
  STUDIO_TEXT_TOO_LONG: { status: 413, description: 'a script, scene or caption longer than its cap' },
  STUDIO_UPLOAD_TOO_LARGE: { status: 413, description: 'an upload past the size cap (the partial file is removed)' },
  STUDIO_UNSUPPORTED_MEDIA: { status: 415, description: 'an upload ffprobe cannot read, or whose streams are not image, video or audio' },
  STUDIO_NOT_FOUND: { status: 404, description: 'no story, asset, job or render with that id' },
  STUDIO_BAD_VOICE: { status: 400, description: 'a voice espeak-ng does not have, or a rate or pitch out of range' },
  STUDIO_QUOTA: { status: 507, description: 'the disk quota for renders and intermediates is reached' },
  STUDIO_TOOL_MISSING: { status: 500, description: 'ffmpeg, ffprobe or espeak-ng is not installed' },
  STUDIO_TOOL_FAILED: { status: 500, description: 'ffmpeg or espeak-ng exited with an error (its last stderr lines are in the message)' },
  STUDIO_TIMEOUT: { status: 504, description: 'a job ran past its timeout and was killed' },
  STUDIO_CANCELLED: { status: 409, description: 'the job was cancelled' },
  STUDIO_QUEUE_CLOSED: { status: 503, description: 'the queue is closed (the server is shutting down)' },
  STUDIO_WORKER_LOST: { status: 500, description: 'the process running the job died; the job was re-queued or failed' },
  STUDIO_QUEUE_UNREACHABLE: { status: 503, description: 'the Redis the job queue is on did not answer when the studio started' },
  STUDIO_DATA_DIR_BUSY: {
    status: 503,
    description: 'another live studio server holds the data dir (its lock file state/server/server.lock); each server needs its own',
  },
  STUDIO_INTERNAL: {
    status: 500,
    description: 'a route failed on something that is not a Studio error (a bug; the cause is in the server log, not the answer)',
  },
  STUDIO_JOB_ERROR: { status: 500, description: 'a job failed with an error that carries no code (recorded on the job instead of a Studio code)' },
} as const;

const studio = defineErrors('StudioError', StudioErrorCodes);
export type StudioErrorCode = keyof typeof StudioErrorCodes;

export class StudioError extends studio.Error {
  /** The HTTP status a route answers this error with. */
  get status(): number {
    return StudioErrorCodes[this.code].status;
  }
}

export const isStudioErrorCode = studio.isCode;
