/**
 * The add-on's background logic, independent of the real `messenger` object (tests pass a fake).
 *
 * Rooms are kept honest: a room created in an editor belongs to that editor until the event is saved
 * with it; it is released when the editor is discarded, when "Remove Visio meeting" is pressed before it
 * was ever saved, or when a saved event no longer carries it. A stored event's room (X-VISIO-ROOM) is
 * released when the event is saved without it or deleted (option), and only when no item of its series
 * (master, overrides, exceptions) still carries it. Links without X-VISIO-ROOM (written by hand) are never
 * released. A room not saved or sent yet is also recorded in storage (ReleaseQueue) so that a window that
 * ends without saving, or a Thunderbird that stops, leaves nothing behind after the next start.
 * A saved event's room is told when its meeting takes place (its schedule: on save, and when the stored
 * event is moved or its series changes), so that the gateway keeps it open while the meeting lives and
 * ends it once the meeting is long over (ScheduleQueue keeps what the gateway has not been told yet).
 */
import { createVisioClient, describeError, VisioApiError, type TokenSource, type VisioClient } from '@visio/shared/client';
import { addLinkToLocation, removeRoomFromLocation } from '@visio/shared/event-fields';
import { removeInvitationHtml, renderInvitation, upsertInvitationHtml } from '@visio/shared/invitation';
import { escapeHtml } from '@visio/shared/html';
import { canonicalRoomUrl, findVisioLinks, type VisioLink } from '@visio/shared/links';
import { PUBLIC_INSTANCE_URL, type Lang } from '@visio/shared/types';
import type { GatewayConfig, Room, RoomSchedule } from '@visio/shared/contract';
import type { ItemChange, ItemFields, Messenger, MessagePart, OpenedView, Tab, ViewCommand } from './messenger.js';
import { ReleaseQueue } from './release-queue.js';
import { sameSchedule, ScheduleQueue } from './schedule-queue.js';
import { foreignCleanup } from './foreign-switch.js';
import { FOREIGN_PROVIDER_NAMES, type ForeignProvider } from '@visio/shared/foreign-meetings';
import { readPolicy, readSettings, type Settings } from './settings.js';

export interface AddonOptions {
  fetch?: typeof fetch;
  /** How long a deleted event's room waits before release, to tell a move between calendars from a delete. */
  deleteGraceMs?: number;
  auth?: TokenSource;
  /** Delay before the stored unsaved rooms are tried again when the gateway could not be reached. */
  retryMs?: number;
}

interface EditorRecord {
  kind: 'editor' | 'summary';
  /** The room the stored event carries (X-VISIO-ROOM when opened, then after each save). */
  storedRoom: string | null;
  /** Rooms created in this editor and not saved yet. */
  created: Set<string>;
  busy: boolean;
}

/** Answers to a schedule that another try would not change (not the agent's room, ended, refused). */
const FINAL_SCHEDULE_REFUSALS = new Set([400, 404, 409, 410, 422]);

/** Separator put between an existing location and the link. */
const LOCATION_SEPARATOR = ' – ';

export class VisioAddon {
  private readonly views = new Map<string, EditorRecord>();
  private readonly released = new Set<string>();
  /** When and in which calendar each room was last stored (a delete right after an add elsewhere is a move). */
  private readonly recentlyStored = new Map<string, { at: number; calendarId: string | null }>();
  private readonly tabLinks = new Map<number, VisioLink[]>();
  private configCache: { gatewayUrl: string; config: Promise<GatewayConfig> } | null = null;
  private readonly pending = new Set<Promise<unknown>>();
  /** Rooms inserted in each compose window and not sent or saved in a draft yet. */
  private readonly composeRooms = new Map<number, Set<string>>();
  private readonly queue: ReleaseQueue;
  private readonly schedules: ScheduleQueue;
  /** The schedule each room was last given in this session (nothing is sent twice). */
  private readonly sentSchedules = new Map<string, RoomSchedule>();
  /** Schedules are sent one after the other, so the gateway keeps the latest. */
  private scheduleChain: Promise<unknown> = Promise.resolve();
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private counter = 0;

