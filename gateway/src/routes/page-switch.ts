/** GET /switch: the "Passer à Visio" page (CalDAV account, meetings found, ticks, progress, report). */
import { escapeHtml } from '@visio/shared/html';
import { FOREIGN_PROVIDER_NAMES } from '@visio/shared/foreign-meetings';
import type { Lang } from '@visio/shared';
import type { GatewaySettings } from '../config.js';
import { documentRoute, fileResponse, newRouter } from '../openapi.js';
import { PAGE_CSP, pageStart, pickLang, signInAttributes } from './page.js';
import { SWITCH_TEXT } from './page-switch-text.js';

function renderSwitchPage(lang: Lang, settings: GatewaySettings): string {
  const t = SWITCH_TEXT[lang];
  const e = escapeHtml;
  // Words the script needs, carried as data so that the script holds no text of its own.
  const words = e(JSON.stringify({ ...t, providers: FOREIGN_PROVIDER_NAMES }));
  const start = pageStart({
    lang,
    title: t.title,
    script: 'switch.js',
    skip: t.skip,
    brand: `<a href="/?lang=${lang}">${e(settings.instanceName)}</a>`,
    langNav: t.langNav,
    otherLang: t.otherLang,
    otherHref: `/switch?lang=${t.otherLangCode}`,
    mainAttributes: ` data-words="${words}"${signInAttributes(settings)}`,
  });
  return `${start}<h1>${e(t.heading)}</h1>
<p>${e(t.intro)}</p>
<p id="signin-first" hidden>${e(t.signInFirst)} <a href="/?lang=${lang}">${e(t.home)}</a></p>
<form id="account" novalidate>
<h2>${e(t.accountHeading)}</h2>
<label for="server">${e(t.server)}</label>
<input id="server" name="server" type="url" autocomplete="url" aria-describedby="server-hint" spellcheck="false">
<p id="server-hint" class="hint">${e(t.serverHint)}</p>
<label for="user">${e(t.user)}</label>
<input id="user" name="user" autocomplete="username" required aria-required="true" spellcheck="false">
<label for="password">${e(t.password)}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required aria-required="true" aria-describedby="password-hint">
<p id="password-hint" class="hint">${e(t.passwordHint)}</p>
<label for="months">${e(t.range)}</label>
<select id="months" name="months"><option value="3">${e(t.months3)}</option><option value="12" selected>${e(t.months12)}</option></select>
<button type="submit" id="find">${e(t.find)}</button>
</form>
<p id="status" role="status" aria-live="polite"></p>
<p id="error" role="alert" class="error" hidden></p>
<section id="plan" aria-labelledby="plan-heading" hidden>
<h2 id="plan-heading" tabindex="-1">${e(t.found)}</h2>
<p id="plan-summary"></p>
<form id="choose" novalidate>
<fieldset id="mine-set">
<legend>${e(t.mineLegend)}</legend>
<table>
<thead><tr><th scope="col">${e(t.colConvert)}</th><th scope="col">${e(t.colTitle)}</th><th scope="col">${e(t.colNext)}</th><th scope="col">${e(t.colProvider)}</th></tr></thead>
<tbody id="mine"></tbody>
</table>
</fieldset>
<div id="theirs-block">
<h3>${e(t.theirsHeading)}</h3>
<p>${e(t.theirsIntro)}</p>
<ul id="theirs"></ul>
</div>
<button type="submit" id="apply">${e(t.apply)}</button>
</form>
</section>
<section id="progress-section" aria-labelledby="progress-heading" hidden>
<h2 id="progress-heading" tabindex="-1">${e(t.progressHeading)}</h2>
<progress id="progress" max="1" value="0" aria-labelledby="progress-heading" aria-describedby="progress-text"></progress>
<p id="progress-text"></p>
</section>
<section id="report" aria-labelledby="report-heading" hidden>
<h2 id="report-heading" tabindex="-1">${e(t.reportHeading)}</h2>
<p id="report-done"></p>
<ul id="report-counts"></ul>
<p id="report-attendees"></p>
<p>${e(t.oldMeetings)}</p>
<table>
<thead><tr><th scope="col">${e(t.colTitle)}</th><th scope="col">${e(t.colProvider)}</th><th scope="col">${e(t.colResult)}</th></tr></thead>
<tbody id="report-items"></tbody>
</table>
<p><button type="button" id="csv">${e(t.csv)}</button></p>
</section>
</main>
</body>
</html>`;
}

export function switchPageRoutes(settings: GatewaySettings) {
  const app = newRouter();
  documentRoute(app, {
    method: 'get',
    path: '/switch',
    summary: '“Passer à Visio”: the page that moves an agent’s Teams, Zoom, Webex and Google Meet meetings to Visio (fr/en)',
    responses: { 200: fileResponse('The page', 'text/html') },
  });
  const pages = { fr: renderSwitchPage('fr', settings), en: renderSwitchPage('en', settings) };
  app.get('/switch', (c) => {
    const lang = pickLang(c.req.query('lang'), c.req.header('accept-language'));
    c.header('content-security-policy', PAGE_CSP);
    c.header('vary', 'accept-language');
    c.header('cache-control', 'no-cache');
    return c.html(pages[lang]);
  });
  return app;
}
