/**
 * A typed fake of the `messenger` surface the background uses (src/messenger.ts), with an in-memory
 * event editor that behaves like the experiment: visible fields change at once, properties at save.
 */
import type { FieldChanges, ItemChange, ItemFields, Listenable, MessagePart, Messenger, OpenedView, Tab, ViewCommand, ViewState } from '../src/messenger.ts';

export class FakeEvent<F extends (...args: never[]) => unknown> implements Listenable<F> {
  readonly listeners = new Set<F>();
  addListener(listener: F): void {
    this.listeners.add(listener);
  }
  removeListener(listener: F): void {
    this.listeners.delete(listener);
  }
  fire(...args: Parameters<F>): unknown[] {
    return [...this.listeners].map((l) => l(...args));
  }
}

export interface FakeEditor {
  fields: ItemFields;
  pending: FieldChanges;
  state: ViewState;
}

const MESSAGES: Record<string, string> = {
  editorCreating: 'Création…',
  editorAdded: 'Ajoutée.',
  editorRemoved: 'Retirée.',
  errorNoGateway: 'Aucune passerelle Visio configurée : ouvrez les options du module.',
};

export function createFakeMessenger(init: { local?: Record<string, unknown>; managed?: Record<string, unknown> | null; uiLanguage?: string } = {}) {
  const local: Record<string, unknown> = { ...init.local };
  const editors = new Map<string, FakeEditor>();
  const opened: string[] = [];
  const executed: { tabId: number; code: string }[] = [];
  const actionState = new Map<number, boolean>();
  const composeBadges = new Map<number, string | null>();
  const composeTitles = new Map<number, string | null>();
  const fullMessages = new Map<number, MessagePart>();
  const composeDetails = new Map<number, { isPlainText?: boolean; subject?: string }>();
  const notifications: { id: string; title: string; message: string }[] = [];
  const attachments = new Map<number, { contentType: string; name: string; partName: string; content: string }[]>();
  /** Set to make the next setFields throw, as the experiment does after putting the fields back. */
  const failures = { setFields: null as Error | null, storage: null as Error | null };

  const events = {
    onViewOpened: new FakeEvent<(view: OpenedView) => void>(),
    onCommand: new FakeEvent<(viewId: string, command: ViewCommand) => void>(),
    onEditorSaved: new FakeEvent<(viewId: string, item: ItemFields) => void>(),
    onViewClosed: new FakeEvent<(viewId: string, info: { saved: boolean }) => void>(),
    onItemChanged: new FakeEvent<(change: ItemChange) => void>(),
    composeClicked: new FakeEvent<(tab: Tab) => void>(),
    messagesDisplayed: new FakeEvent<(tab: Tab, messages: { id: number; subject: string }[] | { messages: { id: number; subject: string }[] }) => void>(),
    runtimeMessage: new FakeEvent<(message: unknown, sender: unknown) => Promise<unknown> | undefined>(),
    tabRemoved: new FakeEvent<(tabId: number, info: unknown) => void>(),
    afterSend: new FakeEvent<(tab: Tab, info: { error?: string | null; mode?: string }) => void>(),
    afterSave: new FakeEvent<(tab: Tab, info: { error?: string | null; mode?: string }) => void>(),
    storageChanged: new FakeEvent<(changes: Record<string, { oldValue?: unknown; newValue?: unknown }>, area: string) => void>(),
  };

  const editor = (id: string) => {
    const e = editors.get(id);
    if (!e) throw new Error(`no open calendar view ${id}`);
    return e;
  };
  const current = (e: FakeEditor): ItemFields => {
    const f = { ...e.fields };
    if ('url' in e.pending) f.url = e.pending.url || null;
    if ('conference' in e.pending) f.conference = e.pending.conference || null;
    if ('room' in e.pending) f.room = e.pending.room || null;
    return f;
  };

  const messenger: Messenger = {
    visioCalendar: {
      listViews: async () => [...editors.keys()].map((id) => ({ id, kind: 'editor' as const })),
      getFields: async (id) => current(editor(id)),
      async setFields(id, changes) {
        const e = editor(id);
        if (failures.setFields) {
          const error = failures.setFields;
          failures.setFields = null;
          throw error;
        }
        if (changes.location !== undefined) e.fields.location = changes.location;
        if (changes.descriptionHTML !== undefined) {
          e.fields.descriptionHTML = changes.descriptionHTML;
          e.fields.descriptionText = changes.descriptionHTML.replace(/<br\s*\/?>|<\/p>/g, '\n').replace(/<[^>]+>/g, '');
        }
        // As the real schema: absent is null (unchanged), '' deletes.
        for (const key of ['url', 'conference', 'room'] as const) if (typeof changes[key] === 'string') e.pending[key] = changes[key];
        if (Array.isArray(changes.deleteProperties)) e.pending.deleteProperties = changes.deleteProperties;
        if (Array.isArray(changes.exceptions)) e.pending.exceptions = changes.exceptions;
      },
      async setState(id, state) {
        // As the experiment: absent (null after the schema) leaves a value as it was.
        for (const [key, value] of Object.entries(state)) if (value !== null && value !== undefined) Object.assign(editor(id).state, { [key]: value });
      },
      onViewOpened: events.onViewOpened,
      onCommand: events.onCommand,
      onEditorSaved: events.onEditorSaved,
      onViewClosed: events.onViewClosed,
      onItemChanged: events.onItemChanged,
    },
    storage: {
      local: {
        async get(keys) {
          const list = keys === null || keys === undefined ? Object.keys(local) : Array.isArray(keys) ? keys : [keys];
          return Object.fromEntries(list.filter((k) => k in local).map((k) => [k, structuredClone(local[k])]));
        },
        async set(items) {
          if (failures.storage) throw failures.storage;
          Object.assign(local, structuredClone(items));
        },
        async remove(keys) {
          for (const k of [keys].flat()) delete local[k];
        },
      },
      managed: {
        async get() {
          if (!init.managed) throw new Error('Managed storage manifest not found');
          return structuredClone(init.managed);
        },
      },
      onChanged: events.storageChanged,
    },
    i18n: {
      getMessage: (name, subs) => MESSAGES[name] ?? `${name}${subs ? `(${[subs].flat().join(',')})` : ''}`,
      getUILanguage: () => init.uiLanguage ?? 'fr',
    },
    runtime: {
      onMessage: events.runtimeMessage,
      sendMessage: async (message) => {
        for (const r of events.runtimeMessage.fire(message, {})) if (r !== undefined) return r;
        return undefined;
      },
      openOptionsPage: async () => {},
    },
    windows: {
      openDefaultBrowser: async (url) => {
        opened.push(url);
      },
    },
    tabs: {
      executeScript: async (tabId, details) => {
        executed.push({ tabId, code: details.code });
        return [];
      },
      query: async () => [{ id: 1, active: true }],
      onRemoved: events.tabRemoved,
    },
    compose: { getComposeDetails: async (tabId) => composeDetails.get(tabId) ?? {}, onAfterSend: events.afterSend, onAfterSave: events.afterSave },
    notifications: {
      create: async (id, options) => {
        notifications.push({ id, title: options.title, message: options.message });
        return id;
      },
    },
    composeAction: {
      onClicked: events.composeClicked,
      setTitle: async ({ title, tabId }) => void composeTitles.set(tabId ?? -1, title),
      setBadgeText: async ({ text, tabId }) => void composeBadges.set(tabId ?? -1, text),
    },
    messageDisplay: {
      onMessagesDisplayed: events.messagesDisplayed,
      getDisplayedMessages: async () => [],
    },
    messageDisplayAction: {
      enable: async (tabId) => void actionState.set(tabId ?? -1, true),
      disable: async (tabId) => void actionState.set(tabId ?? -1, false),
    },
    messages: {
      getFull: async (id) => {
        const m = fullMessages.get(id);
        if (!m) throw new Error(`no message ${id}`);
        return m;
      },
      listAttachments: async (id) => (attachments.get(id) ?? []).map(({ content, ...a }) => ({ ...a, size: content.length })),
      getAttachmentFile: async (id, partName) => {
        const a = (attachments.get(id) ?? []).find((x) => x.partName === partName);
        if (!a) throw new Error(`no attachment ${partName}`);
        return new File([a.content], a.name, { type: a.contentType });
      },
    },
  };

  let nextView = 1;
  return {
    messenger,
    events,
    editors,
    opened,
    executed,
    actionState,
    composeBadges,
    composeTitles,
    fullMessages,
    composeDetails,
    notifications,
    attachments,
    failures,
    local,
    /** Opens an editor as Thunderbird would and tells the add-on. */
    openEditor(fields: Partial<ItemFields> = {}): string {
      const id = `editor-${nextView++}`;
      const full: ItemFields = { title: '', location: '', descriptionText: '', descriptionHTML: '', isEvent: true, id: null, url: null, conference: null, room: null, ...fields };
      editors.set(id, { fields: full, pending: {}, state: {} });
      events.onViewOpened.fire({ id, kind: 'editor', fields: { ...full } });
      return id;
    },
    /** Saves like the experiment: pending properties applied, onEditorSaved, then the calendar's own event; `stored`: what only the stored item has (its schedule). */
    save(id: string, uid = `uid-${id}`, stored: Partial<ItemFields> = {}): ItemFields {
      const e = editor(id);
      e.fields = { ...current(e), id: e.fields.id ?? uid, ...stored };
      e.pending = {};
      events.onEditorSaved.fire(id, { ...e.fields });
      events.onItemChanged.fire({ kind: 'added', item: { ...e.fields } });
      return e.fields;
    },
    close(id: string, saved: boolean): void {
      editors.delete(id);
      events.onViewClosed.fire(id, { saved });
    },
  };
}
