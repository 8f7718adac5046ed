/**
 * Errors a transport rejects a publish with. Each carries a stable `code` that the HTTP
 * layer maps to a status: TRANSPORT_UNAVAILABLE → 503 with Retry-After, MESSAGE_TOO_LARGE → 413.
 */
export class TransportUnavailableError extends Error {
  readonly code = 'TRANSPORT_UNAVAILABLE';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransportUnavailableError';
  }
}

export class MessageTooLargeError extends Error {
  readonly code = 'MESSAGE_TOO_LARGE';

  /** `bytes` is the estimated size, or undefined when the broker refused the batch as too large. */
  constructor(
    readonly bytes: number | undefined,
    readonly limit: number,
    options?: { cause?: unknown },
  ) {
    super(
      bytes === undefined
        ? `The broker refused the messages as larger than its limit`
        : `Message of about ${bytes} bytes exceeds the transport limit of ${limit} bytes`,
      options,
    );
    this.name = 'MessageTooLargeError';
  }
}
