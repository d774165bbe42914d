/**
 * The add-on's background logic, independent of the real `messenger` object (tests pass a fake).
 *
 * Rooms are kept honest: a room created in an editor belongs to that editor until the event is saved
 * with it; it is released when the editor is discarded, when "Remove Visio meeting" is pressed before it
 * was ever saved, or when a saved event no longer carries it. A stored event's room (X-VISIO-ROOM) is
 * released when the event is saved without it or deleted (option). Links without X-VISIO-ROOM (written by
 * hand) are never released.
 */
import { createVisioClient, describeError, VisioApiError, type TokenSource, type VisioClient } from '@visio/shared/client';
import { addLinkToLocation, removeRoomFromLocation } from '@visio/shared/event-fields';
import { removeInvitationHtml, renderInvitation, upsertInvitationHtml } from '@visio/shared/invitation';
import { canonicalRoomUrl, findVisioLinks, type VisioLink } from '@visio/shared/links';
import { PUBLIC_INSTANCE_URL, type Lang } from '@visio/shared/types';
import type { GatewayConfig, Room } from '@visio/shared/contract';
import type { ItemChange, ItemFields, Messenger, MessagePart, OpenedView, Tab, ViewCommand } from './messenger.js';
import { readSettings, type Settings } from './settings.js';

export interface AddonOptions {
  fetch?: typeof fetch;
  /** How long a deleted event's room waits before release, to tell a move between calendars from a delete. */
  deleteGraceMs?: number;
  auth?: TokenSource;
}

interface EditorRecord {
  kind: 'editor' | 'summary';
  /** The room the stored event carries (X-VISIO-ROOM when opened, then after each save). */
  storedRoom: string | null;
  /** Rooms created in this editor and not saved yet. */
  created: Set<string>;
  busy: boolean;
}

/** Separator put between an existing location and the link. */
const LOCATION_SEPARATOR = ' – ';

export class VisioAddon {
  private readonly views = new Map<string, EditorRecord>();
  private readonly released = new Set<string>();
  private readonly recentlyStored = new Map<string, number>();
  private readonly tabLinks = new Map<number, VisioLink[]>();
  private configCache: { gatewayUrl: string; config: Promise<GatewayConfig> } | null = null;
  private readonly pending = new Set<Promise<unknown>>();
  private counter = 0;

  constructor(
    private readonly messenger: Messenger,
    private readonly options: AddonOptions = {},
  ) {}

  /** Registers every listener. */
  start(): void {
    const m = this.messenger;
    const track = <T>(p: Promise<T>) => {
      this.pending.add(p);
      void p.finally(() => this.pending.delete(p)).catch((error: unknown) => console.warn(`Visio: ${String(error)}`));
      return p;
    };
    m.visioCalendar.onViewOpened.addListener((view) => void track(this.onViewOpened(view)));
    m.visioCalendar.onCommand.addListener((id, command) => void track(this.onCommand(id, command)));
    m.visioCalendar.onEditorSaved.addListener((id, item) => void track(this.onEditorSaved(id, item)));
    m.visioCalendar.onViewClosed.addListener((id, info) => void track(this.onViewClosed(id, info)));
    m.visioCalendar.onItemChanged.addListener((change) => void track(this.onItemChanged(change)));
    m.composeAction.onClicked.addListener((tab) => void track(this.insertIntoCompose(tab)));
    m.messageDisplay.onMessagesDisplayed.addListener((tab, messages) => void track(this.onMessagesDisplayed(tab, messages)));
    m.runtime.onMessage.addListener((message) => this.onRuntimeMessage(message));
    m.storage.onChanged.addListener(() => (this.configCache = null));
    // Editors opened before the background started (add-on installed or updated while they were open).
    void track(
      m.visioCalendar.listViews().then(async (views) => {
        for (const v of views) if (!this.views.has(v.id)) await this.onViewOpened({ ...v, fields: await m.visioCalendar.getFields(v.id) });
      }),
    );
  }

