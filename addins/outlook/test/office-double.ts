/**
 * A strict double of the parts of Office.js the add-in uses (Mailbox item, custom properties, roaming
 * settings, notification messages, dialogs, actions, ItemChanged), for Node unit tests and, bundled, in
 * Chromium in place of office.js. Like Office: every call answers later through an AsyncResult with
 * status/value/error; failures carry Office's numeric codes and names; writes that fail change nothing;
 * arguments over Office's limits throw synchronously, as office.js's own parameter checks do; what a
 * platform lacks (openBrowserWindow on the web, OfficeRuntime.storage outside classic Windows' event runtime)
 * is absent. Every behaviour and its source is listed in the add-in's README.
 * Self-contained (no imports) so it can be bundled into a classic script.
 */

export interface OfficeFailure {
  code: number;
  name: string;
  message: string;
}

export interface Scenario {
  itemType: 'appointment' | 'message';
  mode: 'compose' | 'read';
  bodyType?: 'html' | 'text';
  body?: string;
  location?: string;
  subject?: string;
  customProperties?: Record<string, unknown>;
  roamingSettings?: Record<string, unknown>;
  displayLanguage?: string;
  /** Method name (e.g. `body.setAsync`, `location.setAsync`, `customProperties.saveAsync`) → failure; `once` to fail one call. */
  failures?: Record<string, OfficeFailure & { once?: boolean }>;
  /** Where the cursor is in the body (for setSelectedDataAsync); absent: the body never had focus, Office inserts at the top. */
  cursor?: number;
  /** Office's platform (Office.context.platform); default Outlook on the web. */
  platform?: 'OfficeOnline' | 'PC' | 'Mac';
  /** The runtime the code runs in: `javascript` is classic Outlook on Windows' JavaScript-only runtime for event-based activation. */
  runtime?: 'browser' | 'javascript';
  /** Outlook on the web's prompt before a dialog opens (promptBeforeOpen): the agent allows it (default) or ignores it. */
  dialogPrompt?: 'allow' | 'ignore';
  /** The task pane is pinned: Office raises ItemChanged when the agent selects another item. */
  pinned?: boolean;
  /** An item of a shared or delegated calendar (SupportsSharedFolders): whose calendar it is. */
  sharedOwner?: string;
  /**
   * One occurrence of a recurring series: it shows the series' custom properties (`seriesCustomProperties`);
   * an `exception` (an occurrence changed on its own) has none in classic Outlook on Windows.
   */
  recurrence?: 'occurrence' | 'exception';
  seriesCustomProperties?: Record<string, unknown>;
  /** An appointment's start and end (ISO instants); Office always has both (default: a one-hour meeting). */
  start?: string;
  end?: string;
  /**
   * A recurring series (Mailbox 1.7 `item.recurrence`): its SeriesTime end date `YYYY-MM-DD`, or null for
   * a series without end. Absent: not recurring (`recurrence` is null).
   */
  seriesEnd?: string | null;
}

export interface Notice {
  key: string;
  type: string;
  message: string;
}

export interface DoubleState {
  body: string;
  bodyType: 'html' | 'text';
  location: string;
  subject: string;
  customProperties: Record<string, unknown>;
  roamingSettings: Record<string, unknown>;
  notifications: Notice[];
  notificationLog: Notice[];
  opened: string[];
  calls: string[];
  dialogs: { url: string; closed: boolean }[];
  /** performance.now() when the body last changed (benchmark: command start → block written). */
  bodyWrittenAt: number | null;
  /** The appointment's times (the agent may move it: then invoke `onAppointmentChanged`). */
  start: string;
  end: string;
  seriesEnd: string | null | undefined;
}

type AsyncResult = { status: 'succeeded' | 'failed'; value: unknown; error?: { code: number; name: string; message: string }; asyncContext?: unknown };
type Cb = (r: AsyncResult) => void;

