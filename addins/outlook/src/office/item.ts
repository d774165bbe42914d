/**
 * Thin promise layer over Office's callback APIs for the current Mailbox item. No decision is taken here:
 * the commands decide, this only reads and writes, and turns a failed AsyncResult into an OfficeError.
 */
import type { BodyType } from '../logic/plan.js';
import { OfficeError } from './errors.js';

export type ItemKind = 'appointment' | 'message';
export type ItemMode = 'compose' | 'read';

export interface CustomProps {
  get(name: string): unknown;
  set(name: string, value: unknown): void;
  remove(name: string): void;
  save(): Promise<void>;
}

export type NoticeKind = 'progress' | 'info' | 'error';

export interface ItemPort {
  readonly kind: ItemKind;
  readonly mode: ItemMode;
  getBodyType(): Promise<BodyType>;
  getBody(type: BodyType): Promise<string>;
  setBody(body: string, type: BodyType): Promise<void>;
  insertAtCursor(data: string, type: BodyType): Promise<void>;
  /** Undefined on messages. */
  getLocation(): Promise<string | undefined>;
  setLocation(location: string): Promise<void>;
  getSubject(): Promise<string>;
  /** An appointment's times; `seriesEnd` only for a series: its last day `YYYY-MM-DD`, or null without end. */
  getTimes(): Promise<{ start: Date; end: Date; seriesEnd?: string | null } | undefined>;
  loadCustomProperties(): Promise<CustomProps>;
  /** Best effort: a notification that cannot be shown never fails the command. */
  notify(kind: NoticeKind, message: string): Promise<void>;
}

type Callback<T> = (result: Office.AsyncResult<T>) => void;

/** Runs one callback-style Office call as a promise. */
export function officeCall<T>(start: (callback: Callback<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    try {
      start((result) => {
        if (String(result.status) === 'succeeded') resolve(result.value);
        else reject(new OfficeError(result.error?.code ?? 0, result.error?.name ?? '', result.error?.message ?? ''));
      });
    } catch (cause) {
      // office.js throws synchronously for an argument over Outlook's limits (named), and old clients for
      // calls they do not know.
      const error = cause as { name?: unknown; paramName?: unknown; message?: unknown };
      if (error?.name === 'Sys.ArgumentOutOfRangeException') reject(new OfficeError(0, error.name, String(error.message ?? ''), typeof error.paramName === 'string' ? error.paramName : undefined));
      else reject(new OfficeError(5000, 'NotSupported', cause instanceof Error ? cause.message : String(cause)));
    }
  });
}

const NOTICE_KEY = 'visio';

function coercion(type: BodyType): Office.CoercionType {
  return (type === 'html' ? 'html' : 'text') as Office.CoercionType;
}

export function officeItem(mailbox: Office.Mailbox, iconId = 'Icon.16'): ItemPort {
  const item = mailbox.item as (Office.AppointmentCompose & Office.MessageCompose) & Partial<Office.AppointmentRead & Office.MessageRead>;
  if (!item) throw new OfficeError(5000, 'NoItem', 'no current item');
  const kind: ItemKind = String(item.itemType) === 'appointment' ? 'appointment' : 'message';
  // In read mode, subject and location are plain strings; in compose mode, objects with getAsync.
  const mode: ItemMode = typeof (item as { subject?: unknown }).subject === 'string' ? 'read' : 'compose';

  return {
    kind,
    mode,
    async getBodyType() {
      if (mode === 'read') return 'html';
      const type = await officeCall<Office.CoercionType>((cb) => item.body.getTypeAsync(cb));
      return String(type) === 'html' ? 'html' : 'text';
    },
    getBody: (type) => officeCall<string>((cb) => item.body.getAsync(coercion(type), cb)),
    setBody: (body, type) => officeCall<void>((cb) => item.body.setAsync(body, { coercionType: coercion(type) }, cb)),
    insertAtCursor: (data, type) => officeCall<void>((cb) => item.body.setSelectedDataAsync(data, { coercionType: coercion(type) }, cb)),
    async getLocation() {
      if (kind !== 'appointment') return undefined;
      const location = (item as { location: unknown }).location;
      if (typeof location === 'string') return location;
      return officeCall<string>((cb) => item.location.getAsync(cb));
    },
    setLocation: (location) => officeCall<void>((cb) => item.location.setAsync(location, cb)),
    async getSubject() {
      const subject = (item as { subject: unknown }).subject;
      if (typeof subject === 'string') return subject;
      return officeCall<string>((cb) => item.subject.getAsync(cb));
    },
    async getTimes() {
      if (kind !== 'appointment') return undefined;
      const it = item as unknown as { start: unknown; end: unknown; recurrence: unknown };
      const time = (value: unknown, name: 'start' | 'end') =>
        value instanceof Date ? Promise.resolve(value) : officeCall<Date>((cb) => (item as unknown as Record<string, Office.Time>)[name]!.getAsync(cb));
      type Recurrence = { seriesTime?: { getEndDate?(): string | null } } | null;
      const recurrence =
        it.recurrence && typeof (it.recurrence as { getAsync?: unknown }).getAsync === 'function'
          ? officeCall<Recurrence>((cb) => (it.recurrence as Office.Recurrence).getAsync(cb as never))
          : Promise.resolve((it.recurrence ?? null) as Recurrence);
      const [start, end, series] = await Promise.all([time(it.start, 'start'), time(it.end, 'end'), recurrence]);
      return { start, end, ...(series ? { seriesEnd: series.seriesTime?.getEndDate?.() ?? null } : {}) };
    },
    async loadCustomProperties() {
      const props = await officeCall<Office.CustomProperties>((cb) => item.loadCustomPropertiesAsync(cb));
      return {
        get: (name) => props.get(name),
        set: (name, value) => props.set(name, value as string),
        remove: (name) => props.remove(name),
        save: () => officeCall<void>((cb) => props.saveAsync(cb)),
      };
    },
    async notify(kindOfNotice, message) {
      const details: Office.NotificationMessageDetails =
        kindOfNotice === 'progress'
          ? { type: 'progressIndicator' as Office.MailboxEnums.ItemNotificationMessageType, message }
          : kindOfNotice === 'error'
            ? { type: 'errorMessage' as Office.MailboxEnums.ItemNotificationMessageType, message }
            : { type: 'informationalMessage' as Office.MailboxEnums.ItemNotificationMessageType, message, icon: iconId, persistent: false };
      try {
        await officeCall<void>((cb) => item.notificationMessages.replaceAsync(NOTICE_KEY, details, cb));
      } catch {
        // Notifications are a courtesy; the item change itself is what matters.
      }
    },
  };
}
