/**
 * What every calendar module shares: find the event editors the module describes, add one "Add Visio
 * meeting" button to each, write the link and invitation through the editor's own input events, and put a
 * "Join Visio" button next to every Visio link shown. Every step is guarded: markup that changed makes
 * the module do nothing, never break the page.
 */
import { findVisioLinks } from '@visio/shared/links';
import { addLinkToLocation, putInvitation } from '@visio/shared/event-fields';
import type { Lang } from '@visio/shared/types';
import browser from '../lib/browser.js';
import { t } from '../lib/i18n.js';
import type { ContentConfig, CreateForEventResult, ForeignCleanupResult } from '../lib/messages.js';
import type { CalendarId } from '../lib/settings.js';

export type Field = HTMLInputElement | HTMLTextAreaElement | HTMLElement;

export interface Editor {
  /** The editor's root: one button per root. */
  root: Element;
  /** The button is inserted after this element. */
  anchor: Element;
  location: Field | null;
  description: Field | null;
  title?: HTMLInputElement | HTMLTextAreaElement | null;
  /** Clicks that save the event (besides a form submit). Without it, a room is never released on close. */
  save?: string[];
}

export interface CalendarModule {
  id: CalendarId;
  /** Event editors open in the page (empty when none, or when the markup is not the expected one). */
  editors(doc: Document): Editor[];
  /** True when the page shows an event editor (by its address or a landmark), whether or not its fields are found. */
  editorOpen?(doc: Document): boolean;
  /** True for the editor of an event never saved, judged when it first shows; without it, nothing is added by itself. */
  isNewEvent?(editor: Editor): boolean;
  /** The background can read this calendar's editor times on save (background/sogo-model.ts): rooms get their schedule. */
  scheduleReader?: 'sogo';
}

const BUTTON_MARK = 'data-visio-add';
const SWITCH_MARK = 'data-visio-switch';
const JOIN_MARK = 'data-visio-join';
const SCANNED = 'data-visio-scanned';

/** First element matching any of the selectors, within root. */
export function pick<T extends Element = HTMLElement>(root: ParentNode, selectors: string[]): T | null {
  for (const selector of selectors) {
    const found = root.querySelector<T & Element>(selector);
    if (found) return found as T;
  }
  return null;
}

function isTextControl(field: Field): field is HTMLInputElement | HTMLTextAreaElement {
  return field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement;
}

export function fieldText(field: Field | null | undefined): string {
  if (!field) return '';
  return isTextControl(field) ? field.value : field.innerHTML;
}

/**
 * Sets a text control's value the way typing does: the browser's own editing command (trusted beforeinput
 * and input events, which Google Calendar requires), else the prototype's setter (React, Vue and Angular
 * track the value through it) and `input` / `change` events that bubble.
 */
function setControlValue(field: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  field.focus();
  field.select();
  const typed = field.ownerDocument.execCommand('insertText', false, value) && field.value === value;
  if (!typed) {
    const proto = field instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
    Object.getOwnPropertyDescriptor(proto, 'value')?.set?.call(field, value);
    field.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText', data: value }));
  }
  field.dispatchEvent(new Event('change', { bubbles: true }));
}

/** Replaces a rich editor's content through its own editing pipeline (beforeinput/input), as a paste does. */
function setRichContent(field: HTMLElement, html: string): void {
  field.focus();
  const selection = field.ownerDocument.getSelection();
  const range = field.ownerDocument.createRange();
  range.selectNodeContents(field);
  selection?.removeAllRanges();
  selection?.addRange(range);
  // execCommand goes through the editor's own beforeinput/input handling; deprecated but the only way.
  const done = field.ownerDocument.execCommand('insertHTML', false, html);
  if (!done || !field.innerHTML.includes('visio-meeting-block')) {
    // Parsed inert (no script runs), then swapped in: the same result as the paste would give.
    const parsed = new DOMParser().parseFromString(html, 'text/html');
    field.replaceChildren(...parsed.body.childNodes);
    field.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertFromPaste' }));
  }
}

/** `base`: what the field should hold before the link (Switch: the field without its foreign meeting). */
function writeLocation(field: Field, url: string, base = fieldText(field)): void {
  if (isTextControl(field)) {
    setControlValue(field, addLinkToLocation(base.trim(), url));
  } else setRichContent(field, url);
}