export interface OfficeDouble {
  state: DoubleState;
  actions: Record<string, (event: { completed(): void }) => void>;
  /** Runs an associated action as Outlook does and resolves when it calls event.completed(). */
  invoke(name: string): Promise<void>;
  deliverDialogMessage(message: string): void;
  /** The agent closed the open dialog's window: Office raises DialogEventReceived with 12006 (nothing when none is open). */
  dialogClosedByUser(): void;
  /** The agent selects another item while the task pane is pinned: the current item changes and ItemChanged fires. */
  selectItem(next: Scenario): void;
  /** The agent types in the body (at its end) while a command runs. */
  agentTypes(text: string): void;
}

/** The exception office.js throws when an argument is over its limit (Sys.ArgumentOutOfRangeException). */
export function argumentOutOfRange(paramName: string, actualValue?: number): Error {
  let message = `Sys.ArgumentOutOfRangeException: Specified argument was out of the range of valid values.\nParameter name: ${paramName}`;
  if (actualValue !== undefined) message += `\nActual value was ${actualValue}.`;
  return Object.assign(new Error(message), { name: 'Sys.ArgumentOutOfRangeException', paramName, actualValue });
}

// Office's limits, as office.js (outlook-web-16.01) checks them before calling the host.
export const LIMITS = { location: 255, notification: 150, customPropertiesJson: 2500, body: 1_000_000 } as const;