  /** Resolves when every started task has finished (tests). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  // -------------------------------------------------------------------------------------------------
  // Gateway

  private async settings(): Promise<Settings> {
    return readSettings(this.messenger);
  }

  private async client(): Promise<{ client: VisioClient; settings: Settings; config: GatewayConfig }> {
    const settings = await this.settings();
    if (!settings.gatewayUrl) throw new AddonError('errorNoGateway');
    const client = createVisioClient({
      baseUrl: settings.gatewayUrl,
      clientName: 'thunderbird',
      ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
      ...(this.options.auth ? { auth: this.options.auth } : {}),
    });
    if (!this.configCache || this.configCache.gatewayUrl !== settings.gatewayUrl) {
      const config = client.getConfig();
      this.configCache = { gatewayUrl: settings.gatewayUrl, config };
      config.catch(() => (this.configCache = null));
    }
    return { client, settings, config: await this.configCache.config };
  }

  /** Instance whose links are recognised: the option, else the gateway's, else the public instance. */
  private async instanceUrl(): Promise<string> {
    const settings = await this.settings();
    if (settings.instanceUrl) return settings.instanceUrl;
    if (settings.gatewayUrl) {
      try {
        return (await this.client()).config.instanceUrl;
      } catch {
        // Gateway unreachable: links of the public instance are still recognised.
      }
    }
    return PUBLIC_INSTANCE_URL;
  }

  private message(error: unknown, lang: Lang): string {
    if (error instanceof AddonError) return this.messenger.i18n.getMessage(error.key);
    return describeError(error, lang);
  }

  async releaseRoom(code: string): Promise<void> {
    if (this.released.has(code)) return;
    this.released.add(code);
    try {
      const { client } = await this.client();
      await client.deleteRoom(code);
    } catch (error) {
      // Already gone is fine; anything else may be retried by a later event.
      if (!(error instanceof VisioApiError && error.status === 404)) {
        this.released.delete(code);
        console.warn(`Visio: could not release room ${code}: ${describeError(error, 'en')}`);
      }
    }
  }

  // -------------------------------------------------------------------------------------------------
  // Event editors and summaries

  private async linksOf(fields: ItemFields): Promise<VisioLink[]> {
    const instance = await this.instanceUrl();
    const text = [fields.url ?? '', fields.conference ?? '', fields.location, fields.descriptionText, fields.descriptionHTML ?? ''].join('\n');
    return findVisioLinks(text, instance);
  }

  async onViewOpened(view: OpenedView): Promise<void> {
    const fields = view.fields ?? (await this.messenger.visioCalendar.getFields(view.id));
    this.views.set(view.id, { kind: view.kind, storedRoom: fields.room ?? null, created: new Set(), busy: false });
    const links = await this.linksOf(fields);
    await this.messenger.visioCalendar.setState(view.id, { hasRoom: Boolean(fields.room), joinUrl: links[0]?.url ?? null });
  }

  async onCommand(viewId: string, command: ViewCommand): Promise<void> {
    const record = this.views.get(viewId);
    if (!record) return;
    if (command === 'join') return this.join(viewId);
    if (record.busy || record.kind !== 'editor') return;
    record.busy = true;
    try {
      if (command === 'add') await this.addMeeting(viewId, record);
      else await this.removeMeeting(viewId, record);
    } finally {
      record.busy = false;
    }
  }

  private async join(viewId: string): Promise<void> {
    const links = await this.linksOf(await this.messenger.visioCalendar.getFields(viewId));
    if (links[0]) await this.messenger.windows.openDefaultBrowser(links[0].url);
  }

