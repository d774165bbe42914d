/**
 * What can go wrong talking to the gateway (`VisioApiError`) or signing in (`SignInError`), and the
 * sentence a person can act on for each (`describeError`, French or English). Its own module: the client
 * and the sign-in helper both throw these, and neither imports the other.
 */
import type { Problem } from './contract.js';
import type { Lang } from './types.js';
import { PROBLEM_TYPE_PREFIX } from './wire.js';

export type ErrorKind = 'http' | 'network' | 'timeout' | 'invalid-response';

export class VisioApiError extends Error {
  override readonly name = 'VisioApiError';
  constructor(
    message: string,
    readonly kind: ErrorKind,
    readonly status: number = 0,
    readonly problem?: Problem,
  ) {
    super(message);
  }
}

/**
 * Why a sign-in did not end with tokens. `describeError` (below) turns each kind into a sentence for the
 * agent; `message` is for developers and logs only (it may quote the provider, never show it in a UI).
 * - `cancelled`: the agent closed or dismissed the sign-in window (not a failure).
 * - `denied`: the agent refused consent, or the identity provider refused access (`access_denied`).
 * - `state-mismatch`: the answer does not belong to this request (a forged or stale redirect).
 * - `invalid-grant`: the one-time code (or refresh token) was refused: expired or already used.
 * - `network`: the gateway (or its sign-in page) could not be reached.
 * - `unavailable`: the gateway or the identity provider is temporarily unavailable (503, 429, `temporarily_unavailable`).
 * - `blocked`: the sign-in window could not open (pop-ups blocked, another sign-in window already open).
 * - `failed`: anything else (misconfiguration, unreadable answer).
 */
export type SignInErrorKind = 'cancelled' | 'denied' | 'state-mismatch' | 'invalid-grant' | 'network' | 'unavailable' | 'blocked' | 'failed';

export class SignInError extends Error {
  override readonly name = 'SignInError';
  constructor(
    message: string,
    readonly kind: SignInErrorKind,
  ) {
    super(message);
  }
}

