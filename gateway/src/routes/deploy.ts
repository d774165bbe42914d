/**
 * /deploy: what an IT team needs to roll Visio out from this gateway: the page (French and English, no
 * secret in it), each policy file at its own URL, and the self-hosted packages with their update manifests.
 */
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Context } from 'hono';
import { escapeHtml } from '@visio/shared/html';
import { MANAGED_SETTINGS } from '@visio/shared/managed-settings';
import type { Lang } from '@visio/shared';
import type { AppEnv } from '../app-env.js';
import type { GatewaySettings } from '../config.js';
import { extensionId, publicKeyDer } from '../deploy/crx3.js';
import { createPackages, type BuiltPackage } from '../deploy/packages.js';
import { chromiumPolicy, chromiumRegistry, DEPLOY_PATHS, firefoxPolicies, gupdateManifest, LINUX_POLICY_DIRS, mozillaUpdates, thunderbirdPolicies, type DeploymentIds } from '../deploy/policies.js';
import { loadCrxKey } from '../deploy/signing-key.js';
import { documentRoute, fileResponse, newRouter } from '../openapi.js';
import { ProblemError } from '../problem.js';
import { DEPLOY_TEXT } from './deploy-text.js';
import { pickLang } from './page.js';

const PAGE_CSP = "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
// When a client was not built here, its id as its manifest declares it (extension/browser/scripts/manifest.mjs,
// addins/thunderbird/static/manifest.json).
const FALLBACK_IDS = { firefox: 'visio@numerique.gouv.fr', thunderbird: 'visio-thunderbird@integrations.numerique.gouv.fr' };

// Files scroll sideways inside their own focusable box rather than widening the page.
const DEPLOY_CSS = `header, main { max-width: 60rem; }
pre, .table { overflow-x: auto; max-width: 100%; border: 1px solid var(--border); padding: .5rem; }
table { border-collapse: collapse; }
th, td { text-align: start; vertical-align: top; padding: .25rem .5rem; border-bottom: 1px solid var(--border); }
`;

type FileKind = 'json' | 'reg' | 'xml' | 'crx' | 'xpi';
const TYPES: Record<FileKind, string> = {
  json: 'application/json; charset=utf-8',
  reg: 'text/plain; charset=utf-8',
  xml: 'application/xml; charset=utf-8',
  crx: 'application/x-chrome-extension',
  xpi: 'application/x-xpinstall',
};

function send(c: Context<AppEnv>, body: string | Buffer, kind: FileKind, filename?: string) {
  c.header('content-type', TYPES[kind]);
  c.header('cache-control', 'no-cache');
  if (filename) c.header('content-disposition', `attachment; filename="${filename}"`);
  return c.body(typeof body === 'string' ? body : new Uint8Array(body));
}

