// @tidewire/cli's error registry. Codes are stable: commands print them (`tidewire <cmd>: CODE:
// message`, exit 1) and tests compare them.
import { defineErrors } from '@tidewire/base';

export const CliErrorCodes = {
  CLI_OUT_NOT_REGULAR: {
    description:
      'an output path (--out, --record, --thumbnail) names something other than a regular file — a symbolic link, FIFO, device, directory or socket; it is left as it is',
  },
} as const;

export type CliErrorCode = keyof typeof CliErrorCodes;

export class CliError extends defineErrors('CliError', CliErrorCodes).Error {}