  constructor(
    private readonly messenger: Messenger,
    private readonly options: AddonOptions = {},
  ) {
    this.queue = new ReleaseQueue(messenger.storage.local);
    this.schedules = new ScheduleQueue(messenger.storage.local);
  }

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
    m.compose.onAfterSend?.addListener((tab, info) => void track(this.onComposeKept(tab, !info?.error)));
    m.compose.onAfterSave?.addListener((tab, info) => void track(this.onComposeKept(tab, !info?.error)));
    m.tabs.onRemoved?.addListener((tabId) => void track(this.onComposeClosed(tabId)));
    m.messageDisplay.onMessagesDisplayed.addListener((tab, messages) => void track(this.onMessagesDisplayed(tab, messages)));
    m.runtime.onMessage.addListener((message) => this.onRuntimeMessage(message));
    m.storage.onChanged.addListener(() => (this.configCache = null));
    // Told to the agent in the options and the editor; logged for the administrator.
    void track(
      readPolicy(m).then(({ invalid }) => {
        for (const [key, value] of Object.entries(invalid)) console.warn(`Visio: policy value ${key} set by the administrator is invalid and not used: ${value}`);
      }),
    );
    // Editors opened before the background started (add-on installed or updated while they were open),
    // then the rooms a previous session left unsaved, except those such an editor still shows.
    void track(
      m.visioCalendar.listViews().then(async (views) => {
        const open = new Set<string>();
        for (const v of views) {
          if (this.views.has(v.id)) continue;
          const fields = await m.visioCalendar.getFields(v.id);
          await this.onViewOpened({ ...v, fields });
          const record = this.views.get(v.id);
          if (fields.room && record && fields.room !== record.storedRoom) record.created.add(fields.room);
          if (fields.room) open.add(fields.room);
        }
        await this.drainQueue(open);
      }),
    );
  }

  /**
   * Releases the stored unsaved rooms (not those in `keep`) and sends the schedules the gateway was not
   * told yet; tries again later if some could not be.
   */
  async drainQueue(keep: Set<string> = new Set()): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const inUse = (code: string) => keep.has(code) || [...this.views.values()].some((r) => r.created.has(code)) || [...this.composeRooms.values()].some((s) => s.has(code));
    let failed = false;
    for (const code of await this.queue.codes()) {
      if (inUse(code)) continue;
      this.released.delete(code);
      if (!(await this.releaseRoom(code))) failed = true;
    }
    for (const [code] of await this.schedules.entries()) {
      if (!(await this.sendSchedule(code, undefined, { retry: false }))) failed = true;
    }
    if (failed) this.scheduleRetry(keep);
  }

  private scheduleRetry(keep: Set<string> = new Set()): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => void this.drainQueue(keep), this.options.retryMs ?? 60_000);
    (this.retryTimer as { unref?: () => void }).unref?.();
  }

  /** Stops the retry timer (tests). */
  stop(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
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
    if (!settings.gatewayUrl) {
      const invalid = settings.invalidManaged.gatewayUrl;
      throw invalid === undefined ? new AddonError('errorNoGateway') : new AddonError('errorGatewayPolicyInvalid', [invalid]);
    }
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
    if (error instanceof AddonError) return this.messenger.i18n.getMessage(error.key, error.substitutions);
    return describeError(error, lang);
  }

  /** Deletes the room on the gateway; true when it is gone (a stored unsaved record is then dropped). */
  async releaseRoom(code: string): Promise<boolean> {
    if (this.released.has(code)) return true;
    this.released.add(code);
    try {
      const { client } = await this.client();
      await client.deleteRoom(code);
    } catch (error) {
      // Already gone is fine; anything else is retried (stored unsaved rooms) or by a later event.
      if (!(error instanceof VisioApiError && error.status === 404)) {
        this.released.delete(code);
        console.warn(`Visio: could not release room ${code}: ${describeError(error, 'en')}`);
        // A room still recorded as unsaved (closed editor or compose window) is tried again later.
        this.scheduleRetry();
        return false;
      }
    }
    await this.queue.forget([code]);
    await this.schedules.forget(code);
    return true;
  }

  /**
   * Tells the gateway when the room's meeting takes place (`PUT /v1/rooms/{code}/schedule`, idempotent).
   * Recorded first and kept until the gateway took it: true once it did, or refused it for good (another
   * agent's room, an ended room, a schedule it does not accept); false when it must be tried again.
   * Without `value`, the one storage holds for the room (sent again), read in turn so it is never stale.
   */
  sendSchedule(code: string, value?: RoomSchedule, options: { retry?: boolean } = {}): Promise<boolean> {
    const run = this.scheduleChain.then(async () => {
      const schedule = value ?? (await this.schedules.get(code));
      if (!schedule) return true;
      if (sameSchedule(this.sentSchedules.get(code), schedule)) return this.schedules.forget(code, schedule).then(() => true);
      if (value) await this.schedules.put(code, schedule);
      try {
        const { client } = await this.client();
        await client.setRoomSchedule(code, schedule).catch((error: unknown) => {
          // A zone the gateway does not know (an imported event's own TZID): the instants are absolute, UTC says the same.
          if (error instanceof VisioApiError && error.status === 400 && schedule.timeZone !== 'UTC') return client.setRoomSchedule(code, { ...schedule, timeZone: 'UTC' });
          throw error;
        });
        this.sentSchedules.set(code, schedule);
      } catch (error) {
        if (!(error instanceof VisioApiError && FINAL_SCHEDULE_REFUSALS.has(error.status))) {
          console.warn(`Visio: could not send the schedule of room ${code}: ${describeError(error, 'en')}`);
          if (options.retry !== false) this.scheduleRetry();
          return false;
        }
        // An invitation's room (another agent's), a room ended meanwhile: nothing to keep in step.
        console.warn(`Visio: the gateway refused the schedule of room ${code}: ${describeError(error, 'en')}`);
      }
      await this.schedules.forget(code, schedule);
      return true;
    });
    this.scheduleChain = run.catch(() => undefined);
    return run;
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
    await this.messenger.visioCalendar.setState(view.id, { hasRoom: Boolean(fields.room), joinUrl: links[0]?.url ?? '', switchFrom: view.kind === 'editor' ? switchOffer(fields) : '' });
    if (view.kind === 'editor') await this.offerAccessLevels(view.id);
  }

  /** The gateway's access levels, its default preselected (nothing shown when it cannot be reached). */
  private async offerAccessLevels(viewId: string): Promise<void> {
    let config: GatewayConfig;
    try {
      config = (await this.client()).config;
    } catch {
      return;
    }
    if (!this.views.has(viewId)) return;
    await this.messenger.visioCalendar.setState(viewId, { accessLevels: config.accessLevels, accessLevel: config.defaultAccessLevel }).catch(() => undefined);
  }

  async onCommand(viewId: string, command: ViewCommand): Promise<void> {
    const record = this.views.get(viewId);
    if (!record) return;
    if (command === 'join') return this.join(viewId);
    if (record.busy || record.kind !== 'editor') return;
    record.busy = true;
    try {
      if (command === 'add' || command === 'switch') await this.addMeeting(viewId, record, command === 'switch');
      else await this.removeMeeting(viewId, record);
    } catch (error) {
      // Whatever failed, the buttons come back (the editor may also have closed meanwhile).
      console.warn(`Visio: ${command} failed: ${String(error)}`);
      const { lang } = await this.settings();
      await this.messenger.visioCalendar.setState(viewId, { busy: false, message: this.message(error, lang) }).catch(() => undefined);
    } finally {
      record.busy = false;
    }
  }

  private async join(viewId: string): Promise<void> {
    const links = await this.linksOf(await this.messenger.visioCalendar.getFields(viewId));
    if (links[0]) await this.messenger.windows.openDefaultBrowser(links[0].url);
  }

  /**
   * Add, or Switch (`switching`): the same room handling, the foreign meetings' spans taken out of the
   * location and description in the same all-or-nothing fill.
   */
  private async addMeeting(viewId: string, record: EditorRecord, switching = false): Promise<void> {
    const cal = this.messenger.visioCalendar;
    const { lang } = await this.settings();
    await cal.setState(viewId, { busy: true, message: this.messenger.i18n.getMessage('editorCreating') });
    let room: Room;
    let fields: ItemFields;
    let config: GatewayConfig;
    let providers: ForeignProvider[] = [];
    let deleteProperties: string[] = [];
    let exceptions: ReturnType<typeof cleanExceptions> = [];
    try {
      fields = await cal.getFields(viewId);
      if (switching) {
        const cleanup = foreignCleanup(fields);
        exceptions = cleanExceptions(fields);
        providers = [...cleanup.providers];
        for (const e of exceptions) for (const p of e.providers) if (!providers.includes(p)) providers.push(p);
        if (providers.length === 0) {
          await cal.setState(viewId, { busy: false, switchFrom: '', message: this.messenger.i18n.getMessage('editorNothingToSwitch') });
          return;
        }
        fields = { ...fields, location: cleanup.location, descriptionHTML: cleanup.descriptionHTML };
        deleteProperties = cleanup.deleteProperties;
      }
      const ctx = await this.client();
      config = ctx.config;
      const title = oneLine(fields.title).slice(0, 255);
      const accessLevel = config.accessLevels.find((level) => level === fields.accessLevel);
      room = await ctx.client.createRoom(
        { ...(title ? { title } : {}), ...(fields.id ? { eventUid: fields.id } : {}), ...(accessLevel ? { accessLevel } : {}) },
        { idempotencyKey: `thunderbird-${viewId}-${Date.now()}-${this.counter++}` },
      );
    } catch (error) {
      await cal.setState(viewId, { busy: false, message: this.message(error, lang) });
      return;
    }
    this.released.delete(room.code);
    // Recorded before the link is shown: if Thunderbird stops from here on, the next start releases it.
    await this.queue.hold(room.code, 'editor');
    // Closed while the room was being created: nobody will ever see this room.
    if (this.views.get(viewId) !== record) {
      await this.releaseRoom(room.code);
      return;
    }
    record.created.add(room.code);
    const invitation = renderInvitation({ room, lang, instanceName: config.instanceName, ...(fields.title ? { title: fields.title } : {}) });
    const urlIsFree =
      !fields.url ||
      (await this.linksOf({ ...fields, location: '', descriptionText: '', descriptionHTML: '', conference: null })).length > 0 ||
      (switching && foreignCleanup({ location: fields.url, descriptionText: '' }).providers.length > 0);
    try {
      await cal.setFields(viewId, {
        location: addToLocation(fields.location, room.url),
        descriptionHTML: upsertInvitationHtml(fields.descriptionHTML ?? '', invitation.html),
        ...(urlIsFree ? { url: room.url } : {}),
        conference: room.url,
        room: room.code,
        ...(deleteProperties.length ? { deleteProperties } : {}),
        // A series' moved occurrences: their own foreign meeting out, the same room in.
        ...(exceptions.length
          ? {
              exceptions: exceptions.map((e) => ({
                recurrenceId: e.recurrenceId,
                location: addToLocation(e.location, room.url),
                descriptionHTML: upsertInvitationHtml(e.descriptionHTML, invitation.html),
                deleteProperties: e.deleteProperties,
              })),
            }
          : {}),
      });
    } catch (error) {
      // The editor put its fields back (one step, all or nothing) or went away: the room is not wanted.
      console.warn(`Visio: could not fill the editor: ${String(error)}`);
      record.created.delete(room.code);
      await this.releaseRoom(room.code);
      if (this.views.get(viewId) === record) await cal.setState(viewId, { busy: false, message: this.messenger.i18n.getMessage('editorFillFailed') });
      return;
    }
    await cal.setState(viewId, { busy: false, hasRoom: true, joinUrl: room.url, switchFrom: '', message: switching ? this.switchedMessage(providers) : this.messenger.i18n.getMessage('editorAdded') });
  }

  /** Who gets the update, and for Teams and Zoom that the old meeting lives on until its owner deletes it. */
  private switchedMessage(providers: ForeignProvider[]): string {
    const i18n = this.messenger.i18n;
    const names = providers.map((p) => FOREIGN_PROVIDER_NAMES[p]).join(', ');
    const parts = [i18n.getMessage('editorSwitched', [names])];
    for (const p of providers) if (p === 'teams' || p === 'zoom') parts.push(i18n.getMessage('editorSwitchedOldMeeting', [FOREIGN_PROVIDER_NAMES[p]]));
    return parts.join(' ');
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
      ...(isOurs(fields.url) ? { url: '' } : {}),
      conference: '',
      room: '',
    });
    const after = await cal.getFields(viewId);
    const remaining = (await this.linksOf(after)).filter((l) => l.url !== roomUrl);
    await cal.setState(viewId, { hasRoom: false, joinUrl: remaining[0]?.url ?? '', switchFrom: switchOffer(after), message: this.messenger.i18n.getMessage('editorRemoved') });
    // Never saved with this event: nobody else can know it.
    if (record.created.delete(code)) await this.releaseRoom(code);
  }

  async onEditorSaved(viewId: string, item: ItemFields): Promise<void> {
    const record = this.views.get(viewId);
    if (!record) return;
    const saved = item.room ?? null;
    if (saved) this.recentlyStored.set(saved, { at: Date.now(), calendarId: item.calendarId ?? null });
    // The event (or series) saved as cancelled: its room ends as when it is deleted (same option).
    const cancelled = Boolean(item.cancelled && saved) && (await this.settings()).releaseOnDelete;
    // A room another item of the series still carries (one occurrence edited) stays.
    const kept = new Set(cancelled ? [] : [saved, ...(item.seriesRooms ?? [])]);
    const stale = [...new Set([record.storedRoom, ...record.created, ...(cancelled ? [saved] : [])])].filter((r): r is string => r !== null && !kept.has(r));
    record.storedRoom = saved;
    record.created.clear();
    if (saved) await this.queue.forget([saved]);
    for (const code of stale) await this.releaseRoom(code);
    if (saved && item.schedule && !cancelled) await this.sendSchedule(saved, item.schedule);
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
      this.recentlyStored.set(room, { at: Date.now(), calendarId: change.item.calendarId ?? null });
      // Cancelled outside an editor (a sync, another program): as a delete.
      if (change.kind === 'modified' && change.item.cancelled && !change.oldItem?.cancelled) {
        if ((await this.settings()).releaseOnDelete) await this.releaseRoom(room);
        return;
      }
      // Moved (in the calendar view, by a sync, by another editor) or its series changed: the room follows.
      const schedule = change.item.schedule;
      if (change.kind === 'modified' && schedule && (change.oldItem?.room !== room || !sameSchedule(change.oldItem.schedule, schedule))) await this.sendSchedule(room, schedule);
      return;
    }
    const { releaseOnDelete } = await this.settings();
    if (!releaseOnDelete) return;
    const deletedAt = Date.now();
    const grace = this.options.deleteGraceMs ?? 1500;
    if (grace > 0) await new Promise((r) => setTimeout(r, grace));
    // Moved to another calendar (added there around the same time) or still open in an editor: keep it.
    // Stored in the calendar it is deleted from (saved, then deleted at once) is no move.
    const stored = this.recentlyStored.get(room);
    if (stored !== undefined && stored.at >= deletedAt - 1000 && stored.calendarId !== (change.item.calendarId ?? null)) return;
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
        const texts = [...textParts(full), ...(await this.calendarAttachments(message.id))];
        for (const link of findVisioLinks(texts.join('\n'), instance)) if (!links.some((l) => l.code === link.code)) links.push(link);
      } catch (error) {
        console.warn(`Visio: cannot read message ${message.id}: ${String(error)}`);
      }
    }
    this.tabLinks.set(tab.id, links);
    if (links.length > 0) await this.messenger.messageDisplayAction.enable(tab.id);
    else await this.messenger.messageDisplayAction.disable(tab.id);
  }

  /**
   * Invitations (iMIP) whose text/calendar part is an attachment (getFull gives attachments no body):
   * the .ics files of the message, read as text, each bounded in size.
   */
  private async calendarAttachments(messageId: number): Promise<string[]> {
    const api = this.messenger.messages;
    if (!api.listAttachments || !api.getAttachmentFile) return [];
    const out: string[] = [];
    for (const a of (await api.listAttachments(messageId)).slice(0, 10)) {
      if (!isCalendarAttachment(a) || a.size > MAX_CALENDAR_BYTES) continue;
      const file = await api.getAttachmentFile(messageId, a.partName);
      if (file.size <= MAX_CALENDAR_BYTES) out.push(await file.text());
    }
    return out;
  }

  linksForTab(tabId: number): VisioLink[] {
    return this.tabLinks.get(tabId) ?? [];
  }

  async insertIntoCompose(tab: Tab): Promise<void> {
    const m = this.messenger;
    const { lang } = await this.settings();
    let created: string | null = null;
    try {
      await m.composeAction.setBadgeText({ text: '…', tabId: tab.id });
      const details = await m.compose.getComposeDetails(tab.id);
      const { client, config } = await this.client();
      const title = oneLine(details.subject ?? '').slice(0, 255);
      const room = await client.createRoom(title ? { title } : {}, { idempotencyKey: `thunderbird-compose-${tab.id}-${Date.now()}-${this.counter++}` });
      created = room.code;
      this.released.delete(room.code);
      // Recorded before the block is inserted: closed unsent (or Thunderbird stopped), it is released.
      await this.queue.hold(room.code, 'compose');
      const rooms = this.composeRooms.get(tab.id) ?? new Set<string>();
      rooms.add(room.code);
      this.composeRooms.set(tab.id, rooms);
      const invitation = renderInvitation({ room, lang, instanceName: config.instanceName, ...(title ? { title } : {}) });
      // Inserted at the cursor by the editor itself, so undo and the caret behave as for typed text.
      const code = details.isPlainText
        ? `document.execCommand("insertText", false, ${JSON.stringify(`\n${invitation.text}\n`)});`
        : `document.execCommand("insertHTML", false, ${JSON.stringify(invitation.html)});`;
      await m.tabs.executeScript(tab.id, { code });
      await m.composeAction.setBadgeText({ text: null, tabId: tab.id });
    } catch (error) {
      if (created) {
        this.composeRooms.get(tab.id)?.delete(created);
        await this.releaseRoom(created);
      }
      // A notification, not the button's label: the toolbar keeps its size and "Send" its text.
      await m.composeAction.setBadgeText({ text: '!', tabId: tab.id });
      await m.notifications
        ?.create(`visio-compose-${tab.id}`, { type: 'basic', title: m.i18n.getMessage('composeErrorTitle'), message: this.message(error, lang), iconUrl: 'icons/visio.svg' })
        .catch((e: unknown) => console.warn(`Visio: ${String(e)}`));
    }
  }

  /** Sent, or saved as a draft or template: the rooms it carries are the message's now. */
  async onComposeKept(tab: Tab, ok: boolean): Promise<void> {
    const rooms = this.composeRooms.get(tab.id);
    if (!ok || !rooms) return;
    this.composeRooms.delete(tab.id);
    await this.queue.forget(rooms);
  }

  /** A compose window closed without sending or saving: its rooms are released. */
  async onComposeClosed(tabId: number): Promise<void> {
    const rooms = this.composeRooms.get(tabId);
    if (!rooms) return;
    this.composeRooms.delete(tabId);
    for (const code of rooms) await this.releaseRoom(code);
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
  constructor(
    readonly key: string,
    readonly substitutions?: string[],
  ) {
    super(key);
  }
}

