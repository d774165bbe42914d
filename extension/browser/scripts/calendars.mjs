// What the build makes of the calendar table (src/lib/calendar-table.mjs): one content script per
// calendar, and the options page's choices written where its markers stand.
import { CALENDARS } from '../src/lib/calendar-table.mjs';

/** Vite entries: `content/<id>` bundled from `src/content/<id>.ts`. */
export const CONTENT_ENTRIES = Object.fromEntries(CALENDARS.map(({ id }) => [`content/${id}`, `src/content/${id}.ts`]));

const escapeHtml = (text) => text.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);

const CHOICES = {
  // A public calendar: a checkbox (the browser asks for its addresses when it is ticked).
  'built-in': CALENDARS.filter((row) => 'matches' in row).map(({ id, name }) => `<p class="check"><label><input type="checkbox" id="cal-${id}"> ${escapeHtml(name)}</label></p>`),
  // A self-hosted calendar: a choice of software beside the origin the agent grants.
  'self-hosted': CALENDARS.filter((row) => !('matches' in row)).map(({ id, name }) => `<option value="${id}">${escapeHtml(name)}</option>`),
};

/** static/options.html with each `<!-- calendars: built-in|self-hosted -->` line replaced by its choices. */
export function optionsPage(html) {
  const seen = new Set();
  const page = html.replace(/^( *)<!-- calendars: (built-in|self-hosted) -->$/gm, (_, indent, kind) => {
    seen.add(kind);
    return CHOICES[kind].map((line) => indent + line).join('\n');
  });
  for (const kind of Object.keys(CHOICES)) if (!seen.has(kind)) throw new Error(`options.html: no <!-- calendars: ${kind} --> marker`);
  return page;
}
