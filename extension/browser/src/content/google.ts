/**
 * Google Calendar (calendar.google.com): the full-screen event editor (body data-viewfamily EVENT_EDIT), as
 * in test/fixtures/google.html: title `#xTiIn input`, location `#xLocIn input[role=combobox]`, description
 * `#xDescIn [contenteditable]`. Google keeps only edits made through the browser's editing commands
 * (insertText / insertHTML), which is how core.ts writes.
 */
import { startCalendar } from './core.js';
import { findEditors } from './editors.js';

startCalendar({
  id: 'google',
  editorOpen: (doc) => doc.body.dataset.viewfamily === 'EVENT_EDIT' || doc.location.pathname.includes('/eventedit'),
  editors: (doc) =>
    findEditors(doc, {
      roots: ['[role="main"]', '[role="dialog"]'],
      title: ['#xTiIn input', 'input#xTiIn'],
      location: ['#xLocIn input[role="combobox"]', '#xLocIn input'],
      description: ['#xDescIn [contenteditable="true"]', '#xDescIn [contenteditable=""]'],
      anchor: ['#xLocIn'],
    }),
});