/** A series' moved or changed occurrences without their foreign meetings (each read on its own). */
function cleanExceptions(fields: ItemFields) {
  return (fields.exceptions ?? []).map((e) => {
    // An occurrence stored with a text description only: its text as HTML lines, as the editor shows it.
    const descriptionHTML = e.descriptionHTML || escapeHtml(e.descriptionText).replace(/\r?\n/g, '<br>');
    const cleanup = foreignCleanup({ location: e.location, descriptionHTML, descriptionText: e.descriptionText, icalString: e.icalString });
    return { recurrenceId: e.recurrenceId, providers: cleanup.providers, location: cleanup.location, descriptionHTML: cleanup.descriptionHTML, deleteProperties: cleanup.deleteProperties };
  });
}

/** The foreign services named on the Switch button ('' hides it): only for an event without a room of ours. */
function switchOffer(fields: ItemFields): string {
  if (fields.room) return '';
  const providers = [...foreignCleanup(fields).providers];
  for (const e of cleanExceptions(fields)) for (const p of e.providers) if (!providers.includes(p)) providers.push(p);
  return providers.map((p) => FOREIGN_PROVIDER_NAMES[p]).join(', ');
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

/** An invitation is small; a larger "calendar" attachment is not read. */
const MAX_CALENDAR_BYTES = 256 * 1024;

/** text/calendar or application/ics, or a .ics name (some senders label it application/octet-stream). */
export function isCalendarAttachment(a: { contentType?: string; name?: string }): boolean {
  const type = (a.contentType ?? '').toLowerCase().split(';')[0]!.trim();
  return type === 'text/calendar' || type === 'application/ics' || /\.ics$/i.test(a.name ?? '');
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
