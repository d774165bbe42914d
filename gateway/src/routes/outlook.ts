/**
 * Serves the Outlook add-in so an administrator deploys one service: its pages and scripts (with the
 * gateway's public URL written in), icons, both manifests, and office.js from @microsoft/office-js.
 * Pages may be framed by Outlook (frame-ancestors) and opened as Office dialogs (no COOP); what Office
 * loads from another origin may be loaded cross-origin (CORP); icons carry no Cache-Control. The gateway's
 * secure headers keep what these routes set (secureHeaders `overwrite: false`).
 */
import { readFile, realpath } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, sep } from 'node:path';
import type { Context } from 'hono';
import { ADDIN_WEB_DIR, readRelease } from '@visio/outlook-addin/files';
import { LOCALIZATION_FILES, renderJsonLocalization, renderJsonManifest, renderXmlManifest, type AddinRelease } from '@visio/outlook-addin/manifest';
import { findVisioLinks } from '@visio/shared/links';
import type { AppEnv } from '../app-env.js';
import { ProblemError } from '../problem.js';
import type { GatewaySettings } from '../config.js';
import { pagePolicy } from '../middleware/security-headers.js';
import { documentRoute, fileResponse, newRouter } from '../openapi.js';

// Outlook on the web, new Outlook and Microsoft 365 hosts that frame add-in pages.
export const OUTLOOK_FRAME_ANCESTORS = [
  "'self'",
  'https://outlook.office.com',
  'https://outlook.office365.com',
  'https://outlook.live.com',
  'https://outlook.cloud.microsoft',
  'https://*.outlook.com',
  'https://*.office.com',
  'https://*.office365.com',
  'https://*.microsoft365.com',
  'https://*.cloud.microsoft',
];
const CDN = 'https://appsforoffice.microsoft.com';

function pageCsp(usesCdn: boolean): string {
  const scripts = usesCdn ? `'self' ${CDN}` : "'self'";
  return `default-src 'none'; script-src ${scripts}; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-src 'self'; frame-ancestors ${OUTLOOK_FRAME_ANCESTORS.join(' ')}; base-uri 'none'; form-action 'none'`;
}
// Scripts and images are fetched, not framed; they need no framing allowance.
const FILE_CSP = "default-src 'none'; frame-ancestors 'none'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
};

function officeJsDir(): string | null {
  try {
    const require = createRequire(join(ADDIN_WEB_DIR, '..', '..', 'package.json'));
    return join(dirname(require.resolve('@microsoft/office-js/package.json')), 'dist');
  } catch {
    return null;
  }
}

/** Reads `rel` under `root`, refusing anything that resolves outside it (`..`, symlinks). */
async function readUnder(root: string, rel: string): Promise<Buffer | null> {
  if (!/^[A-Za-z0-9._/-]{1,200}$/.test(rel) || rel.split('/').some((part) => part === '..' || part === '' || part === '.')) return null;
  try {
    const realRoot = await realpath(root);
    const file = await realpath(join(root, rel));
    if (!file.startsWith(realRoot + sep)) return null;
    return await readFile(file);
  } catch {
    return null;
  }
}

const PLACEHOLDER = '__VISIO_PUBLIC_URL__';

/**
 * Headers of a file the manifests reference. Office on the web loads icons from outlook.office.com and frames
 * the pages there: `cross-origin` resource policy (the gateway's `same-site` default blocks them). A page
 * opened with displayDialogAsync must keep its opener, or messageParent never arrives: `unsafe-none` opener
 * policy (Microsoft's dialog API documentation); framed pages ignore COOP anyway. Office caches icons
 * itself and shows a generic one when an image carries any Cache-Control directive (Microsoft's manifest
 * `Image` reference): icons get none, and versioned URLs (`?v=`) instead.
 */
function officeFileHeaders(c: Context<AppEnv>, rel: string): void {
  c.header('cross-origin-resource-policy', 'cross-origin');
  if (rel.endsWith('.html')) c.header('cross-origin-opener-policy', 'unsafe-none');
  if (!rel.endsWith('.png')) c.header('cache-control', 'no-cache');
}

