/** Nextcloud Calendar (Vue): the event side bar and the simple editor pop-over. */
import { startCalendar } from './core.js';
import { findEditors } from './editors.js';

startCalendar({
  id: 'nextcloud',
  editors: (doc) =>
    findEditors(doc, {
      roots: ['.app-sidebar', '.event-popover'],
      title: ['.property-title input', 'input.property-title__input'],
      location: ['.property-location textarea', '.property-location input', 'textarea[name="location"]'],
      description: ['.property-description textarea', 'textarea[name="description"]'],
      anchor: ['.property-location'],
    }),
});
