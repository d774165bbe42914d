/**
 * Serves the Outlook add-in so an administrator deploys one service: its pages and scripts (with the
 * gateway's public URL written in), icons, both manifests, and office.js from @microsoft/office-js.
 * Pages may be framed by Outlook (frame-ancestors); nothing else about the gateway's policy is loosened.
 */
import { readFile, realpath } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, sep } from 'node:path';
import { ADDIN_WEB_DIR } from '@visio/outlook-addin/files';
import { LOCALIZATION_FILES, renderJsonLocalization, renderJsonManifest, renderXmlManifest } from '@visio/outlook-addin/manifest';
import type { GatewaySettings } from '../config.js';
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

export function outlookRoutes(settings: GatewaySettings) {
  const app = newRouter();
  const file = (path: string, summary: string, type: string) =>
    documentRoute(app, { method: 'get', path, summary, responses: { 200: fileResponse(summary, type), 404: { description: 'No such file' } } });
  file('/outlook/manifest.xml', 'The add-in’s XML manifest (Outlook on Windows, Mac, web), for this gateway’s public URL', 'application/xml');
  file('/outlook/manifest.json', 'The add-in’s unified JSON manifest (Microsoft 365), for this gateway’s public URL', 'application/json');
  for (const name of Object.values(LOCALIZATION_FILES)) file(`/outlook/${name}`, `Localized strings of the unified manifest (${name})`, 'application/json');
  file('/outlook/office/{path}', 'Office.js, served from the gateway (no CDN)', 'text/javascript');
  file('/outlook/{file}', 'The add-in’s pages, scripts and icons', 'text/html');
  const officeDir = officeJsDir();
  // The public URL is final once the server listens (server.ts builds the app only then).
  const base = () => settings.publicUrl;

  app.get('/outlook/manifest.xml', (c) => {
    c.header('content-type', TYPES['.xml']!);
    c.header('cache-control', 'no-cache');
    c.header('content-disposition', 'inline; filename="visio-outlook-manifest.xml"');
    return c.body(renderXmlManifest(base()));
  });
  app.get('/outlook/manifest.json', (c) => {
    c.header('cache-control', 'no-cache');
    return c.json(renderJsonManifest(base()));
  });
  for (const [lang, file] of Object.entries(LOCALIZATION_FILES)) {
    app.get(`/outlook/${file}`, (c) => c.json(renderJsonLocalization(lang as 'fr' | 'en')));
  }

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
    c.header('cache-control', 'no-cache');
    if (rel.endsWith('.html')) {
      const html = file.toString('utf8');
      c.header('content-security-policy', pageCsp(html.includes(CDN)));
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
