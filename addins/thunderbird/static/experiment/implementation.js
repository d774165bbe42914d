/* Visio calendar Experiment API (privileged; runs in Thunderbird's parent process).
 *
 * Thunderbird 140-153 has no calendar WebExtension API, so this small bridge does only what the add-on
 * cannot do otherwise; every decision (rooms, links, texts) is made by the background script.
 *
 *  - Finds event editors (dialog window and tab: both load calendar-item-iframe.xhtml) and read-only
 *    summary dialogs, and gives each an id.
 *  - Adds a small button row to them ("Add/Remove Visio meeting", "Join Visio") whose visibility the
 *    background sets with setState(); presses are reported by onCommand.
 *  - Reads and writes the editor's fields (location, description, URL, CONFERENCE, X-VISIO-ROOM). Location
 *    and description go into the visible fields; URL and the custom properties are kept aside and applied
 *    to the item Thunderbird saves, by wrapping the editor's accept callback (which receives the item
 *    after the dialog has serialised its fields, before the calendar transaction).
 *  - Reports editors saved and closed, and calendar items added, modified or deleted (cal.manager
 *    observer), with the Visio-related properties only, and the rooms the item's whole series carries.
 *  - Thunderbird's editor functions differ between ESRs; each is detected where it is called (see
 *    showItemURL), never assumed from a version number.
 *
 * Written for this project from Thunderbird's public sources (calendar-item-iframe.js,
 * calendar-item-editing.js, calIItemBase); no code from other add-ons.
 */
'use strict';

/* global ExtensionCommon, Services, ChromeUtils */

var { ExtensionCommon: VisioExtensionCommon } = ChromeUtils.importESModule('resource://gre/modules/ExtensionCommon.sys.mjs');
var { ExtensionUtils: VisioExtensionUtils } = ChromeUtils.importESModule('resource://gre/modules/ExtensionUtils.sys.mjs');
var { cal: visioCal } = ChromeUtils.importESModule('resource:///modules/calendar/calUtils.sys.mjs');

const EDITOR_URL = 'chrome://calendar/content/calendar-item-iframe.xhtml';
const SUMMARY_URL = 'chrome://calendar/content/calendar-summary-dialog.xhtml';
const HTML_NS = 'http://www.w3.org/1999/xhtml';
const ROW_ID = 'visio-meeting-row';
const TR_ID = 'visio-meeting-tr';
const PROPS = ['URL', 'CONFERENCE', 'X-VISIO-ROOM'];
const ACCESS_LEVELS = ['public', 'trusted', 'restricted'];

/**
 * Shows or hides the editor's "link" row for the event URL. Thunderbird 140 has updateItemURL(aShow, aUrl)
 * (the caller decides with showOrHideItemURL(url)); 153 has updateItemURL(url). The signature is read
 * from the function itself.
 */
function showItemURL(win, url) {
  const update = win.updateItemURL;
  if (typeof update !== 'function') return;
  if (update.length >= 2) {
    const show = Boolean(url) && (typeof win.showOrHideItemURL === 'function' ? win.showOrHideItemURL(url) : true);
    update.call(win, show, url || '');
  } else {
    update.call(win, url || '');
  }
}

/** Every X-VISIO-ROOM carried by the series the item belongs to, as it stands once this item is stored. */
function seriesRooms(item) {
  const rooms = new Set();
  const add = (i) => {
    const room = i && i.getProperty('X-VISIO-ROOM');
    if (room) rooms.add(room);
  };
  add(item);
  // An occurrence (or exception) is stored into its parent: the parent and its other exceptions remain.
  const master = item.recurrenceId && item.parentItem && item.parentItem !== item ? item.parentItem : item;
  if (master !== item) add(master);
  const info = master.recurrenceInfo;
  if (info) {
    for (const rid of info.getExceptionIds()) {
      if (item.recurrenceId && rid.compare(item.recurrenceId) === 0) continue;
      add(info.getExceptionFor(rid));
    }
  }
  return [...rooms];
}

// A COUNT beyond this is not walked (a hostile import must not stall Thunderbird): the series is then taken as endless.
const MAX_COUNT = 5000;

/** Milliseconds since the epoch of a calIDateTime; floating and all-day values are read in Thunderbird's zone. */
function msOf(dt) {
  let d = dt;
  if (d.isDate || d.timezone.isFloating) {
    d = d.clone();
    d.isDate = false;
    d.timezone = visioCal.dtz.defaultTimezone;
  }
  return d.nativeTime / 1000;
}

