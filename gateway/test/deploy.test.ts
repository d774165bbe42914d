/** /deploy over HTTP: the policy files from the shared schema, the CRX3 format, update manifests following the build. */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash, createPublicKey, createVerify, generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { managedValues } from '@visio/shared/managed-settings';
import { updateManifestUrl } from '@visio/shared/update-urls';
import { buildCrx3, crxIdBytes, extensionId, SIGNATURE_CONTEXT } from '../src/deploy/crx3.ts';
import { CHROMIUM_PATH } from '@visio/testing/chromium';
import { GENERATED_KEY_FILE } from '../src/deploy/signing-key.ts';
import { startTestGateway, tempDir, type TestGateway } from './harness.ts';

const REPO = join(import.meta.dirname, '..', '..');

/** Reads a CRX3 as Chromium's verifier does (crx_verifier.cc): magic, version, header, then the zip. */
function readVarint(b: Buffer, at: number): [number, number] {
  let value = 0;
  let shift = 1;
  let i = at;
  for (;;) {
    const byte = b[i++]!;
    value += (byte & 0x7f) * shift;
    if (byte < 0x80) return [value, i];
    shift *= 128;
  }
}
function fields(b: Buffer): Map<number, Buffer[]> {
  const out = new Map<number, Buffer[]>();
  let i = 0;
  while (i < b.length) {
    const [tag, next] = readVarint(b, i);
    expect(tag & 7).toBe(2); // every field in a CRX3 header is length-delimited
    const [len, start] = readVarint(b, next);
    const field = tag >> 3;
    out.set(field, [...(out.get(field) ?? []), b.subarray(start, start + len)]);
    i = start + len;
  }
  return out;
}
function parseCrx3(crx: Buffer) {
  expect(crx.subarray(0, 4).toString('latin1')).toBe('Cr24');
  expect(crx.readUInt32LE(4)).toBe(3);
  const headerLength = crx.readUInt32LE(8);
  const header = fields(crx.subarray(12, 12 + headerLength));
  const zip = crx.subarray(12 + headerLength);
  const proofs = (header.get(2) ?? []).map((p) => fields(p));
  const signedHeaderData = header.get(10000)![0]!;
  return { zip, proofs: proofs.map((p) => ({ publicKey: p.get(1)![0]!, signature: p.get(2)![0]! })), signedHeaderData, crxId: fields(signedHeaderData).get(1)![0]! };
}
function verifies(crx: ReturnType<typeof parseCrx3>): boolean {
  const proof = crx.proofs[0]!;
  const len = Buffer.alloc(4);
  len.writeUInt32LE(crx.signedHeaderData.length);
  const v = createVerify('sha256');
  v.update(Buffer.concat([SIGNATURE_CONTEXT, len, crx.signedHeaderData, crx.zip]));
  return v.verify(createPublicKey({ key: proof.publicKey, format: 'der', type: 'spki' }), proof.signature);
}

describe('CRX3 format', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const zip = readFileSync(join(REPO, 'extension/browser/dist/visio-chromium-0.1.0.zip'));

  it('has a header that parses, a crx id from the key, a signature that verifies over the signed data', () => {
    const crx = parseCrx3(buildCrx3(zip, privateKey));
    expect(crx.zip.equals(zip)).toBe(true);
    expect(crx.proofs).toHaveLength(1);
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    expect(crx.proofs[0]!.publicKey.equals(spki)).toBe(true);
    expect(crx.crxId.toString('hex')).toBe([...extensionId(spki)].map((ch) => (ch.charCodeAt(0) - 97).toString(16)).join(''));
    expect(verifies(crx)).toBe(true);
  });

  it('fails verification when one byte of the zip changes', () => {
    const bytes = buildCrx3(zip, privateKey);
    const at = bytes.length - 10;
    bytes.writeUInt8(bytes[at]! ^ 1, at);
    expect(verifies(parseCrx3(bytes))).toBe(false);
  });

  it('reads and verifies a CRX3 that Chromium itself packs (--pack-extension), with the id our code derives', () => {
    const dir = tempDir('visio-pack-');
    cpSync(join(REPO, 'extension/browser/dist/chromium'), join(dir, 'ext'), { recursive: true });
    writeFileSync(join(dir, 'key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const r = spawnSync(
      CHROMIUM_PATH,
      ['--headless', '--no-sandbox', '--disable-gpu', `--user-data-dir=${join(dir, 'profile')}`, `--pack-extension=${join(dir, 'ext')}`, `--pack-extension-key=${join(dir, 'key.pem')}`],
      { timeout: 120_000 },
    );
    expect(r.status, String(r.stderr)).toBe(0);
    const crx = parseCrx3(readFileSync(join(dir, 'ext.crx')));
    expect(verifies(crx)).toBe(true);
    expect(crx.crxId.equals(crxIdBytes(publicKey.export({ type: 'spki', format: 'der' })))).toBe(true);
  }, 150_000);

  it('refuses a key that is not RSA', () => {
    const { privateKey: ec } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => buildCrx3(zip, ec)).toThrow(/RSA/);
  });
});

