/**
 * A faithful double of the parts of Office.js the add-in uses (Mailbox item, custom properties, roaming
 * settings, notification messages, dialogs, actions), for Node unit tests and, bundled, in Chromium in
 * place of office.js. Like Office: every call answers later (never synchronously) through an AsyncResult
 * with status/value/error; failures carry Office's numeric codes and names; writes that fail change nothing.
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
  /** Where the cursor is in the body (for setSelectedDataAsync); default the end. */
  cursor?: number;
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
}

export function installOfficeDouble(scenario: Scenario, target: Record<string, unknown> = globalThis as unknown as Record<string, unknown>): OfficeDouble {
  const state: DoubleState = {
    body: scenario.body ?? '',
    bodyType: scenario.bodyType ?? 'html',
    location: scenario.location ?? '',
    subject: scenario.subject ?? '',
    customProperties: { ...(scenario.customProperties ?? {}) },
    roamingSettings: { ...(scenario.roamingSettings ?? {}) },
    notifications: [],
    notificationLog: [],
    opened: [],
    calls: [],
    dialogs: [],
    bodyWrittenAt: null,
  };
  const failures = { ...(scenario.failures ?? {}) };
  const later = (fn: () => void) => setTimeout(fn, 0);

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
        cb?.({ status: 'failed', value: undefined, error: { code: 9031, name: 'InvalidParameterValueError', message: String(e) }, asyncContext });
        return;
      }
      cb?.({ status: 'succeeded', value, asyncContext });
    });
  }

  /** Office's optional-options signature: (data, options?, callback?). */
  function split(a?: unknown, b?: unknown): { options: Record<string, unknown>; cb: Cb | undefined } {
    if (typeof a === 'function') return { options: {}, cb: a as Cb };
    return { options: (a as Record<string, unknown>) ?? {}, cb: b as Cb | undefined };
  }

  function htmlToText(html: string): string {
    return html.replace(/<br\s*\/?>/gi, '\n').replace(/<\/(p|div)>/gi, '\n').replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  }

  const compose = scenario.mode === 'compose';
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
      answer('body.setAsync', cb, () => {
        if (typeof data !== 'string') throw new Error('data must be a string');
        if (data.length > 1_000_000) throw new Error('too long');
        const type = options.coercionType === 'html' ? 'html' : 'text';
        if (type === 'html' && state.bodyType === 'text') throw new Error('html into a text body');
        state.body = data;
        state.bodyWrittenAt = performance.now();
      });
    },
    setSelectedDataAsync(data: string, a?: unknown, b?: unknown) {
      const { options, cb } = split(a, b);
      answer('body.setSelectedDataAsync', cb, () => {
        if (options.coercionType === 'html' && state.bodyType === 'text') throw new Error('html into a text body');
        const at = Math.min(scenario.cursor ?? state.body.length, state.body.length);
        state.body = state.body.slice(0, at) + data + state.body.slice(at);
      });
    },
  };

  const customProperties = {
    get: (name: string) => state.customProperties[name],
    set: (name: string, value: unknown) => void (pending[name] = value),
    remove: (name: string) => void (pending[name] = undefined),
    getAll: () => ({ ...state.customProperties }),
    saveAsync(a?: unknown, b?: unknown) {
      const { cb } = split(a, b);
      answer('customProperties.saveAsync', cb, () => {
        for (const [k, v] of Object.entries(pending)) {
          if (v === undefined) delete state.customProperties[k];
          else state.customProperties[k] = JSON.parse(JSON.stringify(v));
        }
        for (const k of Object.keys(pending)) delete pending[k];
      });
    },
  };
  // Office keeps set/remove in the loaded object until saveAsync: a failed save persists nothing.
  const pending: Record<string, unknown> = {};
  const propsView = {
    get: (name: string) => (Object.hasOwn(pending, name) ? pending[name] : state.customProperties[name]),
    set: customProperties.set,
    remove: customProperties.remove,
    getAll: customProperties.getAll,
    saveAsync: customProperties.saveAsync,
  };

  const item: Record<string, unknown> = {
    itemType: scenario.itemType,
    body,
    notificationMessages: {
      replaceAsync(key: string, details: { type: string; message: string }, a?: unknown, b?: unknown) {
        const { cb } = split(a, b);
        answer('notificationMessages.replaceAsync', cb, () => {
          if (details.message.length > 150) throw new Error('message longer than 150 characters');
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
      answer('loadCustomPropertiesAsync', cb, () => {
        for (const k of Object.keys(pending)) delete pending[k];
        return propsView;
      }, asyncContext);
    },
  };
  if (compose) {
    item.subject = {
      getAsync(a?: unknown, b?: unknown) {
        answer('subject.getAsync', split(a, b).cb, () => state.subject);
      },
    };
    if (scenario.itemType === 'appointment') {
      item.location = {
        getAsync(a?: unknown, b?: unknown) {
          answer('location.getAsync', split(a, b).cb, () => state.location);
        },
        setAsync(value: string, a?: unknown, b?: unknown) {
          answer('location.setAsync', split(a, b).cb, () => {
            if (value.length > 255) throw new Error('location longer than 255 characters');
            state.location = value;
          });
        },
      };
    }
  } else {
    Object.defineProperty(item, 'subject', { get: () => state.subject, enumerable: true });
    if (scenario.itemType === 'appointment') Object.defineProperty(item, 'location', { get: () => state.location, enumerable: true });
  }

  const roamingSettings = {
    get: (name: string) => state.roamingSettings[name],
    set: (name: string, value: unknown) => void (state.roamingSettings[name] = value),
    remove: (name: string) => void delete state.roamingSettings[name],
    saveAsync(cb?: Cb) {
      answer('roamingSettings.saveAsync', cb, () => undefined);
    },
  };

  const DIALOG_CHANNEL = 'office-double-dialog';
  const actions: OfficeDouble['actions'] = {};
  const dialogHandlers: Record<string, ((arg: unknown) => void)[]> = {};
  const win = (target as { window?: Window }).window ?? (typeof window === 'undefined' ? undefined : window);

  const Office = {
    HostType: { Outlook: 'Outlook' },
    CoercionType: { Html: 'html', Text: 'text' },
    AsyncResultStatus: { Succeeded: 'succeeded', Failed: 'failed' },
    EventType: { DialogMessageReceived: 'dialogMessageReceived', DialogEventReceived: 'dialogEventReceived' },
    MailboxEnums: { ItemType: { Message: 'message', Appointment: 'appointment' }, ItemNotificationMessageType: { ProgressIndicator: 'progressIndicator', InformationalMessage: 'informationalMessage', ErrorMessage: 'errorMessage' } },
    context: {
      displayLanguage: scenario.displayLanguage ?? 'fr-FR',
      roamingSettings,
      mailbox: { item },
      ui: {
        openBrowserWindow: (url: string) => void state.opened.push(url),
        displayDialogAsync(url: string, a?: unknown, b?: unknown) {
          const { cb } = split(a, b);
          state.calls.push('ui.displayDialogAsync');
          later(() => {
            // Office refuses a second dialog from the same host window (12007), and the scenario may refuse
            // the first (12009: the agent declined Office on the web's prompt; 12011: pop-ups blocked).
            const failure = failures['ui.displayDialogAsync'] ?? (state.dialogs.some((d) => !d.closed) ? { code: 12007, name: 'Display Dialog Error', message: 'A dialog box is already opened from this host window.' } : undefined);
            if (failure) {
              if ('once' in failure && failure.once) delete failures['ui.displayDialogAsync'];
              cb?.({ status: 'failed', value: undefined, error: { code: failure.code, name: failure.name, message: failure.message } });
              return;
            }
            const record = { url, closed: false };
            state.dialogs.push(record);
            const popup = win?.open(url, '_blank');
            if (typeof BroadcastChannel !== 'undefined') {
              const channel = new BroadcastChannel(DIALOG_CHANNEL);
              channel.onmessage = (event: MessageEvent) => {
                if (record.closed || typeof event.data !== 'string') return;
                double.deliverDialogMessage(event.data);
              };
            }
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
          const opener = win?.opener as { __officeDouble?: OfficeDouble } | undefined;
          if (opener?.__officeDouble) opener.__officeDouble.deliverDialogMessage(message);
          // Office carries the message itself; a popup that went through other origins (the identity
          // provider, pages sending Cross-Origin-Opener-Policy) has lost its opener, so the double uses a
          // same-origin channel, as Office only accepts messages from the add-in's own domain.
          else if (typeof BroadcastChannel !== 'undefined') new BroadcastChannel(DIALOG_CHANNEL).postMessage(message);
        },
      },
    },
    onReady(cb?: (info: unknown) => void) {
      const info = { host: 'Outlook', platform: 'OfficeOnline' };
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
      return new Promise<void>((resolve) => fn({ completed: () => resolve() }));
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
  };
  target.Office = Office;
  target.__officeDouble = double;
  return double;
}
