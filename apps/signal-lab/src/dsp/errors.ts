// The DSP core's error registry. Codes are stable: tests compare them, never the message;
// docs/signal-lab-dsp.md lists them (a test checks that). Nothing here is thrown from the audio
// thread's process(): errors surface at construction and at the main-thread API boundary.
import { defineErrors } from '@tidewire/base';

export const DSP_ERROR_CODES = {
  DSP_BAD_OPTION: { description: 'an option passed to createLab, a DSP constructor or a design function is invalid (type, range, cap)' },
  DSP_BAD_CONTROL: { description: 'a control value (generator kind, chain order, bypass mask, filter type) is not one the processor knows' },
  DSP_QUEUE_FULL: {
    description: 'the control queue to the audio thread is full (the processor is not running, or controls are sent faster than it drains them)',
  },
  DSP_WORKLET_LOAD: { description: 'the AudioWorklet module could not be loaded into the context' },
} as const;

export type DspErrorCode = keyof typeof DSP_ERROR_CODES;

export class DspError extends defineErrors('DspError', DSP_ERROR_CODES).Error {}
