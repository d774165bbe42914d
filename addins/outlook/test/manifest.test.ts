/**
 * Both manifests, offline. JSON: Microsoft's own schema shipped in @microsoft/app-manifest (draft-04, with
 * the localization schema). XML: Microsoft's XSDs (testing/contracts/outlook-manifest-xsd, xmllint), and
 * what the XSDs cannot say: every resource id referenced is defined in its own VersionOverrides, the
 * surfaces carry the right commands, and every URL is under the gateway's public URL.
 */
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DOMParser, type Element } from '@xmldom/xmldom';
import Ajv04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { validateOutlookManifest } from '@visio/testing/outlook-manifest-schema';
import { ADDIN_WEB_DIR } from '../src/files.ts';
import {
  COMMANDS,
  JSON_MANIFEST_VERSION,
  LAUNCH_EVENTS,
  LOCALIZATION_FILES,
  localizationKeys,
  nextBuild,
  renderJsonLocalization,
  renderJsonManifest,
  renderXmlManifest,
  unifiedVersion,
  xmlVersion,
} from '../src/manifest/manifest.ts';

const PUBLIC = 'https://visio-passerelle.example.gouv.fr';
const RELEASE = { version: '0.1.0', build: 8037 };
const require = createRequire(import.meta.url);
const schemaDir = join(dirname(require.resolve('@microsoft/app-manifest/package.json')), 'build', 'json-schemas', 'teams', `v${JSON_MANIFEST_VERSION}`);

function validator(file: string) {
  // CommonJS packages: their classes sit on `default` when imported from ESM.
  const ajv = new Ajv04.default({ allErrors: true, strict: false, unicodeRegExp: false });
  ajvFormats.default(ajv);
  return ajv.compile(JSON.parse(readFileSync(join(schemaDir, file), 'utf8')));
}

describe('release numbers', () => {
  it('follow the package version and grow with every build', () => {
    expect(xmlVersion({ version: '0.1.0', build: 7 })).toBe('0.1.0.7');
    expect(unifiedVersion({ version: '0.1.0', build: 7 })).toBe('0.1.7');
    expect(unifiedVersion({ version: '0.1.2', build: 7 })).toBe('0.1.200007');
    const now = new Date('2026-12-01T21:30:00Z');
    const first = nextBuild(null, now);
    expect(first).toBe(8037);
    // Rebuilt within the same hour, or with a clock behind: still a higher number.
    expect(nextBuild(first, now)).toBe(first + 1);
    expect(nextBuild(first + 5, new Date('2026-06-01T00:00:00Z'))).toBe(first + 6);
    expect(nextBuild(first, new Date('2026-12-02T21:30:00Z'))).toBe(first + 24);
    expect(() => xmlVersion({ version: '1.0.0-beta', build: 1 })).toThrow(/major\.minor\.patch/);
    expect(() => xmlVersion({ version: '1.0.0', build: 100_000 })).toThrow(/build number/);
  });
});