export function deployRoutes(settings: GatewaySettings) {
  const app = newRouter();
  const doc = (path: string, summary: string, type: string) =>
    documentRoute(app, { method: 'get', path, summary, responses: { 200: fileResponse(summary, type), 404: { description: 'Not built on this gateway (problem+json)' } } });
  doc('/deploy', 'The deployment page for administrators (fr/en by Accept-Language or ?lang): files and steps for every client', 'text/html');
  doc('/deploy/deploy.css', 'The deployment page’s style sheet', 'text/css');
  doc(DEPLOY_PATHS.chromiumPolicy, 'Chromium, Chrome and Edge managed policy for Linux (force-install from this gateway, 3rdparty settings)', 'application/json');
  doc(DEPLOY_PATHS.chromeReg, 'The same policy for Chrome on Windows (registry file)', 'text/plain');
  doc(DEPLOY_PATHS.edgeReg, 'The same policy for Edge on Windows (registry file)', 'text/plain');
  doc(DEPLOY_PATHS.chromiumReg, 'The same policy for Chromium on Windows (registry file)', 'text/plain');
  doc(DEPLOY_PATHS.firefoxPolicies, 'Firefox policies.json (ExtensionSettings force_installed, 3rdparty.Extensions)', 'application/json');
  doc(DEPLOY_PATHS.thunderbirdPolicies, 'Thunderbird policies.json (ExtensionSettings force_installed, 3rdparty.Extensions)', 'application/json');
  doc(DEPLOY_PATHS.chromiumUpdates, 'gupdate update manifest of the self-hosted Chromium extension', 'application/xml');
  doc(DEPLOY_PATHS.chromiumCrx, 'The Chromium extension as CRX3, signed with the administrator’s key', 'application/x-chrome-extension');
  doc(DEPLOY_PATHS.firefoxUpdates, 'updates.json of the self-hosted Firefox package', 'application/json');
  doc(DEPLOY_PATHS.firefoxXpi, 'The Firefox package (.xpi)', 'application/x-xpinstall');
  doc(DEPLOY_PATHS.thunderbirdUpdates, 'updates.json of the self-hosted Thunderbird add-on', 'application/json');
  doc(DEPLOY_PATHS.thunderbirdXpi, 'The Thunderbird add-on (.xpi)', 'application/x-xpinstall');
  // The key is read (or generated) on first use: a gateway nobody deploys from never spends the RSA key generation.
  let signing: { key: KeyObject; id: string } | undefined;
  const signingKey = () => {
    if (!signing) {
      const key = loadCrxKey(settings.deploy.crxKeyFile, settings.dataDir);
      signing = { key, id: extensionId(publicKeyDer(key)) };
    }
    return signing;
  };
  const packages = createPackages(settings.deploy.clientsDir, () => signingKey().key);
  const gatewayUrl = () => settings.publicUrl;
  const ids = (): DeploymentIds => ({
    gatewayUrl: gatewayUrl(),
    instanceUrl: settings.instanceUrl,
    chromiumId: signingKey().id,
    firefoxId: packages.firefox()?.id ?? FALLBACK_IDS.firefox,
    thunderbirdId: packages.thunderbird()?.id ?? FALLBACK_IDS.thunderbird,
  });
  const built = (pkg: BuiltPackage | null, name: string): BuiltPackage => {
    if (!pkg) throw new ProblemError(503, 'unavailable', `${name} not built`, `Build the clients (npm run build) so the gateway can serve the ${name} package.`);
    return pkg;
  };
  const files = {
    chromiumPolicy: () => chromiumPolicy(ids()),
    chromeReg: () => chromiumRegistry(ids(), 'chrome'),
    edgeReg: () => chromiumRegistry(ids(), 'edge'),
    chromiumReg: () => chromiumRegistry(ids(), 'chromium'),
    firefoxPolicies: () => firefoxPolicies(ids()),
    thunderbirdPolicies: () => thunderbirdPolicies(ids()),
  };

  app.get(DEPLOY_PATHS.chromiumPolicy, (c) => send(c, files.chromiumPolicy(), 'json', 'visio.json'));
  app.get(DEPLOY_PATHS.chromeReg, (c) => send(c, files.chromeReg(), 'reg', 'visio-chrome.reg'));
  app.get(DEPLOY_PATHS.edgeReg, (c) => send(c, files.edgeReg(), 'reg', 'visio-edge.reg'));
  app.get(DEPLOY_PATHS.chromiumReg, (c) => send(c, files.chromiumReg(), 'reg', 'visio-chromium.reg'));
  app.get(DEPLOY_PATHS.firefoxPolicies, (c) => send(c, files.firefoxPolicies(), 'json', 'policies.json'));
  app.get(DEPLOY_PATHS.thunderbirdPolicies, (c) => send(c, files.thunderbirdPolicies(), 'json', 'policies.json'));

  app.get(DEPLOY_PATHS.chromiumUpdates, (c) => {
    const pkg = built(packages.chromium(), 'Chromium extension');
    return send(c, gupdateManifest(signingKey().id, pkg.version, `${gatewayUrl()}${DEPLOY_PATHS.chromiumCrx}?v=${pkg.version}`), 'xml');
  });
  app.get(DEPLOY_PATHS.chromiumCrx, (c) => send(c, packages.crx(built(packages.chromium(), 'Chromium extension')), 'crx', 'visio.crx'));
  app.get(DEPLOY_PATHS.firefoxUpdates, (c) => {
    const pkg = built(packages.firefox(), 'Firefox extension');
    return send(c, mozillaUpdates(ids().firefoxId, pkg.version, `${gatewayUrl()}${DEPLOY_PATHS.firefoxXpi}?v=${pkg.version}`, packages.sha256(pkg)), 'json');
  });
  app.get(DEPLOY_PATHS.firefoxXpi, (c) => send(c, readFileSync(built(packages.firefox(), 'Firefox extension').file), 'xpi', 'visio-firefox.xpi'));
  app.get(DEPLOY_PATHS.thunderbirdUpdates, (c) => {
    const pkg = built(packages.thunderbird(), 'Thunderbird add-on');
    return send(c, mozillaUpdates(ids().thunderbirdId, pkg.version, `${gatewayUrl()}${DEPLOY_PATHS.thunderbirdXpi}?v=${pkg.version}`, packages.sha256(pkg)), 'json');
  });
  app.get(DEPLOY_PATHS.thunderbirdXpi, (c) => send(c, readFileSync(built(packages.thunderbird(), 'Thunderbird add-on').file), 'xpi', 'visio-thunderbird.xpi'));

  app.get('/deploy/deploy.css', (c) => c.body(DEPLOY_CSS, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'no-cache' }));
  app.get('/deploy', (c) => {
    const lang = pickLang(c.req.query('lang'), c.req.header('accept-language'));
    c.header('content-security-policy', PAGE_CSP);
    c.header('vary', 'accept-language');
    c.header('cache-control', 'no-cache');
    return c.html(renderDeployPage(lang, ids(), files, { chromium: packages.chromium(), firefox: packages.firefox(), thunderbird: packages.thunderbird() }));
  });
  return app;
}