function writeDescription(field: Field, html: string, text: string, base = fieldText(field)): void {
  if (isTextControl(field)) setControlValue(field, putInvitation(base, 'text', { html, text }));
  else setRichContent(field, putInvitation(base, 'html', { html, text }));
}

/**
 * What "Passer à Visio" takes out of the editor's fields: @visio/shared/foreign-location, run by the
 * background (its detection tables would double every content script's size). Asked again only when the
 * fields changed.
 */
function foreignScanner(editor: Editor): () => Promise<ForeignCleanupResult> {
  let last: { key: string; answer: Promise<ForeignCleanupResult> } | null = null;
  return () => {
    const body = fieldText(editor.description);
    const location = fieldText(editor.location);
    const key = `${location}\u0000${body}`;
    if (last?.key !== key) last = { key, answer: browser.runtime.sendMessage({ type: 'foreign-cleanup', body, location }) as Promise<ForeignCleanupResult> };
    return last.answer;
  };
}

function makeButton(doc: Document, label: string): { host: HTMLElement; button: HTMLButtonElement; status: HTMLElement } {
  const host = doc.createElement('span');
  host.setAttribute(BUTTON_MARK, '');
  host.style.display = 'inline-block';
  host.style.margin = '4px 0';
  // A shadow root keeps the page's styles off the button and ours off the page.
  const shadow = host.attachShadow({ mode: 'open' });
  const style = doc.createElement('style');
  style.textContent =
    'button{font:inherit;font-size:14px;padding:4px 10px;border-radius:4px;border:1px solid #000091;background:#000091;color:#fff;cursor:pointer}' +
    'button:focus-visible{outline:3px solid #0a76f6;outline-offset:2px}button:disabled{opacity:.7;cursor:progress}' +
    '.s{font-size:13px;margin-left:6px}';
  const button = doc.createElement('button');
  button.type = 'button';
  button.textContent = label;
  const status = doc.createElement('span');
  status.className = 's';
  status.setAttribute('role', 'status');
  shadow.append(style, button, status);
  return { host, button, status };
}

function hasVisioLink(editor: Editor, instanceUrl: string): boolean {
  const text = `${fieldText(editor.location)}\n${fieldText(editor.description)}`;
  return findVisioLinks(text, instanceUrl).length > 0;
}

/** Rooms added to an editor that has not been saved yet: released when the editor closes unsaved. */
interface Pending {
  root: Element;
  code: string;
  saved: boolean;
}
const pendingRooms = new Set<Pending>();

function trackUnsaved(editor: Editor, code: string): void {
  if (!editor.save) return;
  const entry: Pending = { root: editor.root, code, saved: false };
  const selectors = editor.save.join(',');
  editor.root.addEventListener('submit', () => (entry.saved = true), true);
  editor.root.addEventListener(
    'click',
    (event) => {
      if (event.target instanceof Element && event.target.closest(selectors)) entry.saved = true;
    },
    true,
  );
  pendingRooms.add(entry);
}

/** An editor gone from the page without a save (Cancel, Escape, closed): its room goes back to the gateway. */
function releaseClosedEditors(): void {
  for (const entry of pendingRooms) {
    if (entry.root.isConnected) continue;
    pendingRooms.delete(entry);
    if (!entry.saved) void browser.runtime.sendMessage({ type: 'release-room', code: entry.code }).catch(() => undefined);
  }
}

// The tab closed or left with the editor still open and unsaved: the same.
addEventListener('pagehide', () => {
  for (const entry of pendingRooms) if (!entry.saved) void browser.runtime.sendMessage({ type: 'release-room', code: entry.code }).catch(() => undefined);
  pendingRooms.clear();
});

/**
 * The event's times go to its Visio rooms when the agent saves (a room added here, or the link of an event
 * opened again and moved): the background has the page report them (the editor's own model, in the page's
 * world) on the Add button's host. The links are the editor's at that moment, on the configured instance;
 * the gateway takes a schedule only for the agent's own rooms.
 */
