/** GET /: a small accessible page to create an instant room. Same-origin assets only, strict CSP. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { escapeHtml } from '@visio/shared/html';
import type { Lang } from '@visio/shared';
import type { GatewaySettings } from '../config.js';
import { documentRoute, fileResponse, newRouter } from '../openapi.js';
import { PAGE_TEXT } from './page-text.js';

export const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const ASSET_TYPES: Record<string, string> = { 'page.js': 'text/javascript; charset=utf-8', 'page.css': 'text/css; charset=utf-8', 'switch.js': 'text/javascript; charset=utf-8' };

// Built by `vite build --config vite.page.config.ts` next to the compiled server (dist/page).
function loadAssets(): Map<string, string> {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'page');
  const assets = new Map<string, string>();
  for (const name of Object.keys(ASSET_TYPES)) {
    try {
      assets.set(name, readFileSync(join(dir, name), 'utf8'));
    } catch {
      // Running from sources without a page build: the page says so rather than failing the gateway.
    }
  }
  return assets;
}

// The page is itself a registered client (`web`) whose redirect URI is the page.
export function signInAttributes(settings: GatewaySettings): string {
  if (settings.auth.mode !== 'oidc') return '';
  const u = settings.publicUrl;
  return ` data-login-url="${escapeHtml(`${u}/auth/login`)}" data-token-url="${escapeHtml(`${u}/auth/token`)}" data-logout-url="${escapeHtml(`${u}/auth/logout`)}" data-redirect-uri="${escapeHtml(`${u}/`)}"`;
}

export function pickLang(query: string | undefined, acceptLanguage: string | undefined): Lang {
  if (query === 'fr' || query === 'en') return query;
  const first = (acceptLanguage ?? '')
    .split(',')
    .map((p) => p.trim().slice(0, 2).toLowerCase())
    .find((p) => p === 'fr' || p === 'en');
  return first ?? 'fr';
}

/** The pages' document up to the opening <main>: head, skip link, brand and language switch. */
export function pageStart(o: { lang: Lang; title: string; script: string | null; skip: string; brand: string; langNav: string; otherLang: string; otherHref: string; mainAttributes: string }): string {
  const e = escapeHtml;
  const other = o.lang === 'fr' ? 'en' : 'fr';
  return `<!doctype html>
<html lang="${o.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(o.title)}</title>
<link rel="stylesheet" href="/assets/page.css">
${o.script ? `<script type="module" src="/assets/${o.script}"></script>` : ''}
</head>
<body>
<a class="skip" href="#main">${e(o.skip)}</a>
<header>
<p class="brand">${o.brand}</p>
<nav aria-label="${e(o.langNav)}"><a href="${e(o.otherHref)}" lang="${other}" hreflang="${other}">${e(o.otherLang)}</a></nav>
</header>
<main id="main" data-lang="${o.lang}"${o.mainAttributes}>
`;
}

function renderPage(lang: Lang, settings: GatewaySettings, hasScript: boolean): string {
  const t = PAGE_TEXT[lang];
  const e = escapeHtml;
  const start = pageStart({
    lang,
    title: t.title,
    script: hasScript ? 'page.js' : null,
    skip: t.skip,
    brand: e(settings.instanceName),
    langNav: t.langNav,
    otherLang: t.otherLang,
    otherHref: `/?lang=${t.otherLangCode}`,
    mainAttributes: signInAttributes(settings),
  });
  return `${start}<h1>${e(t.heading)}</h1>
<p>${e(t.intro)}</p>
${
  settings.auth.mode === 'oidc'
    ? `<section id="signin" aria-labelledby="signin-heading" hidden>
<h2 id="signin-heading">${e(t.signInHeading)}</h2>
<p>${e(t.signInIntro)}</p>
<button type="button" id="signin-button">${e(t.signIn)}</button>
</section>
<p id="whoami" hidden><span id="whoami-text" data-template="${e(t.signedInAs)}"></span> <button type="button" id="signout-button" class="link">${e(t.signOut)}</button></p>`
    : ''
}
<form id="create" novalidate${settings.auth.mode === 'oidc' ? ' hidden' : ''}>
<label for="title">${e(t.titleLabel)}</label>
<input id="title" name="title" maxlength="255" autocomplete="off">
<button type="submit" id="create-button">${e(t.create)}</button>
</form>
<p id="status" role="status" aria-live="polite"></p>
<p id="error" role="alert" class="error" hidden></p>
<section id="result" aria-labelledby="result-heading" hidden>
<h2 id="result-heading" tabindex="-1">${e(t.ready)}</h2>
<p><span class="label" id="link-label">${e(t.linkLabel)}</span><br><a id="link" aria-describedby="link-label" href="#"></a></p>
<div class="actions">
<button type="button" id="copy" data-done="${e(t.copied)}" data-failed="${e(t.copyFailed)}">${e(t.copy)}</button>
<a id="join" class="button" href="#" target="_blank" rel="noopener noreferrer">${e(t.join)} <span class="visually-hidden">${e(t.newTab)}</span></a>
<button type="button" id="ics" data-done="${e(t.icsDone)}">${e(t.ics)}</button>
</div>
</section>
</main>
<footer><p>${e(settings.auth.mode === 'local' ? t.localMode(settings.auth.user.email) : t.signedInMode)}</p></footer>
<template id="messages" data-creating="${e(t.creating)}"></template>
</body>
</html>`;
}

export function pageRoutes(settings: GatewaySettings) {
  const app = newRouter();
  const assets = loadAssets();
  documentRoute(app, {
    method: 'get',
    path: '/',
    summary: 'The gateway’s own page (fr/en, from Accept-Language or ?lang): create a room, copy, join, .ics',
    responses: { 200: fileResponse('The page', 'text/html') },
  });
  documentRoute(app, {
    method: 'get',
    path: '/assets/{name}',
    summary: 'The page’s script and style sheet',
    responses: { 200: fileResponse('The file', 'text/javascript'), 404: { description: 'No such file' } },
  });
  const pages = { fr: renderPage('fr', settings, assets.has('page.js')), en: renderPage('en', settings, assets.has('page.js')) };

  app.get('/', (c) => {
    const lang = pickLang(c.req.query('lang'), c.req.header('accept-language'));
    c.header('content-security-policy', PAGE_CSP);
    c.header('vary', 'accept-language', { append: true });
    c.header('cache-control', 'no-cache');
    return c.html(pages[lang]);
  });
  app.get('/assets/:name', (c) => {
    const name = c.req.param('name');
    const body = assets.get(name);
    if (body === undefined) return c.notFound();
    return c.body(body, 200, { 'content-type': ASSET_TYPES[name]!, 'cache-control': 'no-cache' });
  });
  return app;
}