type Files = Record<'chromiumPolicy' | 'chromeReg' | 'edgeReg' | 'chromiumReg' | 'firefoxPolicies' | 'thunderbirdPolicies', () => string>;

function renderDeployPage(lang: Lang, ids: DeploymentIds, files: Files, builds: Record<'chromium' | 'firefox' | 'thunderbird', BuiltPackage | null>): string {
  const t = DEPLOY_TEXT[lang];
  const e = escapeHtml;
  const u = ids.gatewayUrl;
  const colon = lang === 'fr' ? ' : ' : ': ';
  let n = 0;
  // A file: its download link and its contents, in a focusable region (it scrolls sideways).
  const file = (path: string, name: string, body: string) => {
    const id = `file-${++n}`;
    return `<p><a href="${e(path)}" download="${e(name)}">${e(t.download)} ${e(name)}</a></p>
<pre tabindex="0" role="region" aria-labelledby="${id}"><span class="visually-hidden" id="${id}">${e(t.fileLabel(name))}</span><code>${e(body)}</code></pre>`;
  };
  const link = (path: string) => `<a href="${e(path)}"><code>${e(`${u}${path}`)}</code></a>`;
  const pkg = (b: BuiltPackage | null, paths: string[]) => (b ? `<p>${e(t.version(b.version))}</p><ul>${paths.map((p) => `<li>${link(p)}</li>`).join('')}</ul>` : `<p>${e(t.notBuilt)}</p>`);
  const rows = MANAGED_SETTINGS.map((s) => {
    const written = s.deployed(ids);
    return `<tr><th scope="row"><code>${e(s.key)}</code></th><td>${e(s.enum ? `${s.type} (${s.enum.join(', ')})` : s.items ? `${s.type} (${s.items.type})` : s.type)}</td><td>${e(s.meaning[lang])}</td><td>${e(s.clients.join(', '))}</td><td>${written === undefined ? e(t.notWritten) : `<code>${e(String(written))}</code>`}</td></tr>`;
  }).join('\n');
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(t.title)}</title>
<link rel="stylesheet" href="/assets/page.css">
<link rel="stylesheet" href="/deploy/deploy.css">
</head>
<body>
<a class="skip" href="#main">${e(t.skip)}</a>
<header>
<nav aria-label="${e(t.langNav)}"><a href="/deploy?lang=${t.otherLangCode}" lang="${t.otherLangCode}" hreflang="${t.otherLangCode}">${e(t.otherLang)}</a></nav>
</header>
<main id="main">
<h1>${e(t.heading)}</h1>
<p>${e(t.intro(u))}</p>
<section aria-labelledby="outlook"><h2 id="outlook">${e(t.outlook)}</h2>
<p>${e(t.outlookManifests)}</p>
<ul><li>${e(t.xmlManifest)}${colon}${link('/outlook/manifest.xml')}</li><li>${e(t.jsonManifest)}${colon}${link('/outlook/manifest.json')}</li></ul>
<p>${e(t.m365)}</p>
<p>${e(t.exchange)}</p>
<pre tabindex="0" role="region" aria-label="${e(t.exchange)}"><code>${e(`New-App -OrganizationApp -Url "${u}/outlook/manifest.xml" -DefaultStateForUser Enabled`)}</code></pre>
<p>${e(t.adminInstalled)}</p>
</section>
<section aria-labelledby="chromium"><h2 id="chromium">${e(t.chromium)}</h2>
<p>${e(t.chromiumIntro)}</p>
<p>${e(t.extensionId)} <code id="extension-id">${e(ids.chromiumId)}</code></p>
<p>${e(t.linuxSteps)}</p>
<ul>${Object.entries(LINUX_POLICY_DIRS)
    .map(([b, dir]) => `<li>${e(b)}${colon}<code>${e(dir)}visio.json</code></li>`)
    .join('')}</ul>
