/**
 * Chrome-context scripts that drive Thunderbird's own windows as a person would (buttons, dialogs,
 * prompts), for the end-to-end tests and the benchmark. Editors are tagged (`data-test-view`) so each
 * script finds the one it is about.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { enableCalendars, launchThunderbird, type Thunderbird, type ThunderbirdOptions } from '@visio/testing/thunderbird';

export const ADDON_ID = 'visio-thunderbird@integrations.numerique.gouv.fr';
export const XPI = join(import.meta.dirname, '..', 'dist', 'visio-thunderbird.xpi');
const WIDGET_ID = ADDON_ID.toLowerCase().replace(/[^a-z0-9_-]/g, '_');
/** Thunderbird's id for the add-on's compose_action button. */
export const COMPOSE_BUTTON_ID = `${WIDGET_ID}-composeAction-toolbarbutton`;

/**
 * Thunderbird with the built add-on and the given storage, its calendars enabled, once the add-on runs; closed
 * again if it never gets there, so a failed start leaves no Thunderbird behind.
 */
export async function launchWithAddon(executable: string, storage: Record<string, unknown>, options: Omit<ThunderbirdOptions, 'executable' | 'addon' | 'extensionStorage'> = {}): Promise<Thunderbird> {
  const tb = await launchThunderbird({ ...options, executable, addon: { id: ADDON_ID, xpi: XPI }, extensionStorage: { [ADDON_ID]: storage } });
  try {
    await enableCalendars(tb);
    await tb.waitFor(editorScripts.addonActive, [ADDON_ID], { what: 'the add-on to be active' });
  } catch (error) {
    await tb.close();
    throw error;
  }
  return tb;
}

/** Finds the tagged editor: [outer window, iframe document]. */
const FIND = `
  // Editors live in an iframe: of the event dialog window, or of a calendarEvent tab in the main window.
  const editorDocs = () => {
    const out = [];
    for (const w of Services.wm.getEnumerator(null)) {
      for (const f of w.document.querySelectorAll("iframe")) {
        const d = f.contentDocument;
        if (d && d.documentURI === "chrome://calendar/content/calendar-item-iframe.xhtml") out.push([w, d, f]);
      }
    }
    return out;
  };
  const findView = (tag) => editorDocs().find(([, d]) => d.documentElement.dataset.testView === tag) ?? [null, null, null];
  const { cal } = ChromeUtils.importESModule("resource:///modules/calendar/calUtils.sys.mjs");
  const allItems = async () => {
    const out = [];
    for (const c of cal.manager.getCalendars()) out.push(...(await c.getItemsAsArray(Ci.calICalendar.ITEM_FILTER_ALL_ITEMS, 0, null, null)));
    return out;
  };
`;

const TAG_NEW_EDITOR = `${FIND}
  for (const [, d] of editorDocs()) {
    if (d.getElementById("visio-meeting-row") && !d.documentElement.dataset.testView) {
      d.documentElement.dataset.testView = arguments[0];
      return arguments[0];
    }
  }
  return null;`;

let counter = 0;

async function tagNewEditor(tb: Thunderbird): Promise<string> {
  const tag = `view-${++counter}`;
  return tb.waitFor<string>(TAG_NEW_EDITOR, [tag], { what: 'an event editor with the Visio buttons' });
}