const isoOf = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The latest occurrence start (ms) of a finite series; null when it has no end (or one too far to walk). */
function seriesLastStart(master) {
  const info = master.recurrenceInfo;
  let last = null;
  for (const ritem of info.getRecurrenceItems()) {
    if (ritem.isNegative) continue;
    if (!ritem.isFinite) return null;
    if (!('untilDate' in ritem)) {
      // calIRecurrenceDate (RDATE)
      last = Math.max(last ?? 0, msOf(ritem.date));
    } else if (ritem.untilDate) {
      last = Math.max(last ?? 0, msOf(ritem.untilDate));
    } else if (ritem.isByCount) {
      if (ritem.count > MAX_COUNT) return null;
      // The range end is required (the walk stops at COUNT long before it).
      const far = master.startDate.clone();
      far.year += 1000;
      const dates = ritem.getOccurrences(master.startDate, master.startDate, far, ritem.count);
      if (dates.length > 0) last = Math.max(last ?? 0, msOf(dates[dates.length - 1]));
    }
  }
  if (last === null) return null;
  // An occurrence moved past the series' end still carries the room.
  for (const rid of info.getExceptionIds()) {
    const start = info.getExceptionFor(rid)?.startDate;
    if (start) last = Math.max(last, msOf(start));
  }
  return last;
}

/**
 * When the meeting carrying the item's room takes place (the contract's RoomSchedule): the series' for an
 * occurrence, unless the occurrence carries a room of its own; null without a start (tasks).
 */
function scheduleOf(item) {
  const master = item.recurrenceId && item.parentItem && item.parentItem !== item ? item.parentItem : item;
  const own = item.getProperty('X-VISIO-ROOM');
  const base = master !== item && own && master.getProperty('X-VISIO-ROOM') !== own ? item : master;
  const start = base.startDate;
  if (!start || typeof base.isEvent !== 'function' || !base.isEvent()) return null;
  const end = base.endDate || start;
  const zone = start.timezone;
  const defaultZone = visioCal.dtz.defaultTimezone;
  const timeZone = zone.isUTC ? 'UTC' : !zone.isFloating ? zone.tzid : defaultZone && !defaultZone.isFloating ? defaultZone.tzid : 'UTC';
  const schedule = { start: isoOf(msOf(start)), end: isoOf(msOf(end)), timeZone };
  if (base === master && master.recurrenceInfo) {
    const last = seriesLastStart(master);
    schedule.recurrenceEnd = last === null ? null : isoOf(last);
  }
  return schedule;
}

/** Visio-related view of a calIItemBase (never the whole item). */
function describeItem(item) {
  if (!item) return null;
  const conference = item.getProperty('CONFERENCE');
  return {
    id: item.id || null,
    calendarId: item.calendar ? item.calendar.id : null,
    title: item.title || '',
    location: item.getProperty('LOCATION') || '',
    descriptionText: item.descriptionText || '',
    url: item.getProperty('URL') || null,
    conference: conference || null,
    room: item.getProperty('X-VISIO-ROOM') || null,
    seriesRooms: seriesRooms(item),
    schedule: scheduleOf(item),
    // The event or whole series cancelled (STATUS:CANCELLED); one cancelled occurrence is not.
    cancelled: !item.recurrenceId && String(item.status || '').toUpperCase() === 'CANCELLED',
    isEvent: typeof item.isEvent === 'function' ? item.isEvent() : true,
  };
}

/** A series' moved or changed occurrences, as the editor's item holds them. */
function exceptionItems(item) {
  const info = item.recurrenceInfo;
  if (!info || item.recurrenceId) return [];
  return info.getExceptionIds().map((rid) => ({ rid, item: info.getExceptionFor(rid) }));
}

function describeExceptions(item) {
  return exceptionItems(item).map(({ rid, item: ex }) => ({
    recurrenceId: rid.icalString,
    location: ex.getProperty('LOCATION') || '',
    descriptionHTML: ex.descriptionHTML || '',
    descriptionText: ex.descriptionText || '',
    icalString: ex.icalString,
  }));
}