  private async addMeeting(viewId: string, record: EditorRecord): Promise<void> {
    const cal = this.messenger.visioCalendar;
    const { lang } = await this.settings();
    await cal.setState(viewId, { busy: true, message: this.messenger.i18n.getMessage('editorCreating') });
    let room: Room;
    let fields: ItemFields;
    let config: GatewayConfig;
    try {
      fields = await cal.getFields(viewId);
      const ctx = await this.client();
      config = ctx.config;
      const title = oneLine(fields.title).slice(0, 255);
      room = await ctx.client.createRoom(
        { ...(title ? { title } : {}), ...(fields.id ? { eventUid: fields.id } : {}) },
        { idempotencyKey: `thunderbird-${viewId}-${Date.now()}-${this.counter++}` },
      );
    } catch (error) {
      await cal.setState(viewId, { busy: false, message: this.message(error, lang) });
      return;
    }
    this.released.delete(room.code);
    // Closed while the room was being created: nobody will ever see this room.
    if (this.views.get(viewId) !== record) return this.releaseRoom(room.code);
    record.created.add(room.code);
    const invitation = renderInvitation({ room, lang, instanceName: config.instanceName, ...(fields.title ? { title: fields.title } : {}) });
    const urlIsFree = !fields.url || (await this.linksOf({ ...fields, location: '', descriptionText: '', descriptionHTML: '', conference: null })).length > 0;
    try {
      await cal.setFields(viewId, {
        location: addToLocation(fields.location, room.url),
        descriptionHTML: upsertInvitationHtml(fields.descriptionHTML ?? '', invitation.html),
        ...(urlIsFree ? { url: room.url } : {}),
        conference: room.url,
        room: room.code,
      });
    } catch (error) {
      // The editor went away between the two calls.
      record.created.delete(room.code);
      await this.releaseRoom(room.code);
      throw error;
    }
    await cal.setState(viewId, { busy: false, hasRoom: true, joinUrl: room.url, message: this.messenger.i18n.getMessage('editorAdded') });
  }

  private async removeMeeting(viewId: string, record: EditorRecord): Promise<void> {
    const cal = this.messenger.visioCalendar;
    const fields = await cal.getFields(viewId);
    const code = fields.room;
    if (!code) return;
    const instance = await this.instanceUrl();
    let roomUrl: string;
    try {
      roomUrl = canonicalRoomUrl(instance, code);
    } catch {
      roomUrl = '';
    }
    const isOurs = (value: string | null | undefined) => Boolean(value) && findVisioLinks(value!, instance).some((l) => l.code === code);
    await cal.setFields(viewId, {
      location: removeFromLocation(fields.location, code, instance),
      descriptionHTML: removeInvitationHtml(fields.descriptionHTML ?? ''),
      ...(isOurs(fields.url) ? { url: null } : {}),
      conference: null,
      room: null,
    });
    const remaining = (await this.linksOf(await cal.getFields(viewId))).filter((l) => l.url !== roomUrl);
    await cal.setState(viewId, { hasRoom: false, joinUrl: remaining[0]?.url ?? null, message: this.messenger.i18n.getMessage('editorRemoved') });
    // Never saved with this event: nobody else can know it.
    if (record.created.delete(code)) await this.releaseRoom(code);
  }

  async onEditorSaved(viewId: string, item: ItemFields): Promise<void> {
    const record = this.views.get(viewId);
    if (!record) return;
    const saved = item.room ?? null;
    if (saved) this.recentlyStored.set(saved, Date.now());
    const stale = [record.storedRoom, ...record.created].filter((r): r is string => r !== null && r !== saved);
    record.storedRoom = saved;
    record.created.clear();
    for (const code of stale) await this.releaseRoom(code);
  }

  async onViewClosed(viewId: string, _info: { saved: boolean }): Promise<void> {
    const record = this.views.get(viewId);
    this.views.delete(viewId);
    if (!record) return;
    // Rooms added since the last save were discarded with the editor.
    for (const code of record.created) await this.releaseRoom(code);
  }

  async onItemChanged(change: ItemChange): Promise<void> {
    const room = change.item.room;
    if (!room) return;
    if (change.kind !== 'deleted') {
      this.recentlyStored.set(room, Date.now());
      return;
    }
    const { releaseOnDelete } = await this.settings();
    if (!releaseOnDelete) return;
    const deletedAt = Date.now();
    const grace = this.options.deleteGraceMs ?? 1500;
    if (grace > 0) await new Promise((r) => setTimeout(r, grace));
    // Moved to another calendar (added there around the same time) or still open in an editor: keep it.
    const storedAt = this.recentlyStored.get(room);
    if (storedAt !== undefined && storedAt >= deletedAt - 1000) return;
    for (const record of this.views.values()) if (record.storedRoom === room || record.created.has(room)) return;
    await this.releaseRoom(room);
  }

  // -------------------------------------------------------------------------------------------------
  // Mail: links in displayed messages, invitation block in compose windows

