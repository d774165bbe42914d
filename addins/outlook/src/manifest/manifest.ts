/** Both manifests with the gateway's public URL: what the gateway serves at /outlook/manifest.xml and .json. */
export { renderXmlManifest } from './xml.js';
export { renderJsonManifest, renderJsonLocalization, localizationKeys, JSON_MANIFEST_VERSION, LOCALIZATION_FILES } from './json.js';
export { ADDIN_ID, ADDIN_PATH, COMMANDS, LAUNCH_EVENTS, FILES, ICON_SIZES, MEETING_ICON_SIZES } from './source.js';
export { iconQuery, nextBuild, unifiedVersion, xmlVersion, type AddinRelease } from './release.js';