export function outlookRoutes(settings: GatewaySettings) {
  const app = newRouter();
  const file = (path: string, summary: string, type: string) =>
    documentRoute(app, { method: 'get', path, summary, responses: { 200: fileResponse(summary, type), 404: { description: 'No such file' } } });
  file('/outlook/manifest.xml', 'The add-in’s XML manifest (Outlook on Windows, Mac, web), for this gateway’s public URL', 'application/xml');
  file('/outlook/manifest.json', 'The add-in’s unified JSON manifest (Microsoft 365), for this gateway’s public URL', 'application/json');
  for (const name of Object.values(LOCALIZATION_FILES)) file(`/outlook/${name}`, `Localized strings of the unified manifest (${name})`, 'application/json');
  documentRoute(app, {
    method: 'get',
    path: '/outlook/join',
    summary: 'Join from Outlook on the web: an Office dialog page that opens only this instance’s Visio links (?url=)',
    responses: { 200: fileResponse('The page', 'text/html'), 400: { description: 'Not a Visio link of this instance' } },
  });
  file('/outlook/office/{path}', 'Office.js, served from the gateway (no CDN)', 'text/javascript');
  file('/outlook/{file}', 'The add-in’s pages, scripts and icons', 'text/html');
  const officeDir = officeJsDir();
  // The built add-in's version: its manifests and icon URLs change with every build. Read on first use, so a
  // gateway whose add-in was not built still starts (its /outlook answers say so).
  let built: AddinRelease | null = null;
  const release = (): AddinRelease => {
    try {
      built ??= readRelease();
    } catch {
      throw new ProblemError(503, 'unavailable', 'Outlook add-in not built', 'Build the add-in (npm run build) so the gateway can serve its manifests.');
    }
    return built;
  };
  // The public URL is final once the server listens (server.ts builds the app only then).
  const base = () => settings.publicUrl;

  app.get('/outlook/manifest.xml', (c) => {
    const xml = renderXmlManifest(base(), release());
    c.header('content-type', TYPES['.xml']!);
    c.header('cache-control', 'no-cache');
    c.header('content-disposition', 'inline; filename="visio-outlook-manifest.xml"');
    return c.body(xml);
  });
  app.get('/outlook/manifest.json', (c) => {
    const manifest = renderJsonManifest(base(), release());
    c.header('cache-control', 'no-cache');
    return c.json(manifest);
  });
  for (const [lang, file] of Object.entries(LOCALIZATION_FILES)) {
    app.get(`/outlook/${file}`, (c) => c.json(renderJsonLocalization(lang as 'fr' | 'en')));
  }

  // "Join Visio" in Outlook on the web: the Office dialog opens here (its own domain) and goes on to the
  // meeting. Only a Visio link of this instance is followed: no open redirect.
  app.get('/outlook/join', (c) => {
    const url = c.req.queries('url');
    const link = url?.length === 1 ? findVisioLinks(url[0]!, settings.instanceUrl)[0] : undefined;
    if (!link || link.index !== 0 || link.raw !== url![0]) throw new ProblemError(400, 'validation', 'Not a Visio link', `url must be one Visio meeting link of ${settings.instanceUrl}.`);
    c.header('cross-origin-opener-policy', 'unsafe-none');
    c.header('cache-control', 'no-store');
    return c.redirect(link.url, 302);
  });

  app.get('/outlook/office/*', async (c) => {
    const rel = c.req.path.slice('/outlook/office/'.length);
    const body = officeDir ? await readUnder(officeDir, rel) : null;
    if (!body) return c.notFound();
    c.header('content-type', TYPES[extname(rel)] ?? 'application/octet-stream');
    c.header('cache-control', 'public, max-age=86400');
    c.header('content-security-policy', FILE_CSP);
    return c.body(new Uint8Array(body));
  });

  app.get('/outlook/*', async (c) => {
    const rel = c.req.path.slice('/outlook/'.length);
    const type = TYPES[extname(rel)];
    const file = type ? await readUnder(ADDIN_WEB_DIR, rel) : null;
    if (!file || !type) return c.notFound();
    c.header('content-type', type);
    officeFileHeaders(c, rel);
    if (rel.endsWith('.html')) {
      const html = file.toString('utf8');
      pagePolicy(c, pageCsp(html.includes(CDN)));
      return c.body(html);
    }
    c.header('content-security-policy', FILE_CSP);
    if (rel.endsWith('.js')) {
      // The public URL as the inside of a JS string literal (it is a validated http(s) URL; escaped anyway).
      return c.body(file.toString('utf8').replaceAll(PLACEHOLDER, JSON.stringify(base()).slice(1, -1).replace(/</g, '\\u003c')));
    }
    return c.body(new Uint8Array(file));
  });
  return app;
}