const MESSAGES: Record<Lang, Record<string, string>> = {
  fr: {
    network: 'Impossible de joindre le service Visio. Vérifiez votre connexion et réessayez.',
    timeout: 'Le service Visio ne répond pas. Réessayez dans un instant.',
    'invalid-response': 'Le service Visio a envoyé une réponse illisible.',
    401: 'Votre session a expiré : reconnectez-vous.',
    403: 'Vous n’avez pas le droit de faire cette action.',
    404: 'Cette réunion n’existe pas ou ne vous appartient pas.',
    429: 'Trop de demandes en peu de temps : patientez un instant puis réessayez.',
    400: 'La demande est invalide',
    upstream: 'Le service Visio est momentanément indisponible. Réessayez dans quelques minutes.',
    'provider-account-unknown':
      'Votre compte Visio n’existe pas encore : connectez-vous une fois à Visio avec votre compte professionnel, puis réessayez. Si le problème persiste, contactez votre administrateur.',
    'provider-refused': 'Votre organisation n’est pas encore autorisée à créer des réunions Visio depuis cet outil. Contactez votre administrateur.',
    'caldav-credentials-refused': 'Votre serveur d’agenda a refusé l’identifiant ou le mot de passe d’application.',
    'caldav-server-not-allowed': 'Ce serveur d’agenda n’est pas autorisé par le service Visio.',
    'upstream-timeout': 'Votre serveur d’agenda ne répond pas. Réessayez dans un instant.',
    'invalid-calendar-object': 'Cet événement est illisible sur le serveur d’agenda ; il n’a pas été modifié.',
    'calendar-refuses-events': 'Cet agenda n’accepte pas les événements : choisissez-en un autre.',
    'no-foreign-meeting': 'Cet événement ne contient ni réunion Teams, Zoom, Webex ou Google Meet, ni salle Visio : il n’a pas été modifié.',
    'sign-in:cancelled': 'Connexion annulée.',
    'sign-in:denied': 'Connexion refusée : l’accès à votre compte n’a pas été autorisé. Recommencez en acceptant la demande, ou contactez votre administrateur.',
    'sign-in:state-mismatch': 'La réponse de connexion ne correspond pas à votre demande. Recommencez la connexion.',
    'sign-in:invalid-grant': 'La connexion a expiré avant d’aboutir. Recommencez la connexion.',
    'sign-in:network': 'Impossible de joindre le service Visio pour vous connecter. Vérifiez votre connexion et réessayez.',
    'sign-in:unavailable': 'Le service de connexion est momentanément indisponible. Réessayez dans quelques minutes.',
    'sign-in:blocked': 'La fenêtre de connexion n’a pas pu s’ouvrir. Fermez toute fenêtre de connexion déjà ouverte, autorisez les fenêtres pop-up, puis réessayez.',
    'sign-in:failed': 'La connexion a échoué. Réessayez ; si le problème persiste, contactez votre administrateur.',
    other: 'Une erreur est survenue',
  },
  en: {
    network: 'Cannot reach the Visio service. Check your connection and try again.',
    timeout: 'The Visio service is not answering. Try again in a moment.',
    'invalid-response': 'The Visio service sent an unreadable answer.',
    401: 'Your session has expired: please sign in again.',
    403: 'You are not allowed to do this.',
    404: 'This meeting does not exist or is not yours.',
    429: 'Too many requests in a short time: wait a moment and try again.',
    400: 'The request is invalid',
    upstream: 'The Visio service is temporarily unavailable. Try again in a few minutes.',
    'provider-account-unknown': 'Your Visio account does not exist yet: sign in to Visio once with your work account, then try again. If this persists, contact your administrator.',
    'provider-refused': 'Your organisation is not yet allowed to create Visio meetings from this tool. Contact your administrator.',
    'caldav-credentials-refused': 'Your calendar server refused the user name or application password.',
    'caldav-server-not-allowed': 'This calendar server is not allowed by the Visio service.',
    'upstream-timeout': 'Your calendar server is not answering. Try again in a moment.',
    'invalid-calendar-object': 'This event is unreadable on the calendar server; it was left unchanged.',
    'calendar-refuses-events': 'This calendar does not accept events: choose another one.',
    'no-foreign-meeting': 'This event holds no Teams, Zoom, Webex or Google Meet meeting and no Visio room: it was left unchanged.',
    'sign-in:cancelled': 'Sign-in cancelled.',
    'sign-in:denied': 'Sign-in refused: access to your account was not granted. Try again and accept the request, or contact your administrator.',
    'sign-in:state-mismatch': 'The sign-in answer does not match your request. Please sign in again.',
    'sign-in:invalid-grant': 'The sign-in expired before it completed. Please sign in again.',
    'sign-in:network': 'Cannot reach the Visio service to sign in. Check your connection and try again.',
    'sign-in:unavailable': 'The sign-in service is temporarily unavailable. Try again in a few minutes.',
    'sign-in:blocked': 'The sign-in window could not open. Close any sign-in window already open, allow pop-ups, then try again.',
    'sign-in:failed': 'Sign-in failed. Try again; if this persists, contact your administrator.',
    other: 'Something went wrong',
  },
};

/**
 * A sentence a person can act on, in their language, for any error the client or the sign-in helper
 * (@visio/shared/sign-in) throws. Sign-in errors never echo what the provider said. Plain text: show it with
 * textContent.
 */
export function describeError(error: unknown, lang: Lang = 'fr'): string {
  const m = MESSAGES[lang];
  if (error instanceof SignInError) return m[`sign-in:${error.kind}`] ?? m['sign-in:failed']!;
  if (!(error instanceof VisioApiError)) return m.other!;
  if (error.kind !== 'http') return m[error.kind]!;
  const byType = error.problem?.type?.startsWith(PROBLEM_TYPE_PREFIX) ? m[error.problem.type.slice(PROBLEM_TYPE_PREFIX.length)] : undefined;
  if (byType) return byType;
  if (error.status >= 500) return m.upstream!;
  const known = m[String(error.status)];
  if (known && error.status !== 400) return known;
  const base = known ?? m.other!;
  const detail = error.problem?.detail;
  if (!detail) return base;
  return lang === 'fr' ? `${base} : ${detail}` : `${base}: ${detail}`;
}
