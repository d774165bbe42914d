/**
 * Plain types shared by every package. Kept free of zod so that clients which only need types (and the
 * small pure helpers) do not bundle the schema library; `contract.ts` checks its schemas against them.
 */

export const LANGS = ['fr', 'en'] as const;
export type Lang = (typeof LANGS)[number];
export const DEFAULT_LANG: Lang = 'fr';

/** Meet's access levels: public (anyone enters), trusted (signed-in agents enter), restricted (members only). */
export const ACCESS_LEVELS = ['public', 'trusted', 'restricted'] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

export const PROVIDERS = ['standalone', 'meet', 'livekit'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export interface Telephony {
  /** Dial-in number in international E.164 form, e.g. `+33187210000`. */
  phoneNumber: string;
  /** Digits only, e.g. `1234567890`; shown grouped as `123 456 7890#`. */
  pin: string;
  /** ISO 3166 country of the number, when known (e.g. `FR`). */
  country?: string | undefined;
}

/** What the invitation block and ICS need to know about a room. */
export interface RoomLink {
  code: string;
  url: string;
  telephony?: Telephony | undefined;
}

export const PUBLIC_INSTANCE_URL = 'https://visio.numerique.gouv.fr';

/** Access tokens for the client: the sign-in session gives one, local mode needs none. */
export interface TokenSource {
  /** Current access token, or null when signed out (local mode needs none). */
  getAccessToken(): string | null | Promise<string | null>;
  /** Gets a fresh access token after a 401; true when the request is worth retrying. */
  refresh?(): Promise<boolean>;
}
