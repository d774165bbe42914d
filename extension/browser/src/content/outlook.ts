/**
 * Outlook on the web (outlook.office.com, outlook.office365.com, outlook.live.com): the event compose form,
 * as in test/fixtures/outlook.html (what public code driving the live page relies on; Outlook is closed
 * source). The form is a dialog; the location is the combobox `#location-suggestions-picker-input`; the body
 * is a RoosterJS editor, `[role=textbox][contenteditable][data-ms-editor]`, written through the browser's
 * editing commands like Google's (Rooster keeps what lands in its DOM). Ids and attributes rather than
 * labels, which are translated; the title is found by its English placeholder only (the sources show no
 * other), else the room has no title. Only a dialog holding the location counts (a mail compose has the same body).
 */
import { startCalendar, type Editor } from './core.js';
import { findEditors } from './editors.js';

const LOCATION = '#location-suggestions-picker-input';

/** The largest wrapper of the location that holds no other field: the button goes under that row. */
function locationRow(editor: Editor): Element {
  let row: Element = editor.anchor;
  for (let parent = row.parentElement; parent && parent !== editor.root; parent = parent.parentElement) {
    if (parent.querySelectorAll('input, textarea, [contenteditable="true"], [contenteditable=""]').length > 1) break;
    row = parent;
  }
  return row;
}

startCalendar({
  id: 'outlook',
  editorOpen: (doc) => doc.location.pathname.includes('/compose') || !!doc.querySelector('[role="dialog"] [aria-label="Invite required attendees"]'),
  editors: (doc) =>
    findEditors(doc, {
      roots: ['[role="dialog"]'],
      requires: [LOCATION],
      title: ['input[placeholder="Add title"]'],
      location: [LOCATION],
      description: ['[role="textbox"][contenteditable="true"][data-ms-editor="true"]'],
    }).map((editor) => ({ ...editor, anchor: locationRow(editor) })),
});
