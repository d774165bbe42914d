/**
 * The add-in's release: the package version plus a build number that grows on every build, so Outlook and
 * Microsoft 365 see a new manifest version (and new icon URLs) after an upgrade or a rebuild.
 * XML `<Version>`: up to four parts of at most five digits each (Microsoft's schema, `Version` type).
 * Unified `version`: semver, three parts, so the build number is folded into the patch part.
 */

export interface AddinRelease {
  /** The package version, `major.minor.patch`. */
  version: string;
  /** 0 to 99999. */
  build: number;
}

const MAX_PART = 99_999;
// Build numbers count hours from this date: they grow from one fresh clone to the next (CI) as well.
const EPOCH = Date.UTC(2026, 0, 1);

function parts(release: AddinRelease): [number, number, number] {
  const m = /^(\d{1,5})\.(\d{1,5})\.(\d{1,5})$/.exec(release.version);
  if (!m) throw new Error(`package version ${release.version} is not major.minor.patch with parts of at most 5 digits`);
  if (!Number.isInteger(release.build) || release.build < 0 || release.build > MAX_PART) throw new Error(`build number ${release.build} is not 0-${MAX_PART}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** `<Version>` of the XML manifest: `major.minor.patch.build`. */
export function xmlVersion(release: AddinRelease): string {
  return [...parts(release), release.build].join('.');
}

/** `version` of the unified manifest: `major.minor.(patch × 100000 + build)`, e.g. 0.1.0 build 7 → 0.1.7, 0.1.2 build 7 → 0.1.200007. */
export function unifiedVersion(release: AddinRelease): string {
  const [major, minor, patch] = parts(release);
  return `${major}.${minor}.${patch * (MAX_PART + 1) + release.build}`;
}

/** The next build number: hours since 2026-01-01, and always more than the previous build's. */
export function nextBuild(previous: number | null, now: Date): number {
  const hours = Math.floor((now.getTime() - EPOCH) / 3_600_000);
  const next = Math.max(hours, previous === null ? 0 : previous + 1);
  if (next > MAX_PART) throw new Error(`build number ${next} exceeds ${MAX_PART}: raise the package version's patch and reset`);
  return next;
}

/** Query string appended to icon URLs: Office caches icons by URL and they carry no Cache-Control. */
export function iconQuery(release: AddinRelease): string {
  return `?v=${xmlVersion(release)}`;
}