function applyProps(item, pending) {
  // A series: its moved occurrences get their own rewrite (the background's), then the series' properties.
  for (const change of pending.exceptions ?? []) {
    const found = exceptionItems(item).find(({ rid }) => rid.icalString === change.recurrenceId);
    if (!found) continue;
    const ex = found.item.clone();
    if (change.location) ex.setProperty('LOCATION', change.location);
    else ex.deleteProperty('LOCATION');
    ex.descriptionHTML = change.descriptionHTML;
    const { exceptions, ...own } = pending;
    applyProps(ex, { ...own, deleteProperties: change.deleteProperties ?? [] });
    item.recurrenceInfo.modifyException(ex, true);
  }
  // Properties another service added (X-MICROSOFT-SKYPETEAMSMEETINGURL…), named by the background.
  for (const name of pending.deleteProperties ?? []) {
    if (!PROPS.includes(name)) item.deleteProperty(name);
  }
  for (const name of PROPS) {
    if (!(name in pending)) continue;
    const value = pending[name];
    if (value === null || value === '') {
      item.deleteProperty(name);
    } else {
      item.setProperty(name, value);
      if (name === 'CONFERENCE') {
        // RFC 7986: VALUE=URI, a feature and a label. Thunderbird's serialiser quotes a parameter string
        // holding a comma ("AUDIO,VIDEO" would become one quoted value), so a single feature is given.
        item.setPropertyParameter(name, 'VALUE', 'URI');
        item.setPropertyParameter(name, 'FEATURE', 'VIDEO');
        item.setPropertyParameter(name, 'LABEL', 'Visio');
      }
    }
  }
}

function pendingIcal(item, pending) {
  if (Object.keys(pending).length === 0) return item.icalString;
  const copy = item.clone();
  applyProps(copy, pending);
  return copy.icalString;
}

var visioCalendar = class extends VisioExtensionCommon.ExtensionAPI {
  onStartup() {
    if (!this.bridge) this.bridge = new Bridge(this.extension);
  }

  onShutdown(isAppShutdown) {
    if (this.bridge) this.bridge.stop(isAppShutdown);
  }

  getAPI(context) {
    const extension = context.extension;
    if (!this.bridge) this.bridge = new Bridge(extension);
    const bridge = this.bridge;
    const event = (name) =>
      new VisioExtensionCommon.EventManager({
        context,
        name: `visioCalendar.${name}`,
        register: (fire) => {
          const listener = (...args) => fire.async(...args);
          bridge.on(name, listener);
          return () => bridge.off(name, listener);
        },
      }).api();

    return {
      visioCalendar: {
        listViews: async () => bridge.list(),
        getFields: async (viewId) => bridge.getFields(viewId),
        setFields: async (viewId, fields) => bridge.setFields(viewId, fields),
        setState: async (viewId, state) => bridge.setState(viewId, state),
        onViewOpened: event('onViewOpened'),
        onCommand: event('onCommand'),
        onEditorSaved: event('onEditorSaved'),
        onViewClosed: event('onViewClosed'),
        onItemChanged: event('onItemChanged'),
      },
    };
  }
};

class Bridge {
  constructor(extension) {
    this.extension = extension;
    this.listeners = new Map();
    this.views = new Map(); // id -> { id, kind, win, pending, saved, state }
    this.nextId = 1;
    this.observer = {
      observe: (subject, topic) => {
        if (topic !== 'document-element-inserted' || !subject || !subject.defaultView) return;
        const url = subject.documentURI;
        if (url === EDITOR_URL || url === SUMMARY_URL) this.watch(subject.defaultView, url === EDITOR_URL ? 'editor' : 'summary');
      },
    };
    Services.obs.addObserver(this.observer, 'document-element-inserted');
    this.calObserver = {
      QueryInterface: ChromeUtils.generateQI(['calIObserver']),
      onStartBatch() {},
      onEndBatch() {},
      onLoad() {},
      onError() {},
      onPropertyChanged() {},
      onPropertyDeleting() {},
      onAddItem: (item) => this.emit('onItemChanged', { kind: 'added', item: describeItem(item) }),
      onModifyItem: (item, oldItem) => this.emit('onItemChanged', { kind: 'modified', item: describeItem(item), oldItem: describeItem(oldItem) }),
      onDeleteItem: (item) => this.emit('onItemChanged', { kind: 'deleted', item: describeItem(item) }),
    };
    visioCal.manager.addCalendarObserver(this.calObserver);
  }

  stop() {
    Services.obs.removeObserver(this.observer, 'document-element-inserted');
    visioCal.manager.removeCalendarObserver(this.calObserver);
    for (const view of this.views.values()) {
      view.win.document.getElementById(TR_ID)?.remove();
      view.win.document.getElementById(ROW_ID)?.remove();
      if (view.originalAccept) view.win.onAcceptCallback = view.originalAccept;
    }
    this.views.clear();
  }

