/**
 * The part of Thunderbird's `messenger` API (MailExtensions, Manifest V2) this add-on uses, plus our
 * Experiment API (`visioCalendar`, see static/experiment/schema.json). Typed here so the background
 * logic can be tested with a fake of exactly this surface.
 */
import type { RoomSchedule } from '@visio/shared/contract';

export interface Listenable<F extends (...args: never[]) => unknown> {
  addListener(listener: F): void;
  removeListener(listener: F): void;
}

/** Visio-related fields of an event (experiment `ItemFields`). */
export interface ItemFields {
  id?: string | null;
  calendarId?: string | null;
  title: string;
  location: string;
  descriptionHTML?: string;
  descriptionText: string;
  url?: string | null;
  conference?: string | null;
  room?: string | null;
  /** Every X-VISIO-ROOM of the item's series (master, overrides, exceptions) once this item is stored. */
  seriesRooms?: string[];
  /** Access level chosen in the editor for the next room. */
  accessLevel?: string | null;
  /** Editor only: the item as stored (iCalendar), for the properties the dialog does not show. */
  icalString?: string;
  /** Editor of a series: its moved or changed occurrences (RECURRENCE-ID), as stored. */
  exceptions?: ExceptionFields[];
  /** Stored items: when the meeting carrying the room takes place (the series' for an occurrence); null without a start. */
  schedule?: RoomSchedule | null;
  /** Stored items: the event or the whole series is STATUS:CANCELLED (not one occurrence). */
  cancelled?: boolean;
  isEvent: boolean;
}

export interface ExceptionFields {
  recurrenceId: string;
  location: string;
  descriptionHTML: string;
  descriptionText: string;
  icalString: string;
}

export interface FieldChanges {
  location?: string;
  descriptionHTML?: string;
  /** '' deletes the property when the event is saved; absent leaves it (the schema turns absent into null). */
  url?: string;
  conference?: string;
  room?: string;
  /** Properties removed from the item when it is saved (never URL, CONFERENCE, X-VISIO-ROOM). */
  deleteProperties?: string[];
  /** Moved or changed occurrences rewritten when the series is saved (url, conference, room as for the series). */
  exceptions?: { recurrenceId: string; location: string; descriptionHTML: string; deleteProperties?: string[] }[];
}

export interface ViewState {
  hasRoom?: boolean;
  busy?: boolean;
  /** '' hides Join. */
  joinUrl?: string;
  message?: string;
  accessLevels?: string[];
  accessLevel?: string;
  /** Names of the foreign services "Switch to Visio" replaces ('' hides it). */
  switchFrom?: string;
}

export type ViewKind = 'editor' | 'summary';
export type ViewCommand = 'add' | 'remove' | 'join' | 'switch';

export interface OpenedView {
  id: string;
  kind: ViewKind;
  fields?: ItemFields;
}

export interface ItemChange {
  kind: 'added' | 'modified' | 'deleted';
  item: ItemFields;
  oldItem?: ItemFields;
}

export interface VisioCalendarApi {
  listViews(): Promise<{ id: string; kind: ViewKind }[]>;
  getFields(viewId: string): Promise<ItemFields>;
  setFields(viewId: string, changes: FieldChanges): Promise<void>;
  setState(viewId: string, state: ViewState): Promise<void>;
  onViewOpened: Listenable<(view: OpenedView) => void>;
  onCommand: Listenable<(viewId: string, command: ViewCommand) => void>;
  onEditorSaved: Listenable<(viewId: string, item: ItemFields) => void>;
  onViewClosed: Listenable<(viewId: string, info: { saved: boolean }) => void>;
  onItemChanged: Listenable<(change: ItemChange) => void>;
}

export interface Tab {
  id: number;
  windowId?: number;
  type?: string;
  active?: boolean;
}

export interface MessageHeader {
  id: number;
  subject: string;
}

export interface MessagePart {
  contentType?: string;
  body?: string;
  parts?: MessagePart[];
}

export interface MessageAttachment {
  contentType: string;
  name: string;
  partName: string;
  size: number;
}

export interface StorageArea {
  get(keys?: string | string[] | null): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove?(keys: string | string[]): Promise<void>;
}

export interface Messenger {
  visioCalendar: VisioCalendarApi;
  storage: {
    local: StorageArea;
    managed: Pick<StorageArea, 'get'>;
    onChanged: Listenable<(changes: Record<string, { oldValue?: unknown; newValue?: unknown }>, area: string) => void>;
  };
  i18n: {
    getMessage(name: string, substitutions?: string | string[]): string;
    getUILanguage(): string;
  };
  runtime: {
    onMessage: Listenable<(message: unknown, sender: unknown) => Promise<unknown> | undefined>;
    sendMessage(message: unknown): Promise<unknown>;
    openOptionsPage(): Promise<void>;
  };
  windows: { openDefaultBrowser(url: string): Promise<void> };
  tabs: {
    executeScript(tabId: number, details: { code: string }): Promise<unknown[]>;
    query(query: { active?: boolean; currentWindow?: boolean; lastFocusedWindow?: boolean }): Promise<Tab[]>;
    onRemoved?: Listenable<(tabId: number, info: unknown) => void>;
  };
  compose: {
    getComposeDetails(tabId: number): Promise<{ isPlainText?: boolean; subject?: string }>;
    onAfterSend?: Listenable<(tab: Tab, info: { error?: string | null; mode?: string }) => void>;
    onAfterSave?: Listenable<(tab: Tab, info: { error?: string | null; mode?: string }) => void>;
  };
  notifications?: {
    create(id: string, options: { type: 'basic'; title: string; message: string; iconUrl?: string }): Promise<string>;
  };
  composeAction: {
    onClicked: Listenable<(tab: Tab) => void>;
    setTitle(details: { title: string | null; tabId?: number }): Promise<void>;
    setBadgeText(details: { text: string | null; tabId?: number }): Promise<void>;
  };
  messageDisplay: {
    onMessagesDisplayed: Listenable<(tab: Tab, messages: MessageHeader[] | { messages: MessageHeader[] }) => void>;
    getDisplayedMessages(tabId: number): Promise<MessageHeader[] | { messages: MessageHeader[] }>;
  };
  messageDisplayAction: {
    enable(tabId?: number): Promise<void>;
    disable(tabId?: number): Promise<void>;
  };
  messages: {
    getFull(messageId: number): Promise<MessagePart>;
    listAttachments?(messageId: number): Promise<MessageAttachment[]>;
    getAttachmentFile?(messageId: number, partName: string): Promise<File>;
  };
  identity?: {
    launchWebAuthFlow(details: { url: string; interactive?: boolean }): Promise<string>;
    getRedirectURL(path?: string): string;
  };
}