function followSchedule(reader: CalendarModule['scheduleReader'], editor: Editor, host: HTMLElement, instanceUrl: string): void {
  if (!reader) return;
  host.addEventListener('visio-schedule', () => {
    const model = host.getAttribute('data-visio-schedule');
    const codes = new Set(findVisioLinks(`${fieldText(editor.location)}\n${fieldText(editor.description)}`, instanceUrl).map((l) => l.code));
    if (model) for (const code of codes) void browser.runtime.sendMessage({ type: 'attach-room', code, model }).catch(() => undefined);
  });
  void browser.runtime.sendMessage({ type: 'watch-schedule', reader, marker: host.getAttribute(BUTTON_MARK) }).catch(() => undefined);
}

/** Per enhanced editor: shows "Passer à Visio" only while its fields hold a foreign meeting. */
const switchRefreshers = new WeakMap<Element, () => void>();

let editorCount = 0;

function enhanceEditor(editor: Editor, config: ContentConfig, module: Pick<CalendarModule, 'isNewEvent' | 'scheduleReader'>): void {
  if (editor.root.querySelector(`[${BUTTON_MARK}]`) || editor.anchor.parentElement?.querySelector(`:scope > [${BUTTON_MARK}]`)) {
    switchRefreshers.get(editor.root)?.();
    return;
  }
  if (!editor.location && !editor.description) return;
  const lang: Lang = config.lang;
  const { host, button, status } = makeButton(editor.root.ownerDocument, t(lang, 'addMeeting'));
  // Names this editor's button for the page-world reader of its times.
  host.setAttribute(BUTTON_MARK, `e${Date.now().toString(36)}-${++editorCount}`);
  button.addEventListener('click', async () => {
    try {
      // Does nothing twice: an event that already has a Visio link keeps it.
      if (hasVisioLink(editor, config.instanceUrl)) {
        status.textContent = t(lang, 'alreadyThere');
        return;
      }
      button.disabled = true;
      status.textContent = t(lang, 'adding');
      const title = editor.title?.value.trim();
      const result = (await browser.runtime.sendMessage({ type: 'create-for-event', ...(title ? { title } : {}) })) as CreateForEventResult;
      if (!result.ok) {
        status.textContent = result.message;
        return;
      }
      if (hasVisioLink(editor, config.instanceUrl)) {
        status.textContent = t(lang, 'alreadyThere');
        return;
      }
      if (editor.location?.isConnected) writeLocation(editor.location, result.url);
      if (editor.description?.isConnected) writeDescription(editor.description, result.html, result.text);
      trackUnsaved(editor, result.code);
      status.textContent = t(lang, 'added');
    } catch {
      status.textContent = '';
    } finally {
      button.disabled = false;
    }
  });
  editor.anchor.after(host);
  followSchedule(module.scheduleReader, editor, host, config.instanceUrl);
  enhanceSwitch(editor, config, host);
  autoAdd(editor, config, module.isNewEvent, button);
}

/** Editors already looked at for the automatic meeting: never twice, whatever the page re-renders. */
const autoAddSeen = new WeakSet<Element>();

/**
 * With autoAdd on, a new event's editor gets its meeting as if the agent pressed Add, once. Only where the
 * module tells a new event and knows the save action (an editor closed unsaved gives its room back: no room
 * left open for each abandoned draft). An editor holding a Visio or foreign meeting keeps it (Passer à Visio
 * stays the agent's choice).
 */
function autoAdd(editor: Editor, config: ContentConfig, isNewEvent: CalendarModule['isNewEvent'], button: HTMLButtonElement): void {
  if (!config.autoAdd || !isNewEvent || !editor.save || autoAddSeen.has(editor.root)) return;
  autoAddSeen.add(editor.root);
  if (!isNewEvent(editor) || hasVisioLink(editor, config.instanceUrl)) return;
  void foreignScanner(editor)()
    .then((found) => {
      if (found.providers.length === 0 && editor.root.isConnected && !hasVisioLink(editor, config.instanceUrl)) button.click();
    })
    .catch(() => undefined);
}

/**
 * "Passer à Visio": shown while the editor holds a Teams, Zoom, Webex, Google Meet… meeting. The foreign
 * block and location part go (spans of @visio/shared/foreign-meetings: the agent's text stays as typed),
 * and the room is added as Add does; an event already on Visio keeps its room and only loses the old meeting.
 */