  on(name, fn) {
    if (!this.listeners.has(name)) this.listeners.set(name, new Set());
    this.listeners.get(name).add(fn);
  }

  off(name, fn) {
    this.listeners.get(name)?.delete(fn);
  }

  emit(name, ...args) {
    for (const fn of this.listeners.get(name) ?? []) {
      try {
        fn(...args);
      } catch (e) {
        console.error(e);
      }
    }
  }

  watch(win, kind) {
    win.addEventListener(
      'load',
      () => {
        // The page's own load handler fills the fields; ours must run after it.
        const start = Date.now();
        const ready = () => {
          const ok = kind === 'editor' ? win.calendarItem && win.onAcceptCallback : win.arguments && win.arguments[0];
          if (ok) this.attach(win, kind);
          else if (!win.closed && Date.now() - start < 10000) win.setTimeout(ready, 20);
        };
        win.setTimeout(ready, 0);
      },
      { once: true },
    );
  }

  attach(win, kind) {
    const id = `${kind}-${this.nextId++}`;
    const view = { id, kind, win, pending: {}, saved: false, state: { hasRoom: false, busy: false, joinUrl: null } };
    this.views.set(id, view);
    this.addRow(view);
    if (kind === 'editor') {
      view.originalAccept = win.onAcceptCallback;
      // Receives the item serialised from the dialog, made immutable, before the calendar transaction.
      win.onAcceptCallback = (item, calendar, originalItem, listener, extResponse) => {
        let saved = item;
        if (Object.keys(view.pending).length > 0) {
          saved = item.clone();
          applyProps(saved, view.pending);
          saved.makeImmutable();
          win.calendarItem = saved;
          view.pending = {};
        }
        view.saved = true;
        this.emit('onEditorSaved', id, describeItem(saved));
        return view.originalAccept.call(win, saved, calendar, originalItem, listener, extResponse);
      };
    }
    win.addEventListener(
      'unload',
      () => {
        this.views.delete(id);
        this.emit('onViewClosed', id, { saved: view.saved });
      },
      { once: true },
    );
    this.emit('onViewOpened', { id, kind, fields: this.readFields(view) });
  }

  /** A row under the location (editor) or at the top of the summary, with our three buttons. */
  addRow(view) {
    const doc = view.win.document;
    const l10n = (key) => this.extension.localizeMessage(key);
    const row = doc.createElementNS(HTML_NS, 'div');
    row.id = ROW_ID;
    row.setAttribute('role', 'group');
    row.setAttribute('aria-label', l10n('experimentGroupLabel'));
    // Wraps rather than widening its cell: the location field above keeps its size.
    row.style.cssText = 'display:flex;gap:6px;align-items:center;margin:2px 0 4px;flex-wrap:wrap;min-width:0;max-width:100%';
    const button = (command, label) => {
      const b = doc.createElementNS(HTML_NS, 'button');
      b.type = 'button';
      b.className = `visio-${command}`;
      b.dataset.visioCommand = command;
      b.textContent = label;
      b.hidden = true;
      b.addEventListener('click', () => this.emit('onCommand', view.id, command));
      row.append(b);
      return b;
    };
    if (view.kind === 'editor') {
      button('add', l10n('editorAdd'));
      // Offered when the event carries another service's meeting (the background names it).
      button('switch', l10n('editorSwitch'));
      button('remove', l10n('editorRemove'));
      // Who waits in the lobby; offered once the background knows the gateway's levels.
      const label = doc.createElementNS(HTML_NS, 'label');
      label.className = 'visio-access-label';
      label.hidden = true;
      label.style.cssText = 'gap:4px;align-items:center';
      label.append(l10n('editorAccess'));
      const select = doc.createElementNS(HTML_NS, 'select');
      select.className = 'visio-access';
      for (const level of ACCESS_LEVELS) {
        const option = doc.createElementNS(HTML_NS, 'option');
        option.value = level;
        option.textContent = l10n(`editorAccess_${level}`);
        select.append(option);
      }
      select.addEventListener('change', () => (view.accessChosen = true));
      label.append(select);
      row.append(label);
    }
    button('join', l10n('editorJoin'));
    const status = doc.createElementNS(HTML_NS, 'span');
    status.className = 'visio-status';
    status.setAttribute('role', 'status');
    status.setAttribute('aria-live', 'polite');
    status.style.cssText = 'flex:1 1 10em;min-width:0;white-space:normal;overflow-wrap:anywhere';
    row.append(status);

    if (view.kind === 'editor') {
      // A table row of its own under "Location": never in the location's cell, which it would squeeze.
      const locationRow = doc.getElementById('event-grid-location-row');
      if (locationRow) {
        const tr = doc.createElementNS(HTML_NS, 'tr');
        tr.id = TR_ID;
        tr.append(doc.createElementNS(HTML_NS, 'th'));
        const td = doc.createElementNS(HTML_NS, 'td');
        td.append(row);
        tr.append(td);
        locationRow.after(tr);
      } else {
        (doc.body ?? doc.documentElement).append(row);
      }
    } else {
      const target = doc.querySelector('calendar-item-summary') ?? doc.querySelector('dialog') ?? doc.documentElement;
      target.prepend(row);
    }
    this.render(view);
  }