export const editorScripts = {
  addonActive: `const { AddonManager } = ChromeUtils.importESModule("resource://gre/modules/AddonManager.sys.mjs");
    return AddonManager.getAddonByID(arguments[0]).then((a) => Boolean(a && a.isActive));`,

  async openNewEvent(tb: Thunderbird, title: string): Promise<string> {
    await tb.chrome(`Services.wm.getMostRecentWindow("mail:3pane").createEventWithDialog(null, null, null, arguments[0]); return true;`, title);
    return tagNewEditor(tb);
  },

  async openExistingEvent(tb: Thunderbird, title: string): Promise<string> {
    await tb.chrome(
      `${FIND}
      return allItems().then((items) => {
        const item = items.find((i) => i.title === arguments[0]);
        if (!item) throw new Error("no event " + arguments[0]);
        Services.wm.getMostRecentWindow("mail:3pane").modifyEventWithDialog(item, true);
        return true;
      });`,
      title,
    );
    return tagNewEditor(tb);
  },

  press: `${FIND} const [, d] = findView(arguments[0]); d.querySelector('[data-visio-command="' + arguments[1] + '"]').click(); return true;`,

  /** Location and Join link once the add-on filled the editor, else null. */
  filledFields: `${FIND} const [, d] = findView(arguments[0]);
    const location = d.getElementById("item-location").value;
    const join = d.querySelector(".visio-join");
    return /https:\\/\\/\\S+\\/[a-z]{3}-[a-z]{4}-[a-z]{3}$/.test(location) && !join.hidden ? { location, join: join.title } : null;`,

  /** Location and description text once the add-on took the meeting out, else null. */
  clearedFields: `${FIND} const [, d] = findView(arguments[0]);
    const location = d.getElementById("item-location").value;
    const body = d.getElementById("item-description").contentDocument.body;
    return d.querySelector(".visio-remove").hidden && !d.querySelector(".visio-add").hidden ? { location, description: body.innerHTML } : null;`,

  buttons: `${FIND} const [, d] = findView(arguments[0]); const b = (c) => !d.querySelector('[data-visio-command="' + c + '"]').hidden;
    return { add: b("add"), remove: b("remove"), join: b("join") };`,

  buttonsEqual: `${FIND} const [, d] = findView(arguments[0]); const b = (c) => !d.querySelector('[data-visio-command="' + c + '"]').hidden;
    const want = arguments[1]; return b("add") === want.add && b("remove") === want.remove && b("join") === want.join;`,

  joinUrl: `${FIND} const [, d] = findView(arguments[0]); return d.querySelector(".visio-join").title;`,

  /** Save and close, as the dialog's (or the tab's) Save and Close does. */
  accept: `${FIND} const [w, , frame] = findView(arguments[0]);
    if (w.location.href.includes("calendar-event-dialog")) w.document.querySelector("dialog").acceptDialog();
    else w.sendMessage({ command: "onAccept" }, frame.id);
    return true;`,

  /** Open event editors in tabs (true) or dialog windows (false). */
  editInTab: `Services.prefs.setBoolPref("calendar.item.editInTab", arguments[0]); return true;`,

  noEditorTab: `const { cal } = ChromeUtils.importESModule("resource:///modules/calendar/calUtils.sys.mjs");
    return !Services.wm.getMostRecentWindow("mail:3pane").document.getElementById("tabmail").tabInfo.some((t) => t.mode.name === "calendarEvent");`,

  storedEvent: `${FIND} return allItems().then((items) => { const i = items.find((x) => x.title === arguments[0]); return i ? i.icalString : null; });`,

  /** The stored event's ICS once it no longer contains the given text, else null. */
  storedEventWithout: `${FIND} return allItems().then((items) => { const i = items.find((x) => x.title === arguments[0]); return i && !i.icalString.includes(arguments[1]) ? i.icalString : null; });`,

  noEditor: `return ![...Services.wm.getEnumerator(null)].some((w) => w.location.href.includes("calendar-event-dialog"));`,

  /** Close without saving (dialog: Cancel; tab: closed unsaved), then "Don't save" in Thunderbird's prompt when it asks. */
  async discard(tb: Thunderbird, view: string): Promise<void> {
    await tb.chrome(
      `${FIND} const [w, , frame] = findView(arguments[0]);
      if (w.location.href.includes("calendar-event-dialog")) {
        w.setTimeout(() => w.document.querySelector("dialog").cancelDialog(), 0);
      } else {
        // An event tab: closed as after "Don't save" (calendar-item-panel.js closeWindowOrTab).
        const tabmail = w.document.getElementById("tabmail");
        const tab = tabmail.tabInfo.find((t) => t.iframe === frame);
        tab.allowTabClose = true;
        w.setTimeout(() => tabmail.closeTab(tab), 0);
      }
      return true;`,
      view,
    );
    await tb.waitFor(
      `${FIND}
      for (const w of Services.wm.getEnumerator(null)) {
        const docs = [w.document, ...[...w.document.querySelectorAll("browser, iframe")].map((f) => f.contentDocument).filter(Boolean)];
        for (const d of docs) {
          if (d.documentURI.includes("commonDialog")) { d.querySelector("dialog").getButton("extra1").click(); return false; }
        }
      }
      return findView(arguments[0])[0] === null;`,
      [view],
      { what: 'the editor to close without saving' },
    );
  },

  /** The access choice: shown or not, its value and offered levels; with arguments[1], chooses it first (as a person would). */
  access: `${FIND} const [, d] = findView(arguments[0]); const select = d.querySelector(".visio-access");
    if (arguments[1]) { select.value = arguments[1]; select.dispatchEvent(new d.defaultView.Event("change", { bubbles: true })); }
    const label = d.querySelector(".visio-access-label");
    return { shown: label.getBoundingClientRect().width > 0, value: select.value, offered: [...select.options].filter((o) => !o.hidden).map((o) => o.value) };`,

  /** The access choice once it is shown (the gateway's levels arrived), else null. */
  accessOffered: `${FIND} const [, d] = findView(arguments[0]); const select = d.querySelector(".visio-access");
    if (d.querySelector(".visio-access-label").getBoundingClientRect().width === 0) return null;
    return { shown: true, value: select.value, offered: [...select.options].filter((o) => !o.hidden).map((o) => o.value) };`,

  /** Types into the location field, as a person would (value + input event). */
  typeLocation: `${FIND} const [, d] = findView(arguments[0]); const input = d.getElementById("item-location");
    input.value = arguments[1]; input.dispatchEvent(new d.defaultView.Event("input", { bubbles: true })); return true;`,

  /**
   * Makes the editor's updateItemURL (140-style signature) throw, as 140's did when the add-on called it
   * the 153 way: a part of the fill that fails after the location and description were written.
   */
  breakUpdateItemURL: `${FIND} const [, d] = findView(arguments[0]);
    d.defaultView.updateItemURL = function (aShow, aUrl) {
      throw new TypeError("aUrl is undefined");
    };
    return true;`,

  /** Location, description, status and buttons of the editor once the add-on is no longer busy. */
  settledEditor: `${FIND} const [, d] = findView(arguments[0]);
    const row = d.getElementById("visio-meeting-row");
    const add = d.querySelector(".visio-add");
    const status = d.querySelector(".visio-status").textContent;
    if (row.getAttribute("aria-busy") === "true" || add.disabled || !status || status === arguments[1]) return null;
    return { location: d.getElementById("item-location").value, description: d.getElementById("item-description").contentDocument.body.innerHTML,
      status, addVisible: !add.hidden, addEnabled: !add.disabled, removeVisible: !d.querySelector(".visio-remove").hidden };`,

  /** Boxes (CSS px) of the Location field, the Visio row and its status in the editor, and the window's width. */
  layout: `${FIND} const [w, d] = findView(arguments[0]);
    const box = (e) => { const r = e.getBoundingClientRect(); return { x: r.x, y: r.y, width: r.width, height: r.height }; };
    const status = d.querySelector(".visio-status");
    return { location: box(d.getElementById("item-location")), row: box(d.getElementById("visio-meeting-row")), status: box(status),
      statusText: status.textContent, windowWidth: w.innerWidth, label: d.getElementById("item-location-label").value,
      linkRowShown: !d.getElementById("event-grid-link-row").hidden };`,

  /** PNG (data URL) of the window holding the editor, as drawn by Thunderbird. */
  screenshot: `${FIND} const [w] = findView(arguments[0]);
    return w.browsingContext.currentWindowGlobal.drawSnapshot(null, 1, "white").then((bitmap) => {
      const canvas = w.document.createElementNS("http://www.w3.org/1999/xhtml", "canvas");
      canvas.width = bitmap.width; canvas.height = bitmap.height;
      canvas.getContext("2d").drawImage(bitmap, 0, 0);
      return canvas.toDataURL("image/png");
    });`,

  /** Writes the screenshot of the window holding the editor to `file` (PNG). */
  async saveScreenshot(tb: Thunderbird, view: string, file: string): Promise<void> {
    const png = await tb.chrome<string>(editorScripts.screenshot, view);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, Buffer.from(png.split(',')[1]!, 'base64'));
  },

  /** A daily series of 5 with a room (as the add-on stores it); resolves with the title. */
  addRecurringEvent: `${FIND}
    const { CalEvent } = ChromeUtils.importESModule("resource:///modules/CalEvent.sys.mjs");
    const { CalRecurrenceInfo } = ChromeUtils.importESModule("resource:///modules/CalRecurrenceInfo.sys.mjs");
    const calendar = cal.manager.getCalendars()[0];
    const ev = new CalEvent();
    ev.title = arguments[0];
    ev.startDate = cal.dtz.now();
    ev.startDate.hour = 10; ev.startDate.minute = 0; ev.startDate.second = 0;
    ev.endDate = ev.startDate.clone();
    ev.endDate.hour = 11;
    ev.setProperty("LOCATION", arguments[1]);
    ev.setProperty("URL", arguments[1]);
    ev.setProperty("X-VISIO-ROOM", arguments[2]);
    ev.recurrenceInfo = new CalRecurrenceInfo(ev);
    ev.recurrenceInfo.appendRecurrenceItem(cal.createRecurrenceRule("RRULE:FREQ=DAILY;COUNT=5"));
    ev.calendar = calendar;
    return calendar.addItem(ev).then(() => true);`,

  /** Opens the n-th occurrence of the series alone, as "Edit only this occurrence" does. */
  async openOccurrence(tb: Thunderbird, title: string, index: number): Promise<string> {
    await tb.chrome(
      `${FIND}
      return allItems().then((items) => {
        const item = items.find((i) => i.title === arguments[0] && i.recurrenceInfo);
        const end = item.startDate.clone(); end.day += 10;
        const occurrence = item.recurrenceInfo.getOccurrences(item.startDate, end, 0)[arguments[1]];
        Services.wm.getMostRecentWindow("mail:3pane").modifyEventWithDialog(occurrence, false);
        return true;
      });`,
      title,
      index,
    );
    return tagNewEditor(tb);
  },

  /** The stored series once it holds an exception: [master's ICS, exception's ICS], else null. */
  storedSeriesWithException: `${FIND} return allItems().then((items) => {
      const i = items.find((x) => x.title === arguments[0] && x.recurrenceInfo);
      const ids = i ? i.recurrenceInfo.getExceptionIds() : [];
      return ids.length > 0 ? [i.icalString, i.recurrenceInfo.getExceptionFor(ids[0]).icalString] : null;
    });`,

  /**
   * Stores a VEVENT as an invitation of another service lands in the calendar (its own properties kept);
   * with arguments[1], its description is that HTML (Thunderbird keeps it as ALTREP and a text DESCRIPTION).
   */
  addEventFromIcs: `${FIND}
    const { CalEvent } = ChromeUtils.importESModule("resource:///modules/CalEvent.sys.mjs");
    const calendar = cal.manager.getCalendars()[0];
    const ev = new CalEvent();
    ev.icalString = arguments[0];
    if (arguments[1]) ev.descriptionHTML = arguments[1];
    ev.calendar = calendar;
    return calendar.addItem(ev).then(() => true);`,

  /**
   * A series from a VEVENT (arguments[0]) whose second occurrence was moved two hours later and given its own
   * location (arguments[1]) and text description (arguments[2]), as Thunderbird stores a changed occurrence.
   */
  addSeriesWithMovedOccurrence: `${FIND}
    const { CalEvent } = ChromeUtils.importESModule("resource:///modules/CalEvent.sys.mjs");
    const calendar = cal.manager.getCalendars()[0];
    const ev = new CalEvent();
    ev.icalString = arguments[0];
    ev.calendar = calendar;
    const rid = ev.startDate.clone();
    rid.day += 7;
    const moved = ev.recurrenceInfo.getOccurrenceFor(rid).clone();
    const start = moved.startDate.clone();
    start.hour += 2;
    const end = moved.endDate.clone();
    end.hour += 2;
    moved.startDate = start;
    moved.endDate = end;
    moved.setProperty("LOCATION", arguments[1]);
    moved.descriptionText = arguments[2];
    ev.recurrenceInfo.modifyException(moved, true);
    return calendar.addItem(ev).then(() => true);`,

  /**
   * The stored series' moved or changed occurrences (iCalendar of each), once there are some and none holds
   * arguments[1] (omitted: any); else null.
   */
  storedExceptions: `${FIND} return allItems().then((items) => { const i = items.find((x) => x.title === arguments[0]);
    if (!i || !i.recurrenceInfo) return null;
    const all = i.recurrenceInfo.getExceptionIds().map((rid) => i.recurrenceInfo.getExceptionFor(rid).icalString);
    return all.length > 0 && !(arguments[1] && all.some((x) => x.includes(arguments[1]))) ? all : null; });`,

  /** The Switch button (shown or not, its description) and the status line. */
  switchState: `${FIND} const [, d] = findView(arguments[0]); const b = d.querySelector(".visio-switch");
    return { shown: !b.hidden && b.getBoundingClientRect().width > 0, label: b.textContent, description: b.getAttribute("aria-description"),
      status: d.querySelector(".visio-status").textContent, busy: d.getElementById("visio-meeting-row").getAttribute("aria-busy") === "true" };`,

  /** The editor's location and description once Switch is offered, else null. */
  switchOffered: `${FIND} const [, d] = findView(arguments[0]); const b = d && d.querySelector(".visio-switch");
    if (!b || b.hidden) return null;
    return { location: d.getElementById("item-location").value, description: d.getElementById("item-description").contentDocument.body.innerHTML };`,

  addPlainEvent: `${FIND}
    const { CalEvent } = ChromeUtils.importESModule("resource:///modules/CalEvent.sys.mjs");
    const calendar = cal.manager.getCalendars()[0];
    const ev = new CalEvent();
    ev.title = arguments[0];
    ev.startDate = cal.dtz.now();
    ev.endDate = cal.dtz.now();
    ev.endDate.hour += 1;
    ev.setProperty("LOCATION", arguments[1]);
    ev.calendar = calendar;
    return calendar.addItem(ev).then(() => true);`,

  /** Opens the event from a read-only calendar, as Thunderbird does for invitations: its summary dialog. */
  async summaryJoinUrl(tb: Thunderbird, title: string): Promise<string> {
    await tb.chrome(
      `${FIND}
      return allItems().then((items) => {
        const item = items.find((i) => i.title === arguments[0]);
        item.calendar.readOnly = true;
        Services.wm.getMostRecentWindow("mail:3pane").modifyEventWithDialog(item, true);
        return true;
      });`,
      title,
    );
    const url = await tb.waitFor<string>(
      `for (const w of Services.wm.getEnumerator(null)) {
        if (!w.location.href.includes("calendar-summary-dialog")) continue;
        const join = w.document.querySelector("#visio-meeting-row .visio-join");
        if (join && !join.hidden) return join.title;
      }
      return null;`,
      [],
      { what: 'Join Visio in the summary dialog' },
    );
    await tb.chrome(`${FIND}
      for (const w of Services.wm.getEnumerator(null)) if (w.location.href.includes("calendar-summary-dialog")) w.close();
      for (const c of cal.manager.getCalendars()) c.readOnly = false;
      return true;`);
    return url;
  },

  deleteEvent: `${FIND} return allItems().then((items) => { const i = items.find((x) => x.title === arguments[0]); if (!i) throw new Error("no event " + arguments[0]); return i.calendar.deleteItem(i).then(() => true); });`,

  /** Opens a compose window with some text typed, and presses Insert Visio meeting at its end. */
  async composeAndPress(tb: Thunderbird, subject: string, plainText = false): Promise<void> {
    await tb.chrome(
      `const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
      const params = Cc["@mozilla.org/messengercompose/composeparams;1"].createInstance(Ci.nsIMsgComposeParams);
      const fields = Cc["@mozilla.org/messengercompose/composefields;1"].createInstance(Ci.nsIMsgCompFields);
      fields.subject = arguments[0];
      fields.to = "collegue@example.gouv.fr";
      fields.body = arguments[1] ? "Avant le bloc" : "<p>Avant le bloc</p>";
      params.type = Ci.nsIMsgCompType.New;
      params.format = arguments[1] ? Ci.nsIMsgCompFormat.PlainText : Ci.nsIMsgCompFormat.HTML;
      params.identity = MailServices.accounts.allIdentities[0];
      params.composeFields = fields;
      MailServices.compose.OpenComposeWindowWithParams(null, params);
      return true;`,
      subject,
      plainText,
    );
    await tb.waitFor(
      `for (const w of Services.wm.getEnumerator("msgcompose")) {
        const editor = w.GetCurrentEditor?.();
        const button = w.document.getElementById(arguments[0]);
        if (editor && button && w.gMsgCompose && editor.rootElement?.textContent.includes("Avant le bloc")) {
          editor.endOfDocument();
          button.click();
          return true;
        }
      }
      return false;`,
      [COMPOSE_BUTTON_ID],
      { what: 'a compose window with the Insert Visio meeting button', timeoutMs: 20_000 },
    );
  },

  /** The compose toolbar once the Insert button shows the badge `arguments[1]`: its label and badge, and Send's label and width. */
  composeToolbarWithBadge: `for (const w of Services.wm.getEnumerator("msgcompose")) {
      const button = w.document.getElementById(arguments[0]);
      const send = w.document.getElementById("button-send");
      if (!button || button.getAttribute("badge") !== arguments[1]) continue;
      return { label: button.getAttribute("label"), badge: button.getAttribute("badge"), sendLabel: send.getAttribute("label"), sendWidth: send.getBoundingClientRect().width };
    }
    return null;`,

  /** Opens a compose window, types, presses Insert Visio meeting; the body once the block is in. Left open with keepOpen. */
  async composeAndInsert(tb: Thunderbird, subject: string, plainText = false, keepOpen = false): Promise<string> {
    await editorScripts.composeAndPress(tb, subject, plainText);
    const body = await tb.waitFor<string>(
      `for (const w of Services.wm.getEnumerator("msgcompose")) {
        const root = w.GetCurrentEditor().rootElement;
        const html = root.innerHTML;
        if (/visio\\.numerique\\.gouv\\.fr\\/[a-z]{3}-[a-z]{4}-[a-z]{3}/.test(root.textContent)) return arguments[0] ? root.textContent : html;
      }
      return null;`,
      [plainText],
      { what: 'the invitation block in the compose window' },
    );
    if (!keepOpen) await tb.chrome(editorScripts.closeCompose);
    return body;
  },

  /** Closes every compose window without sending or saving (as "Don't save" does). */
  closeCompose: `for (const w of Services.wm.getEnumerator("msgcompose")) { w.gMsgCompose.bodyModified = false; w.gContentChanged = false; w.close(); } return true;`,

  /** Displays the Inbox message with this subject in the 3-pane tab; the action's state once settled. */
  async messageActionEnabled(tb: Thunderbird, subject: string): Promise<boolean> {
    await tb.chrome(
      `const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
      const { MailUtils } = ChromeUtils.importESModule("resource:///modules/MailUtils.sys.mjs");
      const inbox = MailServices.accounts.localFoldersServer.rootFolder.getChildNamed("Inbox");
      const hdr = [...inbox.messages].find((h) => h.mime2DecodedSubject === arguments[0]);
      if (!hdr) throw new Error("no message " + arguments[0]);
      MailUtils.displayMessageInFolderTab(hdr);
      return true;`,
      subject,
    );
    const want = subject === 'Sans lien' ? 'disabled' : 'enabled';
    const state = await tb
      .waitFor<string>(
        `const w = Services.wm.getMostRecentWindow("mail:3pane");
      const about = w.gTabmail.currentAbout3Pane?.messageBrowser?.contentWindow;
      if (!about || about.gMessage?.mime2DecodedSubject !== arguments[0]) return null;
      const button = about.document.getElementById(arguments[1]);
      if (!button) return null;
      const state = button.disabled || button.hasAttribute("disabled") ? "disabled" : "enabled";
      return state === arguments[2] ? state : null;`,
        [subject, `${WIDGET_ID}-messageDisplayAction-toolbarbutton`, want],
        { what: `the Join Visio action to be ${want} on "${subject}"`, timeoutMs: 10_000 },
      )
      .catch((e: unknown) => (String(e).includes('timed out') ? 'timeout' : Promise.reject(e)));
    return state === 'timeout' ? want !== 'enabled' : state === 'enabled';
  },
};