  async onMessagesDisplayed(tab: Tab, messages: { id: number }[] | { messages: { id: number }[] }): Promise<void> {
    const list = Array.isArray(messages) ? messages : messages.messages;
    const links: VisioLink[] = [];
    const instance = await this.instanceUrl();
    for (const message of list.slice(0, 10)) {
      try {
        const full = await this.messenger.messages.getFull(message.id);
        for (const link of findVisioLinks(textParts(full).join('\n'), instance)) if (!links.some((l) => l.code === link.code)) links.push(link);
      } catch (error) {
        console.warn(`Visio: cannot read message ${message.id}: ${String(error)}`);
      }
    }
    this.tabLinks.set(tab.id, links);
    if (links.length > 0) await this.messenger.messageDisplayAction.enable(tab.id);
    else await this.messenger.messageDisplayAction.disable(tab.id);
  }

  linksForTab(tabId: number): VisioLink[] {
    return this.tabLinks.get(tabId) ?? [];
  }

  async insertIntoCompose(tab: Tab): Promise<void> {
    const m = this.messenger;
    const { lang } = await this.settings();
    try {
      await m.composeAction.setBadgeText({ text: '…', tabId: tab.id });
      const details = await m.compose.getComposeDetails(tab.id);
      const { client, config } = await this.client();
      const title = oneLine(details.subject ?? '').slice(0, 255);
      const room = await client.createRoom(title ? { title } : {}, { idempotencyKey: `thunderbird-compose-${tab.id}-${Date.now()}-${this.counter++}` });
      const invitation = renderInvitation({ room, lang, instanceName: config.instanceName, ...(title ? { title } : {}) });
      // Inserted at the cursor by the editor itself, so undo and the caret behave as for typed text.
      const code = details.isPlainText
        ? `document.execCommand("insertText", false, ${JSON.stringify(`\n${invitation.text}\n`)});`
        : `document.execCommand("insertHTML", false, ${JSON.stringify(invitation.html)});`;
      await m.tabs.executeScript(tab.id, { code });
      await m.composeAction.setBadgeText({ text: null, tabId: tab.id });
      await m.composeAction.setTitle({ title: null, tabId: tab.id });
    } catch (error) {
      await m.composeAction.setBadgeText({ text: '!', tabId: tab.id });
      await m.composeAction.setTitle({ title: this.message(error, lang), tabId: tab.id });
    }
  }

  // -------------------------------------------------------------------------------------------------
  // Pages (options, popup)

  onRuntimeMessage(message: unknown): Promise<unknown> | undefined {
    if (!message || typeof message !== 'object') return undefined;
    const msg = message as { type?: unknown; tabId?: unknown; url?: unknown };
    switch (msg.type) {
      case 'message-links':
        return Promise.resolve(typeof msg.tabId === 'number' ? this.linksForTab(msg.tabId).map((l) => ({ code: l.code, url: l.url })) : []);
      case 'open-link': {
        // Only a link found in a displayed message: the popup cannot be used to open anything else.
        const known = [...this.tabLinks.values()].flat().find((l) => l.url === msg.url);
        return known ? this.messenger.windows.openDefaultBrowser(known.url).then(() => true) : Promise.resolve(false);
      }
      case 'check-gateway':
        return this.client().then(
          ({ config }) => ({ ok: true, instanceName: config.instanceName, instanceUrl: config.instanceUrl, authMode: config.auth.mode }),
          async (error: unknown) => ({ ok: false, message: this.message(error, (await this.settings()).lang) }),
        );
      default:
        return undefined;
    }
  }
}

export class AddonError extends Error {
  constructor(readonly key: string) {
    super(key);
  }
}

function oneLine(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
}

/** The link after the place, with the separator the add-on has always written (any client's is recognised). */
export function addToLocation(location: string, url: string): string {
  return addLinkToLocation(location.trim(), url, { separator: LOCATION_SEPARATOR });
}

/** Takes the room's link (any form) out of the location, with the separator any client put next to it. */
export function removeFromLocation(location: string, code: string, instanceUrl: string): string {
  return removeRoomFromLocation(location, instanceUrl, new Set([code]));
}

/** Every text/plain and text/html body of a message. */
export function textParts(part: MessagePart): string[] {
  const out: string[] = [];
  const walk = (p: MessagePart) => {
    const type = (p.contentType ?? '').toLowerCase();
    if (typeof p.body === 'string' && (type.startsWith('text/') || type === '')) out.push(p.body);
    for (const child of p.parts ?? []) walk(child);
  };
  walk(part);
  return out;
}