  render(view) {
    const row = view.win.document.getElementById(ROW_ID);
    if (!row) return;
    const { hasRoom, busy, joinUrl, message, accessLevels, accessLevel, switchFrom } = view.state;
    const add = row.querySelector('.visio-add');
    const remove = row.querySelector('.visio-remove');
    const join = row.querySelector('.visio-join');
    if (add) {
      add.hidden = hasRoom;
      add.disabled = busy;
    }
    if (remove) {
      remove.hidden = !hasRoom;
      remove.disabled = busy;
    }
    const switchButton = row.querySelector('.visio-switch');
    if (switchButton) {
      switchButton.hidden = hasRoom || !switchFrom;
      switchButton.disabled = busy;
      // Read by screen readers with the label: which meeting it replaces.
      const description = switchFrom ? this.extension.localizeMessage('editorSwitchDescription', [switchFrom]) : '';
      switchButton.title = description;
      switchButton.setAttribute('aria-description', description);
    }
    const access = row.querySelector('.visio-access');
    if (access) {
      const levels = Array.isArray(accessLevels) ? accessLevels : [];
      for (const option of access.options) option.hidden = !levels.includes(option.value);
      // Only before a room exists: a created room keeps the level it was created with.
      // (An inline display would override the hidden attribute.)
      row.querySelector('.visio-access-label').style.display = levels.length < 2 || hasRoom ? 'none' : 'inline-flex';
      if (accessLevel && !view.accessChosen) access.value = accessLevel;
      access.disabled = busy;
    }
    join.hidden = !joinUrl;
    join.title = joinUrl || '';
    row.setAttribute('aria-busy', busy ? 'true' : 'false');
    row.querySelector('.visio-status').textContent = message || '';
  }

  list() {
    return [...this.views.values()].map((v) => ({ id: v.id, kind: v.kind }));
  }

  view(id) {
    const view = this.views.get(id);
    if (!view) throw new VisioExtensionUtils.ExtensionError(`no open calendar view ${id}`);
    return view;
  }

  readFields(view) {
    const win = view.win;
    if (view.kind === 'summary') {
      const fields = describeItem(win.arguments[0].calendarEvent);
      fields.descriptionHTML = '';
      return fields;
    }
    const doc = win.document;
    const editorElement = doc.getElementById('item-description');
    const editor = editorElement.getHTMLEditor(editorElement.contentWindow);
    const flags = Ci.nsIDocumentEncoder.OutputRaw | Ci.nsIDocumentEncoder.OutputDropInvisibleBreak | Ci.nsIDocumentEncoder.OutputBodyOnly;
    const item = win.calendarItem;
    const prop = (name) => (name in view.pending ? view.pending[name] : item.getProperty(name)) || null;
    return {
      id: item.id || null,
      calendarId: item.calendar ? item.calendar.id : null,
      title: doc.getElementById('item-title').value || '',
      location: doc.getElementById('item-location').value || '',
      descriptionHTML: editor.outputToString('text/html', flags).replace(/^<body>(.*)<\/body>$/s, '$1'),
      descriptionText: editor.outputToString('text/plain', Ci.nsIDocumentEncoder.OutputBodyOnly),
      url: prop('URL'),
      conference: prop('CONFERENCE'),
      room: prop('X-VISIO-ROOM'),
      seriesRooms: seriesRooms(item),
      // The item as it will be stored: its other properties are not edited in the dialog; those pending
      // (a switch's deletions, URL…) applied, so that Remove after a switch does not offer it again.
      icalString: pendingIcal(item, view.pending),
      exceptions: describeExceptions(item),
      accessLevel: doc.querySelector(`#${ROW_ID} .visio-access`)?.value || null,
      isEvent: item.isEvent(),
    };
  }

