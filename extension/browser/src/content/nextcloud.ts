/**
 * Nextcloud Calendar 5.4+: the new-event popover (EditSimple.vue, `.event-popover`) and the full editor
 * (EditFull.vue, NcModal > `.app-full`), as in test/fixtures/nextcloud*.html. Fields are PropertyText
 * textareas found by their icon (language-independent), then by class or translated name; the older
 * side bar (EditSidebar.vue, `.app-sidebar`) is still recognised.
 */
import { startCalendar } from './core.js';
import { findEditors } from './editors.js';

const LOCATION = ['.property-text:has(.map-marker-icon) textarea', '.property-location textarea', 'textarea[name="Location"]', 'textarea[name="Lieu"]'];
const DESCRIPTION = ['.property-text:has(.text-box-outline-icon) textarea', '.property-description textarea', 'textarea[name="Description"]'];

startCalendar({
  id: 'nextcloud',
  // Nextcloud Calendar's editor routes: …/new/popover/…, …/edit/full/….
  editorOpen: (doc) => /\/(new|edit)\//.test(doc.location.pathname),
  editors: (doc) =>
    findEditors(doc, {
      roots: ['.app-full', '.event-popover', '.app-sidebar'],
      title: ['.property-title__input input', '.property-title input'],
      location: LOCATION,
      description: DESCRIPTION,
      anchor: ['.property-text'],
    }),
});