describe('/deploy', () => {
  let gw: TestGateway;
  let clients: string;
  beforeAll(async () => {
    // A copy of the builds, so the test can publish a newer one.
    clients = tempDir('visio-clients-');
    for (const dir of ['extension/browser/dist', 'addins/thunderbird/dist']) cpSync(join(REPO, dir), join(clients, dir), { recursive: true });
    gw = await startTestGateway({ VISIO_CLIENTS_DIR: clients });
  });

  const text = async (path: string) => {
    const r = await gw.fetch(path);
    expect(r.status, path).toBe(200);
    return r.text();
  };

  it('keeps the key it generated in the data folder, and shows the id it gives', async () => {
    const page = await text('/deploy');
    const key = readFileSync(join(gw.dataDir, GENERATED_KEY_FILE), 'utf8');
    const id = extensionId(createPublicKey(key).export({ type: 'spki', format: 'der' }));
    expect(id).toMatch(/^[a-p]{32}$/);
    expect(page).toContain(`<code id="extension-id">${id}</code>`);
  });

  it('signs with the administrator key when one is configured', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const file = join(tempDir('visio-key-'), 'admin.pem');
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const admin = await startTestGateway({ VISIO_CLIENTS_DIR: clients, VISIO_CRX_KEY_FILE: file });
    const id = extensionId(publicKey.export({ type: 'spki', format: 'der' }));
    expect(await (await admin.fetch('/deploy/chromium/updates.xml')).text()).toContain(`appid='${id}'`);
    const crx = parseCrx3(Buffer.from(await (await admin.fetch('/deploy/chromium/visio.crx')).arrayBuffer()));
    expect(crx.proofs[0]!.publicKey.equals(publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
  });

  it('writes the Chromium policy from the shared schema, pointing at the gateway update URL', async () => {
    const policy = JSON.parse(await text('/deploy/chromium-policy.json'));
    const [id] = Object.keys(policy.ExtensionSettings);
    expect(policy.ExtensionSettings[id!]).toEqual({ installation_mode: 'force_installed', update_url: `${gw.url}/deploy/chromium/updates.xml`, override_update_url: true });
    expect(policy['3rdparty'].extensions[id!]).toEqual(managedValues('chromium', { gatewayUrl: gw.url, instanceUrl: 'https://visio.numerique.gouv.fr' }));
  });

  it('writes the Windows registry equivalent for Chrome and Edge', async () => {
    const reg = await text('/deploy/edge-policy.reg');
    expect(reg.startsWith('Windows Registry Editor Version 5.00\r\n')).toBe(true);
    expect(reg).toContain('[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Edge]');
    expect(reg).toMatch(/\[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Edge\\3rdparty\\extensions\\[a-p]{32}\\policy\]\r\n"gatewayUrl"="http:\/\/127\.0\.0\.1:\d+"/);
    const settings = /"ExtensionSettings"="(.*)"\r\n/.exec(reg)![1]!.replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    expect(JSON.parse(settings)).toEqual(JSON.parse(await text('/deploy/chromium-policy.json')).ExtensionSettings);
    expect(await text('/deploy/chrome-policy.reg')).toContain('[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Google\\Chrome]');
  });

  it('writes Firefox and Thunderbird policies.json with force_installed, install_url and 3rdparty', async () => {
    const firefox = JSON.parse(await text('/deploy/firefox-policies.json')).policies;
    expect(firefox.ExtensionSettings['visio@numerique.gouv.fr']).toEqual({ installation_mode: 'force_installed', install_url: `${gw.url}/deploy/firefox/visio.xpi` });
    expect(firefox['3rdparty'].Extensions['visio@numerique.gouv.fr'].gatewayUrl).toBe(gw.url);
    const tb = JSON.parse(await text('/deploy/thunderbird-policies.json')).policies;
    const id = 'visio-thunderbird@integrations.numerique.gouv.fr';
    expect(tb.ExtensionSettings[id].install_url).toBe(`${gw.url}/deploy/thunderbird/visio.xpi`);
    expect(tb['3rdparty'].Extensions[id]).toEqual({ gatewayUrl: gw.url, instanceUrl: 'https://visio.numerique.gouv.fr', releaseOnDelete: true });
  });

  it('serves the update manifests where a build for this gateway looks, in their documented formats', async () => {
    // Chromium's gupdate response (developer.chrome.com, "Update manifest" of self-hosted extensions): checked
    // by xmllint (well-formed, namespace, attributes); Chromium itself parses it in deploy-chromium.test.ts.
    const xml = await text(new URL(updateManifestUrl(gw.url, 'chromium')).pathname);
    const xpath = (expr: string) => {
      const r = spawnSync('xmllint', ['--xpath', expr, '-'], { input: xml, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.trim();
    };
    const ns = "namespace-uri(/*)='http://www.google.com/update2/response'";
    expect(xpath(`boolean(/*[local-name()='gupdate' and ${ns} and @protocol='2.0'])`)).toBe('true');
    expect(xpath("count(/*/*[local-name()='app']/*[local-name()='updatecheck'])")).toBe('1');
    const appid = xpath("string(/*/*[local-name()='app']/@appid)");
    expect(appid).toMatch(/^[a-p]{32}$/);
    expect(xpath("string(//*[local-name()='updatecheck']/@version)")).toBe('0.1.0');
    const codebase = xpath("string(//*[local-name()='updatecheck']/@codebase)");
    const crx = parseCrx3(Buffer.from(await (await fetch(codebase)).arrayBuffer()));
    expect(verifies(crx)).toBe(true);

    // Firefox and Thunderbird updates.json (extensionworkshop.com, "Updating your extension"): addons.<id>.updates[]
    // with version, update_link and update_hash ("sha256:" + hex of the package, required for a non-https link).
    for (const [pkg, id] of [
      ['firefox', 'visio@numerique.gouv.fr'],
      ['thunderbird', 'visio-thunderbird@integrations.numerique.gouv.fr'],
    ] as const) {
      const manifest = JSON.parse(await text(new URL(updateManifestUrl(gw.url, pkg)).pathname));
      expect(Object.keys(manifest)).toEqual(['addons']);
      expect(Object.keys(manifest.addons)).toEqual([id]);
      const [update, ...more] = manifest.addons[id].updates;
      expect(more).toEqual([]);
      expect(Object.keys(update).sort()).toEqual(['update_hash', 'update_link', 'version']);
      expect(update.version).toBe('0.1.0');
      const bytes = Buffer.from(await (await fetch(update.update_link)).arrayBuffer());
      expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');
      expect(update.update_hash).toBe(`sha256:${createHash('sha256').update(bytes).digest('hex')}`);
    }
  });

  it('serves the packages the update manifests name, and offers a newer build as an update', async () => {
    const xml = await text('/deploy/chromium/updates.xml');
    expect(xml).toMatch(/<updatecheck codebase='http:\/\/127\.0\.0\.1:\d+\/deploy\/chromium\/visio\.crx\?v=0\.1\.0' version='0\.1\.0' \/>/);
    const crx = parseCrx3(Buffer.from(await (await gw.fetch('/deploy/chromium/visio.crx')).arrayBuffer()));
    expect(verifies(crx)).toBe(true);
    expect(xml).toContain(`appid='${[...crx.crxId.toString('hex')].map((d) => String.fromCharCode(97 + parseInt(d, 16))).join('')}'`);
    const xpi = await gw.fetch('/deploy/thunderbird/visio.xpi');
    expect(xpi.headers.get('content-type')).toBe('application/x-xpinstall');
    expect(
      Buffer.from(await xpi.arrayBuffer())
        .subarray(0, 2)
        .toString('latin1'),
    ).toBe('PK');
    expect(JSON.parse(await text('/deploy/firefox/updates.json')).addons['visio@numerique.gouv.fr'].updates[0].version).toBe('0.1.0');

    // A new build: version 0.2.0 in the built manifest, its zip next to it.
    const dist = join(clients, 'extension/browser/dist');
    const manifest = JSON.parse(readFileSync(join(dist, 'chromium/manifest.json'), 'utf8'));
    writeFileSync(join(dist, 'chromium/manifest.json'), JSON.stringify({ ...manifest, version: '0.2.0' }));
    writeFileSync(join(dist, 'visio-chromium-0.2.0.zip'), Buffer.concat([readFileSync(join(dist, 'visio-chromium-0.1.0.zip'))]));
    expect(await text('/deploy/chromium/updates.xml')).toContain("version='0.2.0'");
  });

  it('says when a package is not built, as a problem', async () => {
    const empty = tempDir('visio-noclients-');
    mkdirSync(join(empty, 'extension'), { recursive: true });
    const bare = await startTestGateway({ VISIO_CLIENTS_DIR: empty });
    const r = await bare.fetch('/deploy/chromium/visio.crx');
    expect(r.status).toBe(503);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(await (await bare.fetch('/deploy')).text()).toContain('Paquet non construit');
  });

  it('speaks French first, English by Accept-Language or ?lang, and holds no secret', async () => {
    const fr = await text('/deploy');
    expect(fr).toContain('<html lang="fr">');
    const en = await (await gw.fetch('/deploy', { headers: { 'accept-language': 'en-GB,en;q=0.8' } })).text();
    expect(en).toContain('<html lang="en">');
    expect(await text('/deploy?lang=en')).toContain('Release Firefox refuses unsigned add-ons');
    expect(fr).toContain('Firefox (version normale) refuse les modules non signés');
    expect(fr).not.toMatch(/PRIVATE KEY|token-secret/);
    expect(fr).toContain(`New-App -OrganizationApp -Url &quot;${gw.url}/outlook/manifest.xml&quot;`);
  });
});