/**
 * The options page (a remote extension page inside about:addons) and the window `identity.launchWebAuthFlow`
 * opens, driven as a person would: chrome code reaches their documents through Marionette's own window actor,
 * which runs a script in the page (clicks, form fields, text).
 */
const PAGES = `
  const optionsBrowser = () => {
    for (const w of Services.wm.getEnumerator("mail:3pane")) {
      for (const t of w.document.getElementById("tabmail").tabInfo) {
        const d = t.browser?.contentDocument;
        if (!d) continue;
        for (const b of d.querySelectorAll("browser")) if (b.currentURI?.spec.endsWith("/options.html") && b.browsingContext?.currentWindowGlobal) return b;
      }
    }
    return null;
  };
  const authWindow = () => [...Services.wm.getEnumerator(null)].find((w) => w.name === "launchWebAuthFlow_dialog" && !w.closed) ?? null;
  const inPage = (browser, script, args) => browser.browsingContext.currentWindowGlobal.getActor("MarionetteCommands").executeScript(script, args ?? [], {});
`;

export const pageScripts = {
  openOptions: `Services.wm.getMostRecentWindow("mail:3pane").openAddonsMgr("addons://detail/" + encodeURIComponent(arguments[0]) + "/preferences"); return true;`,

  /** Runs `arguments[0]` (a function body) in the options page once it is there and has localized itself; its value. */
  inOptions: `${PAGES} const b = optionsBrowser(); if (!b) return null;
    return inPage(b, "if (!document.getElementById('account-state')?.textContent) return null; " + arguments[0], arguments[1]);`,

  /** Runs `arguments[0]` in the sign-in window's page once it is on `arguments[1]`'s origin; null before. */
  inAuthWindow: `${PAGES} const w = authWindow(); const b = w?.gBrowser?.selectedBrowser;
    if (!b || !b.currentURI?.spec.startsWith(arguments[1]) || b.webProgress?.isLoadingDocument) return null;
    return inPage(b, arguments[0], arguments[2]).catch(() => null);`,

  authWindowOpen: `${PAGES} return authWindow() !== null;`,

  authWindowClosed: `${PAGES} return authWindow() === null;`,

  /** The agent closes the sign-in window (its close button). */
  closeAuthWindow: `${PAGES} authWindow().close(); return true;`,

  /** The add-on's stored sign-in tokens (storage.local, JSON backend), or null. */
  storedTokens: `const { ExtensionStorage } = ChromeUtils.importESModule("resource://gre/modules/ExtensionStorage.sys.mjs");
    return ExtensionStorage.get(arguments[0], "authTokens").then((r) => {
      const v = r.authTokens;
      // Values come back as StructuredCloneHolders.
      return (v && typeof v.deserialize === "function" ? v.deserialize(globalThis) : v) ?? null;
    });`,
};
