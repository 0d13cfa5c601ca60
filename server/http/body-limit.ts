// Request body size limit that reports 413 through the shared error family.
import { bodyLimit as honoBodyLimit } from 'hono/body-limit';
import { PayloadTooLargeError } from '../errors.ts';

export function bodyLimit(maxBytes: number) {
  return honoBodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new PayloadTooLargeError(`request body is larger than ${maxBytes} bytes`);
    },
  });
}
