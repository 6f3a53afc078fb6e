// Shared by the capture worklet and the page (the worklet module itself must not be imported
// by the page: it registers a processor when evaluated).
export const CAPTURE_PROCESSOR = 'signal-lab-capture';
/** 30 s at 48 kHz: a loopback needs about one second. */
export const MAX_CAPTURE_FRAMES = 48000 * 30;

export interface CaptureOptions {
  frames: number;
  channels: number;
}