${file(DEPLOY_PATHS.chromiumPolicy, 'visio.json', files.chromiumPolicy())}
<p>${e(t.windowsSteps)}</p>
${file(DEPLOY_PATHS.chromeReg, 'visio-chrome.reg', files.chromeReg())}
<ul><li><a href="${DEPLOY_PATHS.edgeReg}" download="visio-edge.reg">${e(t.download)} visio-edge.reg</a></li><li><a href="${DEPLOY_PATHS.chromiumReg}" download="visio-chromium.reg">${e(t.download)} visio-chromium.reg</a></li></ul>
<p>${e(t.packages)}</p>
${pkg(builds.chromium, [DEPLOY_PATHS.chromiumUpdates, DEPLOY_PATHS.chromiumCrx])}
</section>
<section aria-labelledby="firefox"><h2 id="firefox">${e(t.firefox)}</h2>
<p>${e(t.firefoxIntro)}</p>
<p><strong>${e(t.firefoxSigning)}</strong></p>
${file(DEPLOY_PATHS.firefoxPolicies, 'policies.json', files.firefoxPolicies())}
<p>${e(t.packages)}</p>
${pkg(builds.firefox, [DEPLOY_PATHS.firefoxUpdates, DEPLOY_PATHS.firefoxXpi])}
</section>
<section aria-labelledby="thunderbird"><h2 id="thunderbird">${e(t.thunderbird)}</h2>
<p>${e(t.thunderbirdIntro)}</p>
${file(DEPLOY_PATHS.thunderbirdPolicies, 'policies.json', files.thunderbirdPolicies())}
<p>${e(t.packages)}</p>
${pkg(builds.thunderbird, [DEPLOY_PATHS.thunderbirdUpdates, DEPLOY_PATHS.thunderbirdXpi])}
</section>
<section aria-labelledby="settings"><h2 id="settings">${e(t.settings)}</h2>
<p>${e(t.settingsIntro)}</p>
<div class="table" tabindex="0" role="region" aria-labelledby="settings"><table>
<thead><tr><th scope="col">${e(t.key)}</th><th scope="col">${e(t.type)}</th><th scope="col">${e(t.meaning)}</th><th scope="col">${e(t.clients)}</th><th scope="col">${e(t.written)}</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>
</section>
</main>
</body>
</html>`;
}