export function installOfficeDouble(scenario: Scenario, target: Record<string, unknown> = globalThis as unknown as Record<string, unknown>): OfficeDouble {
  const state: DoubleState = {
    body: '',
    bodyType: 'html',
    location: '',
    subject: '',
    customProperties: {},
    roamingSettings: { ...(scenario.roamingSettings ?? {}) },
    notifications: [],
    notificationLog: [],
    opened: [],
    calls: [],
    dialogs: [],
    bodyWrittenAt: null,
    start: '',
    end: '',
    seriesEnd: undefined,
  };
  const failures = { ...(scenario.failures ?? {}) };
  const later = (fn: () => void) => setTimeout(fn, 0);
  const platform = scenario.platform ?? 'OfficeOnline';
  // The item on screen; selectItem replaces it (pinned task pane).
  let current: Scenario = scenario;
  // Where the cursor is, or null: the body never had focus (Office then inserts at the top).
  let cursor: number | null = null;
  // Commands running (a UI-less command has no user gesture for a pop-up).
  let commandsRunning = 0;

  function answer(method: string, cb: Cb | undefined, work: () => unknown, asyncContext?: unknown): void {
    state.calls.push(method);
    later(() => {
      const failure = failures[method];
      if (failure) {
        if (failure.once) delete failures[method];
        cb?.({ status: 'failed', value: undefined, error: { code: failure.code, name: failure.name, message: failure.message }, asyncContext });
        return;
      }
      let value: unknown;
      try {
        value = work();
      } catch (e) {
        const error = e as { code?: number; officeName?: string; message: string };
        cb?.({ status: 'failed', value: undefined, error: { code: error.code ?? 9031, name: error.officeName ?? 'InvalidParameterValueError', message: error.message }, asyncContext });
        return;
      }
      cb?.({ status: 'succeeded', value, asyncContext });
    });
  }

  /** An Office failure raised inside `work` (AsyncResult error, not an exception). */
  const officeFailure = (code: number, officeName: string, message: string) => Object.assign(new Error(message), { code, officeName });

  /** Office's optional-options signature: (data, options?, callback?). */
  function split(a?: unknown, b?: unknown): { options: Record<string, unknown>; cb: Cb | undefined } {
    if (typeof a === 'function') return { options: {}, cb: a as Cb };
    return { options: (a as Record<string, unknown>) ?? {}, cb: b as Cb | undefined };
  }

  function htmlToText(html: string): string {
    return html
      .replace(/<br\s*\/?>/gi, '\n')
      .replace(/<\/(p|div)>/gi, '\n')
      .replace(/<[^>]*>/g, '')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&');
  }

  /** office.js's own check before it calls the host: a string over the limit throws, nothing is sent. */
  function checkLength(paramName: string, value: unknown, max: number): void {
    if (typeof value !== 'string')
      throw Object.assign(new Error(`Sys.ArgumentTypeException: Object of type '${typeof value}' cannot be converted to type 'string'.\nParameter name: ${paramName}`), {
        name: 'Sys.ArgumentTypeException',
        paramName,
      });
    if (value.length > max) throw argumentOutOfRange(paramName, value.length);
  }

  /** Where the top of the body content is: after <body ...> in a whole document, else the start. */
  function top(body: string): number {
    const open = /<body[^>]*>/i.exec(body);
    return open ? open.index + open[0].length : 0;
  }

  // Office keeps set/remove in the loaded object until saveAsync: a failed save persists nothing.
  const pending: Record<string, unknown> = {};

  function makeItem(sc: Scenario): Record<string, unknown> {
    const compose = sc.mode === 'compose';
    const body = {
      getTypeAsync(a?: unknown, b?: unknown) {
        const { cb } = split(a, b);
        answer('body.getTypeAsync', cb, () => state.bodyType);
      },
      getAsync(coercion: string, a?: unknown, b?: unknown) {
        const { cb } = split(a, b);
        answer('body.getAsync', cb, () => (coercion === 'text' && state.bodyType === 'html' ? htmlToText(state.body) : state.body));
      },
      setAsync(data: string, a?: unknown, b?: unknown) {
        const { options, cb } = split(a, b);
        if (!compose) throw new Error('setAsync is not available in read mode');
        checkLength('data', data, LIMITS.body);
        answer('body.setAsync', cb, () => {
          const type = options.coercionType === 'html' ? 'html' : 'text';
          if (type === 'html' && state.bodyType === 'text') throw officeFailure(1000, 'InvalidFormatError', 'The coercion type is HTML and the body is plain text.');
          state.body = data;
          cursor = null;
          state.bodyWrittenAt = performance.now();
        });
      },
      setSelectedDataAsync(data: string, a?: unknown, b?: unknown) {
        const { options, cb } = split(a, b);
        if (!compose) throw new Error('setSelectedDataAsync is not available in read mode');
        checkLength('data', data, LIMITS.body);
        answer('body.setSelectedDataAsync', cb, () => {
          if (options.coercionType === 'html' && state.bodyType === 'text') throw officeFailure(1000, 'InvalidFormatError', 'The coercion type is HTML and the body is plain text.');
          // Never focused (or focus lost): the top of the body; else the cursor. The cursor ends after the insert.
          const at = cursor === null ? top(state.body) : Math.min(cursor, state.body.length);
          state.body = state.body.slice(0, at) + data + state.body.slice(at);
          cursor = at + data.length;
          state.bodyWrittenAt = performance.now();
        });
      },
    };

    const saved = () => state.customProperties;
    const propsView = {
      get: (name: string) => (Object.hasOwn(pending, name) ? pending[name] : saved()[name]),
      set: (name: string, value: unknown) => void (pending[name] = value),
      remove: (name: string) => void (pending[name] = undefined),
      getAll: () => ({ ...saved() }),
      saveAsync(a?: unknown, b?: unknown) {
        const { cb } = split(a, b);
        const next: Record<string, unknown> = { ...saved() };
        for (const [k, v] of Object.entries(pending)) {
          if (v === undefined) delete next[k];
          else next[k] = JSON.parse(JSON.stringify(v));
        }
        // office.js measures the whole set as JSON before sending it.
        if (JSON.stringify(next).length > LIMITS.customPropertiesJson) throw argumentOutOfRange('customProperties');
        answer('customProperties.saveAsync', cb, () => {
          state.customProperties = next;
          for (const k of Object.keys(pending)) delete pending[k];
        });
      },
    };

    const item: Record<string, unknown> = {
      itemType: sc.itemType,
      body,
      notificationMessages: {
        replaceAsync(key: string, details: { type: string; message: string }, a?: unknown, b?: unknown) {
          const { cb } = split(a, b);
          checkLength('message', details.message, LIMITS.notification);
          answer('notificationMessages.replaceAsync', cb, () => {
            const notice = { key, type: details.type, message: details.message };
            state.notifications = [...state.notifications.filter((n) => n.key !== key), notice];
            state.notificationLog.push(notice);
          });
        },
        removeAsync(key: string, a?: unknown, b?: unknown) {
          const { cb } = split(a, b);
          answer('notificationMessages.removeAsync', cb, () => (state.notifications = state.notifications.filter((n) => n.key !== key)));
        },
      },
      loadCustomPropertiesAsync(cb: Cb, asyncContext?: unknown) {
        answer(
          'loadCustomPropertiesAsync',
          cb,
          () => {
            for (const k of Object.keys(pending)) delete pending[k];
            return propsView;
          },
          asyncContext,
        );
      },
    };
    if (sc.sharedOwner) {
      // Mailbox 1.8: the owner and the delegate's permissions on an item of a shared folder.
      item.getSharedPropertiesAsync = (a?: unknown, b?: unknown) => answer('getSharedPropertiesAsync', split(a, b).cb, () => ({ owner: sc.sharedOwner, delegatePermissions: 15 }));
    }
    if (compose) {
      item.subject = {
        getAsync(a?: unknown, b?: unknown) {
          answer('subject.getAsync', split(a, b).cb, () => state.subject);
        },
      };
      if (sc.itemType === 'appointment') {
        // Time.getAsync gives a Date (UTC-based); Recurrence.getAsync null for a single appointment.
        item.start = { getAsync: (a?: unknown, b?: unknown) => answer('start.getAsync', split(a, b).cb, () => new Date(state.start)) };
        item.end = { getAsync: (a?: unknown, b?: unknown) => answer('end.getAsync', split(a, b).cb, () => new Date(state.end)) };
        item.recurrence = { getAsync: (a?: unknown, b?: unknown) => answer('recurrence.getAsync', split(a, b).cb, () => recurrenceOf()) };
        item.location = {
          getAsync(a?: unknown, b?: unknown) {
            answer('location.getAsync', split(a, b).cb, () => state.location);
          },
          setAsync(value: string, a?: unknown, b?: unknown) {
            checkLength('location', value, LIMITS.location);
            answer('location.setAsync', split(a, b).cb, () => void (state.location = value));
          },
        };
      }
    } else {
      Object.defineProperty(item, 'subject', { get: () => state.subject, enumerable: true });
      if (sc.itemType === 'appointment') {
        Object.defineProperty(item, 'location', { get: () => state.location, enumerable: true });
        Object.defineProperty(item, 'start', { get: () => new Date(state.start), enumerable: true });
        Object.defineProperty(item, 'end', { get: () => new Date(state.end), enumerable: true });
        Object.defineProperty(item, 'recurrence', { get: () => recurrenceOf(), enumerable: true });
      }
    }
    return item;
  }

  // SeriesTime.getEndDate: "YYYY-MM-DD", or null when the series has no end date.
  function recurrenceOf() {
    const end = state.seriesEnd;
    return end === undefined ? null : { recurrenceType: 'weekly', seriesTime: { getEndDate: () => end } };
  }

  function load(sc: Scenario): void {
    current = sc;
    state.start = sc.start ?? '2026-12-15T09:00:00.000Z';
    state.end = sc.end ?? new Date(Date.parse(state.start) + 3_600_000).toISOString();
    state.seriesEnd = sc.seriesEnd;
    state.body = sc.body ?? '';
    state.bodyType = sc.bodyType ?? 'html';
    state.location = sc.location ?? '';
    state.subject = sc.subject ?? '';
    // Captured in OfficeDev/office-js#1508, #1648, #6228, #3789: classic Outlook on Windows gives an exception
    // occurrence no custom properties (Outlook on the web gives the series'); a plain occurrence shows the series'.
    const series = sc.recurrence ? (sc.recurrence === 'exception' && (sc.platform ?? 'OfficeOnline') === 'PC' ? {} : (sc.seriesCustomProperties ?? {})) : undefined;
    state.customProperties = { ...(sc.customProperties ?? series ?? {}) };
    cursor = sc.cursor ?? null;
    for (const k of Object.keys(pending)) delete pending[k];
  }
  load(scenario);

  const roamingSettings = {
    get: (name: string) => state.roamingSettings[name],
    set: (name: string, value: unknown) => void (state.roamingSettings[name] = value),
    remove: (name: string) => void delete state.roamingSettings[name],
    saveAsync(cb?: Cb) {
      answer('roamingSettings.saveAsync', cb, () => undefined);
    },
  };

  const actions: OfficeDouble['actions'] = {};
  const dialogHandlers: Record<string, ((arg: unknown) => void)[]> = {};
  const itemChangedHandlers: ((arg: unknown) => void)[] = [];
  const win = (target as { window?: Window }).window ?? (typeof window === 'undefined' ? undefined : window);
  const dialogError = (code: number, message: string) => ({ code, name: 'Display Dialog Error', message });

  const ui: Record<string, unknown> = {
    displayDialogAsync(url: string, a?: unknown, b?: unknown) {
      const { options, cb } = split(a, b);
      state.calls.push('ui.displayDialogAsync');
      later(() => {
        // Office refuses a second dialog from the same host window (12007), and the scenario may refuse
        // the first (12009: the agent ignored Office on the web's prompt; 12011: pop-ups blocked).
        let failure: (OfficeFailure & { once?: boolean }) | undefined = failures['ui.displayDialogAsync'];
        if (failure?.once) delete failures['ui.displayDialogAsync'];
        if (!failure && state.dialogs.some((d) => !d.closed)) failure = dialogError(12007, 'A dialog box is already opened from this host window.');
        // The first page must be on the add-in's own domain (protocol and port included): 12004.
        const origin = win?.location?.origin;
        if (!failure && origin && origin !== 'null' && !url.startsWith(`${origin}/`)) failure = dialogError(12004, 'The domain of the URL is not included in the AppDomains element in the manifest.');
        if (!failure && platform === 'OfficeOnline') {
          // On the web the dialog is a browser pop-up: without Office's prompt, a UI-less command (no user
          // gesture) is blocked by the browser; with it, the agent's click on Allow opens it.
          if (options.promptBeforeOpen === false && commandsRunning > 0) failure = dialogError(12011, 'The browser blocked the dialog box (pop-up).');
          else if (options.promptBeforeOpen !== false && scenario.dialogPrompt === 'ignore') failure = dialogError(12009, 'The user chose to ignore the dialog box.');
        }
        if (failure) {
          cb?.({ status: 'failed', value: undefined, error: { code: failure.code, name: failure.name, message: failure.message } });
          return;
        }
        const record = { url, closed: false };
        state.dialogs.push(record);
        const popup = win?.open(url, '_blank');
        const dialog = {
          addEventHandler: (type: string, handler: (arg: unknown) => void) => void (dialogHandlers[type] ??= []).push(handler),
          close: () => {
            record.closed = true;
            popup?.close();
          },
          messageChild: () => undefined,
        };
        cb?.({ status: 'succeeded', value: dialog });
      });
    },
    messageParent(message: string) {
      state.calls.push('ui.messageParent');
      // Office carries the message to the page that opened the dialog through window.opener; a dialog that
      // lost its opener (a page on the way sent Cross-Origin-Opener-Policy: same-origin) cannot reach it.
      const opener = win?.opener as { __officeDouble?: OfficeDouble } | null | undefined;
      if (!opener?.__officeDouble) throw new Error('messageParent: this dialog has no opener any more (Cross-Origin-Opener-Policy on a page it went through?)');
      opener.__officeDouble.deliverDialogMessage(message);
    },
  };
  // OpenBrowserWindowApi 1.1: classic Outlook on Windows and Outlook on Mac only, never Outlook on the web.
  if (platform !== 'OfficeOnline') ui.openBrowserWindow = (url: string) => void state.opened.push(url);

  const mailbox: Record<string, unknown> = {
    item: makeItem(scenario),
    addHandlerAsync(type: string, handler: (arg: unknown) => void, a?: unknown, b?: unknown) {
      const { cb } = split(a, b);
      answer('mailbox.addHandlerAsync', cb, () => {
        if (type !== 'olkItemSelectedChanged') throw officeFailure(5000, 'Invalid event type', `unknown event ${type}`);
        itemChangedHandlers.push(handler);
      });
    },
  };

  const Office = {
    HostType: { Outlook: 'Outlook' },
    PlatformType: { PC: 'PC', OfficeOnline: 'OfficeOnline', Mac: 'Mac' },
    CoercionType: { Html: 'html', Text: 'text' },
    AsyncResultStatus: { Succeeded: 'succeeded', Failed: 'failed' },
    EventType: { DialogMessageReceived: 'dialogMessageReceived', DialogEventReceived: 'dialogEventReceived', ItemChanged: 'olkItemSelectedChanged' },
    MailboxEnums: {
      ItemType: { Message: 'message', Appointment: 'appointment' },
      ItemNotificationMessageType: { ProgressIndicator: 'progressIndicator', InformationalMessage: 'informationalMessage', ErrorMessage: 'errorMessage' },
    },
    context: {
      platform,
      diagnostics: { platform, host: 'Outlook' },
      displayLanguage: scenario.displayLanguage ?? 'fr-FR',
      roamingSettings,
      mailbox,
      ui,
    },
    onReady(cb?: (info: unknown) => void) {
      const info = { host: 'Outlook', platform };
      return new Promise((resolve) => later(() => (cb?.(info), resolve(info))));
    },
    actions: { associate: (name: string, fn: (event: { completed(): void }) => void) => void (actions[name] = fn) },
  };

  const double: OfficeDouble = {
    state,
    actions,
    invoke(name) {
      const fn = actions[name] ?? (target[name] as ((event: { completed(): void }) => void) | undefined);
      if (!fn) return Promise.reject(new Error(`no action ${name}`));
      commandsRunning++;
      return new Promise<void>((resolve) => fn({ completed: () => (commandsRunning--, resolve()) }));
    },
    deliverDialogMessage(message) {
      for (const h of dialogHandlers.dialogMessageReceived ?? []) later(() => h({ message, origin: win?.location?.origin }));
    },
    dialogClosedByUser() {
      const open = state.dialogs.filter((d) => !d.closed).pop();
      if (!open) return;
      open.closed = true;
      for (const h of dialogHandlers.dialogEventReceived ?? []) later(() => h({ error: 12006, type: 'dialogEventReceived' }));
    },
    selectItem(next) {
      if (!current.pinned && !next.pinned) throw new Error('ItemChanged is raised only for a pinned task pane');
      load({ ...next, pinned: true });
      mailbox.item = makeItem(next);
      for (const h of itemChangedHandlers) later(() => h({ type: 'olkItemSelectedChanged' }));
    },
    agentTypes(text) {
      const at = state.bodyType === 'html' ? (/<\/body>/i.exec(state.body)?.index ?? state.body.length) : state.body.length;
      state.body = state.body.slice(0, at) + text + state.body.slice(at);
    },
  };
  // The JavaScript-only runtime of classic Outlook on Windows (event-based activation) has OfficeRuntime.storage
  // and neither localStorage nor cookies; every other runtime is a browser one without OfficeRuntime.storage.
  if (scenario.runtime === 'javascript') {
    if (platform !== 'PC') throw new Error('the JavaScript-only runtime exists only in classic Outlook on Windows');
    const store = new Map<string, string>();
    target.OfficeRuntime = {
      storage: {
        getItem: async (key: string) => store.get(key) ?? null,
        setItem: async (key: string, value: string) => void store.set(key, String(value)),
        removeItem: async (key: string) => void store.delete(key),
      },
    };
  }
  target.Office = Office;
  target.__officeDouble = double;
  return double;
}