describe('unified JSON manifest', () => {
  const manifest = renderJsonManifest(PUBLIC, RELEASE);

  it('is valid against Microsoft’s schema', () => {
    const validate = validator('MicrosoftTeams.schema.json');
    const ok = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('has valid localization files that define every key the manifest uses', () => {
    const validate = validator('MicrosoftTeams.Localization.schema.json');
    const used = new Set(JSON.stringify(manifest).match(/\[\[[A-Za-z_][A-Za-z0-9_]*\]\]/g));
    for (const lang of ['fr', 'en'] as const) {
      const file = renderJsonLocalization(lang);
      expect(validate(file), JSON.stringify(validate.errors)).toBe(true);
      expect(new Set(Object.keys(localizationKeys(lang)))).toEqual(used);
    }
    expect((manifest.localizationInfo as { additionalLanguages: { file: string }[] }).additionalLanguages[0]!.file).toBe(LOCALIZATION_FILES.en);
    expect(localizationKeys('fr')['[[addVisioMeetingLabel]]']).toBe('Ajouter une réunion Visio');
    expect(localizationKeys('en')['[[addVisioMeetingLabel]]']).toBe('Add Visio meeting');
    expect(localizationKeys('fr')['[[switchToVisioLabel]]']).toBe('Passer à Visio');
    expect(localizationKeys('en')['[[switchToVisioLabel]]']).toBe('Switch to Visio');
  });

  it('ties every control and event to a declared action, on the gateway’s URL', () => {
    const text = JSON.stringify(manifest);
    const ext = (manifest.extensions as Record<string, unknown>[])[0] as {
      runtimes: { actions: { id: string }[]; code: { page: string; script?: string } }[];
      autoRunEvents: { events: { type: string; actionId: string }[] }[];
    };
    const actions = new Set(ext.runtimes.flatMap((r) => r.actions.map((a) => a.id)));
    for (const id of text.match(/"actionId":"([^"]+)"/g)!.map((m) => m.slice(12, -1))) expect(actions.has(id), id).toBe(true);
    expect(ext.autoRunEvents[0]!.events.map((e) => e.type)).toContain('newAppointmentOrganizer');
    expect(ext.runtimes[0]!.code).toEqual({ page: `${PUBLIC}/outlook/commands.html`, script: `${PUBLIC}/outlook/commands.js` });
    for (const url of text.match(/https?:\/\/[^"]+/g)!) if (!url.startsWith('https://developer.microsoft.com/json-schemas/')) expect(url.startsWith(`${PUBLIC}/`), url).toBe(true);
    expect(manifest.validDomains).toEqual(['visio-passerelle.example.gouv.fr']);
  });
});

/** The RGBA pixels of one of the built PNG icons (8-bit RGBA, no filter: as icons.mjs writes them). */
function pixels(file: string): number[][] {
  const png = readFileSync(join(ADDIN_WEB_DIR, file));
  const size = png.readUInt32BE(16);
  const chunks: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    if (png.toString('ascii', at + 4, at + 8) === 'IDAT') chunks.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(chunks));
  const out: number[][] = [];
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) out.push([...raw.subarray(y * (size * 4 + 1) + 1 + x * 4, y * (size * 4 + 1) + 5 + x * 4)]);
  return out;
}

describe('mobile online-meeting surface (Microsoft’s rules for online-meeting providers)', () => {
  const xml = renderXmlManifest(PUBLIC, RELEASE);
  const json = renderJsonManifest(PUBLIC, RELEASE) as {
    extensions: {
      ribbons: { requirements?: { formFactors?: string[] }; contexts: string[]; tabs: { customMobileRibbonGroups?: { controls: { actionId: string; icons: { url: string }[] }[] }[] }[] }[];
      alternates: unknown[];
    }[];
  };

  it('one function command, with grayscale #919191 icons, in both manifests', () => {
    const surface = /<ExtensionPoint xsi:type="MobileOnlineMeetingCommandSurface">(.*?)<\/ExtensionPoint>/.exec(xml)![1]!;
    expect(surface.match(/<Control /g)).toHaveLength(1);
    expect(surface.match(/<FunctionName>([^<]+)</g)).toEqual(['<FunctionName>addVisioMeeting<']);
    const resids = [...surface.matchAll(/resid="(MeetingIcon\.\d+)"/g)].map((m) => m[1]!);
    expect(resids).toHaveLength(9);
    for (const id of resids) expect(xml).toMatch(new RegExp(`<bt:Image id="${id.replace('.', '\\.')}" DefaultValue="${PUBLIC}/outlook/icons/meeting-\\d+\\.png\\?v=0\\.1\\.0\\.8037"/>`));
    const ribbon = json.extensions[0]!.ribbons.find((r) => r.contexts.includes('onlineMeetingDetailsOrganizer'))!;
    expect(ribbon.requirements?.formFactors).toEqual(['mobile']);
    const controls = ribbon.tabs[0]!.customMobileRibbonGroups![0]!.controls;
    expect(controls.map((c) => c.actionId)).toEqual(['addVisioMeeting']);
    expect(controls[0]!.icons.every((i) => /\/icons\/meeting-\d+\.png\?v=/.test(i.url))).toBe(true);
    // Every visible pixel of every grayscale icon is #919191.
    for (const size of [25, 32, 48, 50, 64, 75, 96, 144]) {
      const visible = pixels(`icons/meeting-${size}.png`).filter((p) => p[3]! > 0);
      expect(visible.length).toBeGreaterThan(size);
      expect(new Set(visible.map((p) => p.slice(0, 3).join(',')))).toEqual(new Set(['145,145,145']));
    }
  });

  it('the unified manifest declares its mobile surfaces and the alternate icons Microsoft 365 needs for them', () => {
    const ext = json.extensions[0]!;
    expect(ext.ribbons.filter((r) => r.requirements?.formFactors?.includes('mobile')).map((r) => r.contexts)).toEqual([['onlineMeetingDetailsOrganizer'], ['mailRead']]);
    expect(ext.alternates).toEqual([
      { alternateIcons: { icon: { size: 64, url: `${PUBLIC}/outlook/icons/icon-64.png?v=0.1.0.8037` }, highResolutionIcon: { size: 64, url: `${PUBLIC}/outlook/icons/icon-128.png?v=0.1.0.8037` } } },
    ]);
  });
});

describe('XML add-in-only manifest', () => {
  const xml = renderXmlManifest(PUBLIC, RELEASE);
  const errors: string[] = [];
  const doc = new DOMParser({ onError: (level, message) => void (level !== 'warning' && errors.push(message)) }).parseFromString(xml, 'text/xml');
  const root = doc.documentElement!;
  const children = (el: Element) => Array.from(el.childNodes).filter((n): n is Element => n.nodeType === 1);
  const names = (el: Element) => children(el).map((c) => c.localName ?? '');
  const all = (name: string) => Array.from(doc.getElementsByTagName(name));
  const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

  it('is well-formed, a MailApp in the appforoffice 1.1 namespace', () => {
    expect(errors).toEqual([]);
    expect(root.localName).toBe('OfficeApp');
    expect(root.namespaceURI).toBe('http://schemas.microsoft.com/office/appforoffice/1.1');
    expect(root.getAttributeNS(XSI, 'type')).toBe('MailApp');
  });

  it('is valid against Microsoft’s XSDs', () => {
    expect(validateOutlookManifest(xml)).toEqual({ valid: true, errors: [] });
    expect(children(root).find((c) => c.localName === 'Permissions')!.textContent).toBe('ReadWriteItem');
  });

  it('fails the XSDs when broken as the add-in once was, so the check cannot pass vacuously', () => {
    // SupportsPinning in the 1.0 block (where ShowTaskpane holds SourceLocation alone): what Outlook refused.
    const v10End = xml.indexOf('<VersionOverrides xmlns="http://schemas.microsoft.com/office/mailappversionoverrides/1.1"');
    const pinnedIn10 = xml.slice(0, v10End).replace('<SourceLocation resid="Taskpane.Url"/>', '<SourceLocation resid="Taskpane.Url"/><SupportsPinning>true</SupportsPinning>') + xml.slice(v10End);
    expect(pinnedIn10).not.toBe(xml);
    const pinned = validateOutlookManifest(pinnedIn10);
    expect(pinned.valid).toBe(false);
    expect(pinned.errors.join('\n')).toMatch(/SupportsPinning.*not expected/);
    // A required element missing, one out of order, a version Office cannot read.
    for (const broken of [
      xml.replace(/<ProviderName>.*?<\/ProviderName>/, ''),
      xml.replace(/<SupportsSharedFolders>true<\/SupportsSharedFolders>(<FunctionFile[^>]*>)/, '$1<SupportsSharedFolders>true</SupportsSharedFolders>'),
      xml.replace(/<Version>[^<]*</, '<Version>1.0.0.123456<'),
    ]) {
      expect(broken).not.toBe(xml);
      expect(validateOutlookManifest(broken).valid).toBe(false);
    }
  });

  it('carries the package version and this build’s number, in the manifest and the icon URLs', () => {
    expect(children(root).find((c) => c.localName === 'Version')!.textContent).toBe('0.1.0.8037');
    const images = all('bt:Image')
      .map((i) => i.getAttribute('DefaultValue'))
      .filter((v) => v);
    expect(images.length).toBeGreaterThan(10);
    for (const url of [...images, ...all('IconUrl').map((i) => i.getAttribute('DefaultValue')), ...all('HighResolutionIconUrl').map((i) => i.getAttribute('DefaultValue'))])
      expect(url).toMatch(/\.png\?v=0\.1\.0\.8037$/);
    expect(renderXmlManifest(PUBLIC, { version: '0.1.0', build: 8038 })).toContain('<Version>0.1.0.8038</Version>');
  });

  it('nests VersionOverrides 1.1 inside 1.0, each with Requirements, Hosts, Resources in order', () => {
    const v10 = children(root).find((c) => c.localName === 'VersionOverrides')!;
    expect(v10.namespaceURI).toBe('http://schemas.microsoft.com/office/mailappversionoverrides');
    expect(names(v10)).toEqual(['Requirements', 'Hosts', 'Resources', 'VersionOverrides']);
    const v11 = children(v10).at(-1)!;
    expect(v11.namespaceURI).toBe('http://schemas.microsoft.com/office/mailappversionoverrides/1.1');
    expect(v11.getAttributeNS(XSI, 'type')).toBe('VersionOverridesV1_1');
    expect(names(v11)).toEqual(['Requirements', 'Hosts', 'Resources']);
    const host = children(children(v11)[1]!)[0]!;
    expect(names(host)).toEqual(['Runtimes', 'DesktopFormFactor', 'MobileFormFactor']);
    // Shared and delegated calendars (assistants scheduling for their principals): desktop 1.1 only, first child.
    const desktop = children(host).find((c) => c.localName === 'DesktopFormFactor')!;
    expect(names(desktop).slice(0, 2)).toEqual(['SupportsSharedFolders', 'FunctionFile']);
    expect(children(desktop)[0]!.textContent).toBe('true');
  });

  it('puts the commands on the right surfaces, with the online-meeting style on mobile and the launch events', () => {
    const points = (type: string) => all('ExtensionPoint').filter((e) => e.getAttributeNS(XSI, 'type') === type);
    const functionsOn = (type: string) => new Set(points(type).flatMap((p) => Array.from(p.getElementsByTagName('FunctionName')).map((f) => f.textContent)));
    expect(functionsOn('AppointmentOrganizerCommandSurface')).toEqual(new Set(['addVisioMeeting', 'switchToVisio', 'removeVisioMeeting']));
    expect(functionsOn('MessageComposeCommandSurface')).toEqual(new Set(['insertVisioLink']));
    expect(functionsOn('AppointmentAttendeeCommandSurface')).toEqual(new Set(['joinVisioMeeting']));
    expect(functionsOn('MessageReadCommandSurface')).toEqual(new Set(['joinVisioMeeting']));
    expect(functionsOn('MobileOnlineMeetingCommandSurface')).toEqual(new Set(['addVisioMeeting']));
    const launch = points('LaunchEvent');
    expect(launch).toHaveLength(1);
    expect(Array.from(launch[0]!.getElementsByTagName('LaunchEvent')).map((e) => [e.getAttribute('Type'), e.getAttribute('FunctionName')])).toEqual(LAUNCH_EVENTS.map((e) => [e.xml, e.functionName]));
    // The runtime page is the launch event's source, with the single JS file for classic Outlook.
    const runtime = all('Runtime')[0]!;
    expect(launch[0]!.getElementsByTagName('SourceLocation')[0]!.getAttribute('resid')).toBe(runtime.getAttribute('resid'));
    expect(runtime.getElementsByTagName('Override')[0]!.getAttribute('type')).toBe('javascript');
    // Control ids are unique within each VersionOverrides (1.0 repeats 1.1's desktop controls for older clients).
    const nearest = (e: Element) => {
      let p = e.parentNode as Element | null;
      while (p && p.localName !== 'VersionOverrides') p = p.parentNode as Element | null;
      return p;
    };
    for (const overrides of all('VersionOverrides')) {
      const ids = all('Control')
        .filter((c) => nearest(c) === overrides)
        .map((c) => c.getAttribute('id'));
      expect(ids.length).toBeGreaterThan(0);
      expect(new Set(ids).size).toBe(ids.length);
    }
    // Mobile icons: sizes 25/32/48 at scales 1-3.
    for (const list of all('Icon').filter((i) => i.getAttributeNS(XSI, 'type') === 'bt:MobileIconList')) expect(list.getElementsByTagName('bt:Image')).toHaveLength(9);
  });

  it('defines, within each VersionOverrides, every resource id it references, within Office’s limits', () => {
    for (const overrides of all('VersionOverrides')) {
      const resources = children(overrides).find((c) => c.localName === 'Resources')!;
      const defined = new Map(
        Array.from(resources.getElementsByTagName('*'))
          .filter((e) => e.getAttribute('id'))
          .map((e) => [e.getAttribute('id')!, e]),
      );
      for (const [id, el] of defined) {
        expect(id.length, id).toBeLessThanOrEqual(32);
        const value = el.getAttribute('DefaultValue')!;
        if (el.localName === 'String' && el.parentNode?.localName === 'ShortStrings') expect(value.length).toBeLessThanOrEqual(125);
        if (el.localName === 'String' && el.parentNode?.localName === 'LongStrings') expect(value.length).toBeLessThanOrEqual(250);
        if (el.localName === 'String') expect(Array.from(el.getElementsByTagName('bt:Override')).map((o) => o.getAttribute('Locale'))).toEqual(['en-US']);
      }
      const own = Array.from(overrides.getElementsByTagName('*')).filter((e) => {
        let p = e.parentNode as Element | null;
        while (p && p.localName !== 'VersionOverrides') p = p.parentNode as Element | null;
        return p === overrides;
      });
      for (const el of own) {
        const resid = el.getAttribute('resid');
        if (resid) expect(defined.has(resid), `${el.localName} → ${resid}`).toBe(true);
      }
    }
    // French is the default, English the override, for each command label.
    for (const c of COMMANDS) expect(xml).toContain(`<bt:String id="${c.id}.Label" DefaultValue="${c.label.fr.replace(/’/g, '’')}"><bt:Override Locale="en-US" Value="${c.label.en}"/>`);
  });

  it('points every URL at the gateway’s public URL, and escapes it', () => {
    const urls = Array.from(doc.getElementsByTagName('*')).flatMap((e) => ['DefaultValue'].map((a) => e.getAttribute(a) ?? '').filter((v) => /^https?:/.test(v)));
    expect(urls.length).toBeGreaterThan(10);
    for (const url of urls) expect(url.startsWith(`${PUBLIC}/`), url).toBe(true);
    expect(all('AppDomain').map((e) => e.textContent)).toEqual([PUBLIC]);
    const odd = renderXmlManifest('https://gw.example/a&b"c', RELEASE);
    expect(odd).toContain('https://gw.example/a&amp;b&quot;c/outlook/taskpane.html');
    expect(new DOMParser().parseFromString(odd, 'text/xml').documentElement!.localName).toBe('OfficeApp');
  });
});