function enhanceSwitch(editor: Editor, config: ContentConfig, after: Element): void {
  const lang: Lang = config.lang;
  const { host, button, status } = makeButton(editor.root.ownerDocument, t(lang, 'switchMeeting'));
  host.removeAttribute(BUTTON_MARK);
  host.setAttribute(SWITCH_MARK, '');
  host.style.marginLeft = '8px';
  let busy = false;
  let done = false;
  const scan = foreignScanner(editor);
  const names = (found: ForeignCleanupResult) => found.names.join(t(lang, 'namesJoin'));
  const refresh = () => {
    if (busy) return;
    void scan()
      .then((found) => {
        if (busy) return;
        const none = found.providers.length === 0;
        // The sentence of the last switch stays until the agent brings another foreign meeting in.
        host.style.display = none && !done ? 'none' : 'inline-block';
        button.style.display = none ? 'none' : '';
        if (!none) {
          done = false;
          button.setAttribute('aria-label', t(lang, 'switchMeetingFrom', { names: names(found) }));
        }
      })
      .catch(() => undefined);
  };
  host.style.display = 'none';
  button.addEventListener('click', async () => {
    const found = await scan().catch(() => null);
    if (!found || found.providers.length === 0) {
      status.textContent = t(lang, 'nothingToSwitch');
      return;
    }
    busy = true;
    button.disabled = true;
    status.textContent = t(lang, 'switching');
    try {
      let room: Extract<CreateForEventResult, { ok: true }> | null = null;
      if (!hasVisioLink(editor, config.instanceUrl)) {
        const title = editor.title?.value.trim();
        const result = (await browser.runtime.sendMessage({ type: 'create-for-event', ...(title ? { title } : {}) })) as CreateForEventResult;
        if (!result.ok) {
          status.textContent = result.message;
          return;
        }
        room = result;
      }
      // Read again after the gateway call: what the agent typed meanwhile is kept.
      const now = await scan();
      const location = editor.location?.isConnected ? editor.location : null;
      const description = editor.description?.isConnected ? editor.description : null;
      if (room && !hasVisioLink(editor, config.instanceUrl)) {
        if (location) writeLocation(location, room.url, now.location);
        if (description) writeDescription(description, room.html, room.text, now.body);
        trackUnsaved(editor, room.code);
      } else {
        // A Visio link came in during the call: that one stays, the new room goes back.
        if (room) void browser.runtime.sendMessage({ type: 'release-room', code: room.code }).catch(() => undefined);
        if (location && now.location !== fieldText(location)) writeField(location, now.location ?? '');
        if (description && now.body !== fieldText(description)) writeField(description, now.body);
      }
      done = true;
      status.textContent = t(lang, 'switched', { names: names(found) });
    } catch {
      status.textContent = '';
    } finally {
      busy = false;
      button.disabled = false;
      refresh();
    }
  });
  // The agent pastes or types a foreign meeting in: the button comes (and goes) with it. Frameworks fill
  // an opened event's fields without any event (AngularJS, Vue): looked at again each second while open.
  editor.root.addEventListener('input', refresh, true);
  switchRefreshers.set(editor.root, refresh);
  const timer = setInterval(() => (editor.root.isConnected ? refresh() : clearInterval(timer)), 1000);
  refresh();
  after.after(host);
}

function writeField(field: Field, value: string): void {
  if (isTextControl(field)) setControlValue(field, value);
  else setRichContent(field, value);
}

function isEditable(node: Element): boolean {
  return !!node.closest('input, textarea, [contenteditable=""], [contenteditable="true"], [' + BUTTON_MARK + '], [' + SWITCH_MARK + '], [' + JOIN_MARK + ']');
}

function joinButton(doc: Document, url: string, code: string, lang: Lang): HTMLElement {
  const host = doc.createElement('span');
  host.setAttribute(JOIN_MARK, code);
  host.style.display = 'inline-block';
  host.style.marginLeft = '6px';
  const shadow = host.attachShadow({ mode: 'open' });
  const style = doc.createElement('style');
  style.textContent =
    'a{font:inherit;font-size:13px;padding:2px 8px;border-radius:4px;background:#000091;color:#fff;text-decoration:none;display:inline-block}' +
    'a:focus-visible{outline:3px solid #0a76f6;outline-offset:2px}';
  const a = doc.createElement('a');
  a.href = url;
  a.target = '_blank';
  a.rel = 'noopener noreferrer';
  a.textContent = t(lang, 'joinVisio');
  a.setAttribute('aria-label', t(lang, 'joinVisioCode', { code }));
  shadow.append(style, a);
  // The calendar's own handlers on the block around (open the event, drag it) never see this button's clicks.
  for (const type of ['click', 'dblclick', 'mousedown', 'mouseup', 'pointerdown', 'pointerup', 'touchstart']) {
    host.addEventListener(type, (event) => event.stopPropagation());
  }
  return host;
}

