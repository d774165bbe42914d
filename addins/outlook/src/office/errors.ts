/**
 * Office reports failures as AsyncResult errors with a numeric code and a name. Each is mapped to a
 * sentence the agent can act on; unknown codes get a generic one (the code is kept for the logs).
 */
import type { Lang } from '@visio/shared';
import { STRINGS } from '../i18n.js';

export type OfficeErrorKind = 'permission' | 'busy' | 'tooLarge' | 'locationTooLong' | 'propertiesTooLarge' | 'network' | 'unsupported' | 'dialogBlocked' | 'other';

export class OfficeError extends Error {
  override readonly name = 'OfficeError';
  constructor(
    readonly code: number,
    readonly officeName: string,
    message: string,
    /** The argument office.js refused before calling Outlook (its synchronous exceptions). */
    readonly paramName?: string,
  ) {
    super(message || officeName || `Office error ${code}`);
  }
}

// Codes from Office's published error tables (common API 5xxx/7xxx, Outlook 9xxx, dialogs 12xxx).
const BY_CODE: Record<number, OfficeErrorKind> = {
  1000: 'unsupported', // invalid coercion type for this body
  5000: 'unsupported', // API not supported by this client
  5001: 'other', // internal error
  7000: 'permission', // permission denied
  7002: 'unsupported', // invalid API call in this context
  9011: 'other', // HTML sanitisation failure
  9014: 'busy', // cursor position changed while inserting
  9017: 'permission', // access restricted
  9020: 'network', // generic response error
  9021: 'network', // save error
  9030: 'busy', // API call failed because the item changed
  9038: 'permission', // insufficient item permissions
  9040: 'network', // HTTP request failure
  9041: 'network', // network error
  9042: 'network', // internal server error
  9047: 'permission', // missing extended permissions
  9051: 'tooLarge', // session data too large
  12009: 'dialogBlocked', // the agent ignored Office on the web's prompt to open a window
  12011: 'dialogBlocked', // the browser blocks pop-ups
};

// office.js checks arguments before calling Outlook and throws Sys.ArgumentOutOfRangeException, naming the
// argument (outlook-web-16.01.js: location 255, notification message 150, custom properties 2,500 as JSON,
// body data 1,000,000).
const BY_PARAM: Record<string, OfficeErrorKind> = { location: 'locationTooLong', customProperties: 'propertiesTooLarge', data: 'tooLarge' };
const BY_NAME: Record<string, OfficeErrorKind> = {
  PermissionDenied: 'permission',
  AccessRestricted: 'permission',
  InsufficientItemPermissionsError: 'permission',
  APICallFailedDueToItemChange: 'busy',
  CursorPositionChanged: 'busy',
  DataExceedsMaximumSize: 'tooLarge',
  NetworkError: 'network',
  HTTPRequestFailure: 'network',
  SaveError: 'network',
  InternalServerError: 'network',
  NotSupported: 'unsupported',
};

export function officeErrorKind(error: OfficeError): OfficeErrorKind {
  if (error.officeName === 'Sys.ArgumentOutOfRangeException') return BY_PARAM[error.paramName ?? ''] ?? 'other';
  return BY_CODE[error.code] ?? BY_NAME[error.officeName] ?? 'other';
}

export function describeOfficeError(error: OfficeError, lang: Lang): string {
  return STRINGS[lang].office[officeErrorKind(error)];
}