  getFields(id) {
    return this.readFields(this.view(id));
  }

  /**
   * Writes the fields as one step: if any part throws (an editor function that differs in this
   * Thunderbird), what was written is put back before the error is reported.
   */
  setFields(id, fields) {
    const view = this.view(id);
    if (view.kind !== 'editor') throw new VisioExtensionUtils.ExtensionError('a summary is read-only');
    const before = this.snapshot(view);
    try {
      this.writeFields(view, fields);
    } catch (error) {
      try {
        this.restore(view, before);
      } catch (restoreError) {
        console.error("Visio: could not restore the editor's fields", restoreError);
      }
      console.error("Visio: could not fill the editor's fields", error);
      throw new VisioExtensionUtils.ExtensionError(`could not fill the editor's fields: ${error && error.message}`);
    }
  }

  snapshot(view) {
    const doc = view.win.document;
    const editorElement = doc.getElementById('item-description');
    const editor = editorElement.getHTMLEditor(editorElement.contentWindow);
    const flags = Ci.nsIDocumentEncoder.OutputRaw | Ci.nsIDocumentEncoder.OutputDropInvisibleBreak | Ci.nsIDocumentEncoder.OutputBodyOnly;
    const url = 'URL' in view.pending ? view.pending.URL : view.win.calendarItem.getProperty('URL');
    return {
      location: doc.getElementById('item-location').value,
      descriptionHTML: editor.outputToString('text/html', flags).replace(/^<body>(.*)<\/body>$/s, '$1'),
      pending: { ...view.pending },
      url: url || '',
    };
  }

  restore(view, before) {
    view.pending = before.pending;
    this.writeFields(view, { location: before.location, descriptionHTML: before.descriptionHTML }, true);
    try {
      showItemURL(view.win, before.url);
    } catch (e) {
      // The link row only displays the URL, which is restored in `pending`.
    }
  }

  writeFields(view, fields, restoring = false) {
    const win = view.win;
    const doc = win.document;
    if (typeof fields.location === 'string') {
      const input = doc.getElementById('item-location');
      input.value = fields.location;
      input.dispatchEvent(new win.Event('input', { bubbles: true }));
    }
    if (typeof fields.descriptionHTML === 'string') {
      const editorElement = doc.getElementById('item-description');
      const editor = editorElement.getHTMLEditor(editorElement.contentWindow);
      const fragment = visioCal.view.textToHtmlDocumentFragment('', editorElement.contentDocument, fields.descriptionHTML);
      editor.enableUndo(false);
      editor.forceCompositionEnd();
      editor.rootElement.replaceChildren(fragment);
      editor.insertText(''); // re-initialises the editor after its content was replaced
      editor.enableUndo(true);
      // Saving reads the description only from a modified editor.
      editor.incrementModificationCount(1);
    }
    if (restoring) return;
    const map = { url: 'URL', conference: 'CONFERENCE', room: 'X-VISIO-ROOM' };
    // The schema gives every absent property as null: null means "unchanged", "" deletes.
    for (const [key, name] of Object.entries(map)) {
      if (typeof fields[key] === 'string') view.pending[name] = fields[key];
    }
    if (Array.isArray(fields.deleteProperties)) view.pending.deleteProperties = fields.deleteProperties.map((n) => String(n).toUpperCase());
    if (Array.isArray(fields.exceptions))
      view.pending.exceptions = fields.exceptions.map((e) => ({
        recurrenceId: String(e.recurrenceId),
        location: String(e.location ?? ''),
        descriptionHTML: String(e.descriptionHTML ?? ''),
        deleteProperties: (e.deleteProperties ?? []).map((n) => String(n).toUpperCase()),
      }));
    if (typeof fields.url === 'string') showItemURL(win, fields.url);
  }

  setState(id, state) {
    const view = this.view(id);
    // The schema gives every absent property as null: null means "unchanged" ("" hides Join).
    for (const key of ['hasRoom', 'busy', 'joinUrl', 'message', 'accessLevels', 'accessLevel', 'switchFrom']) {
      if (key in state && state[key] !== undefined && state[key] !== null) view.state[key] = state[key];
    }
    this.render(view);
  }
}
