/** The sign-in flow's own pages (only when it cannot hand back to the client): fr/en, no script, strict CSP. */
import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { escapeHtml as e } from '@visio/shared/html';
import type { Lang } from '@visio/shared';

const STYLE = `body{font:1rem/1.5 system-ui,sans-serif;margin:0;color:#161616;background:#fff}
main{max-width:36rem;margin:3rem auto;padding:0 1rem}h1{font-size:1.5rem;color:#000091}
p.detail{color:#3a3a3a}a{color:#000091}
@media (prefers-color-scheme:dark){body{color:#eee;background:#161616}h1,a{color:#8585f6}p.detail{color:#cecece}}`;
const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');
export const AUTH_PAGE_CSP = `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`;

export type AuthPageKind = 'invalidClient' | 'invalidRequest' | 'expired' | 'unavailable' | 'failed' | 'rateLimited' | 'localMode';
/** What the agent can do next: start again from their application, or open the meeting link again. */
export type AuthPageNext = 'client' | 'join';

const TEXT: Record<Lang, Record<AuthPageKind, [string, string]> & { title: string; close: string; rejoin: string }> = {
  fr: {
    title: 'Connexion à Visio',
    close: 'Vous pouvez fermer cette fenêtre et recommencer depuis votre application.',
    rejoin: 'Pour réessayer, ouvrez de nouveau le lien de la réunion depuis l’invitation.',
    invalidClient: ['Application non autorisée', 'Cette application ou son adresse de retour n’est pas enregistrée auprès de la passerelle Visio. Aucune connexion n’a été faite.'],
    invalidRequest: ['Demande de connexion invalide', 'La demande de connexion est incomplète ou mal formée.'],
    expired: ['Demande de connexion expirée', 'Cette demande de connexion a expiré, a déjà servi ou a été ouverte dans un autre navigateur.'],
    unavailable: ['Service d’identification indisponible', 'Le service d’identification ne répond pas. Réessayez dans quelques minutes.'],
    failed: ['Connexion impossible', 'Le service d’identification n’a pas confirmé votre identité.'],
    rateLimited: ['Trop de tentatives', 'Trop de tentatives de connexion en peu de temps. Patientez un instant puis réessayez.'],
    localMode: ['Pas de connexion nécessaire', 'Cette passerelle fonctionne en mode local : aucune connexion n’est nécessaire.'],
  },
  en: {
    title: 'Sign in to Visio',
    close: 'You can close this window and start again from your application.',
    rejoin: 'To try again, open the meeting link from the invitation once more.',
    invalidClient: ['Application not allowed', 'This application or its return address is not registered with the Visio gateway. Nothing was signed in.'],
    invalidRequest: ['Invalid sign-in request', 'The sign-in request is incomplete or malformed.'],
    expired: ['Sign-in request expired', 'This sign-in request has expired, was already used, or was opened in another browser.'],
    unavailable: ['Identity service unavailable', 'The identity service is not answering. Try again in a few minutes.'],
    failed: ['Sign-in failed', 'The identity service did not confirm who you are.'],
    rateLimited: ['Too many attempts', 'Too many sign-in attempts in a short time. Wait a moment and try again.'],
    localMode: ['No sign-in needed', 'This gateway runs in local mode: no sign-in is needed.'],
  },
};

export function authPage(c: Context, lang: Lang, kind: AuthPageKind, status: ContentfulStatusCode, headers: Record<string, string> = {}, next: AuthPageNext = 'client'): Response {
  const t = TEXT[lang];
  const [heading, detail] = t[kind];
  return messagePage(c, lang, { title: t.title, heading, detail, next: next === 'join' ? t.rejoin : t.close }, status, headers);
}

/** A one-message page (no script, strict CSP): the sign-in pages, an ended meeting's link. */
export function messagePage(c: Context, lang: Lang, t: { title: string; heading: string; detail: string; next: string }, status: ContentfulStatusCode, headers: Record<string, string> = {}): Response {
  const { heading, detail } = t;
  const html = `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${e(heading)} – ${e(t.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${e(heading)}</h1>
<p role="alert">${e(detail)}</p>
<p class="detail">${e(t.next)}</p>
</main>
</body>
</html>`;
  return c.html(html, status, { 'content-security-policy': AUTH_PAGE_CSP, 'cache-control': 'no-store', ...headers });
}