/** Adds "Join Visio" after each element showing a Visio link (a link, or a text-only element), once. */
function addJoinButtons(root: Element, config: ContentConfig): void {
  const host = new URL(config.instanceUrl).host.toLowerCase();
  const candidates: Element[] = [];
  if (root.matches('a[href]')) candidates.push(root);
  candidates.push(...root.querySelectorAll('a[href]'));
  // Text-only elements (no child elements) that mention the instance: a location shown as plain text.
  const walker = root.ownerDocument.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (parent && parent.childElementCount === 0 && node.nodeValue?.toLowerCase().includes(host) && !parent.closest('a')) candidates.push(parent);
  }
  for (const el of candidates) {
    if (el.hasAttribute(SCANNED) || isEditable(el) || el.closest('script, style, noscript')) continue;
    el.setAttribute(SCANNED, '');
    const text = el instanceof HTMLAnchorElement ? `${el.href} ${el.textContent ?? ''}` : (el.textContent ?? '');
    if (!text.toLowerCase().includes(host)) continue;
    const seen = new Set<string>();
    let after: Element = el;
    for (const link of findVisioLinks(text, config.instanceUrl)) {
      if (seen.has(link.code)) continue;
      seen.add(link.code);
      // One Join button per link and place: the next sibling may already be ours.
      if (after.nextElementSibling?.getAttribute(JOIN_MARK) === link.code) continue;
      const button = joinButton(root.ownerDocument, link.url, link.code, config.lang);
      after.after(button);
      after = button;
    }
  }
}

/** Starts a calendar module: waits for the background's go, then follows the page's changes. */
export function startCalendar(module: CalendarModule): void {
  let config: ContentConfig | null = null;
  let scheduled = false;
  const pending = new Set<Element>();

  // Said once per change: the options page shows it, so a calendar whose markup changed is noticed.
  let reported: 'working' | 'missing' | null = null;
  const report = (state: 'working' | 'missing' | null) => {
    if (!state || state === reported) return;
    reported = state;
    void browser.runtime.sendMessage({ type: 'calendar-status', calendar: module.id, state }).catch(() => undefined);
  };

  const run = () => {
    scheduled = false;
    if (!config) return;
    const roots = pending.has(document.body) ? [document.body] : [...pending].filter((el) => el.isConnected);
    pending.clear();
    try {
      const editors = module.editors(document);
      report(editors.length > 0 ? 'working' : module.editorOpen?.(document) ? 'missing' : null);
      for (const editor of editors) {
        try {
          enhanceEditor(editor, config, module);
        } catch {
          // This editor's markup is not what the module expects: leave it alone.
        }
      }
    } catch {
      // Same for the whole page.
    }
    for (const root of roots) {
      try {
        addJoinButtons(root, config);
      } catch {
        // Never break the page.
      }
    }
  };
  const schedule = (root: Element) => {
    pending.add(root);
    if (scheduled) return;
    scheduled = true;
    setTimeout(run, 150);
  };

  void (browser.runtime.sendMessage({ type: 'content-config', calendar: module.id }) as Promise<ContentConfig>)
    .then((c) => {
      if (!c?.enabled || !document.body) return;
      config = c;
      schedule(document.body);
      new MutationObserver((records) => {
        for (const r of records) {
          if (r.type === 'childList' && r.removedNodes.length > 0 && pendingRooms.size > 0) releaseClosedEditors();
          if (r.type === 'childList') for (const n of r.addedNodes) if (n instanceof Element && !n.hasAttribute(BUTTON_MARK) && !n.hasAttribute(SWITCH_MARK) && !n.hasAttribute(JOIN_MARK)) schedule(n);
          if (r.type === 'characterData' && r.target.parentElement) {
            r.target.parentElement.removeAttribute(SCANNED);
            schedule(r.target.parentElement);
          }
        }
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    })
    .catch(() => {
      // Extension reloaded or background unreachable: the page stays as it is.
    });
}
