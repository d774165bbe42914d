/** Why an ICS operation refused its input; callers map `code` to a message for the user. */
export type IcsErrorCode = 'invalid-ics' | 'invalid-time-zone' | 'invalid-date' | 'invalid-rrule' | 'invalid-email' | 'invalid-room' | 'no-organizer' | 'no-event';

export class IcsError extends Error {
  readonly code: IcsErrorCode;

  constructor(code: IcsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IcsError';
    this.code = code;
  }
}
