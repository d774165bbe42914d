/**
 * The function file: one classic script (no imports) for Outlook's command runtimes, including classic
 * Outlook's JavaScript-only runtime for event-based activation. Each handler tells Office when it is done.
 */
import { commandDeps } from '../runtime.js';
import { addMeeting, insertLink, joinMeeting, onAppointmentChanged, onNewAppointment, removeMeeting, switchMeeting, type CommandDeps } from './commands.js';

type Completable = { completed(options?: unknown): void };

function handler(run: (deps: CommandDeps) => Promise<unknown>) {
  return (event: Completable) => {
    let work: Promise<unknown>;
    try {
      work = run(commandDeps());
    } catch (error) {
      work = Promise.reject(error);
    }
    void work.catch(() => undefined).finally(() => event.completed());
  };
}

const handlers: Record<string, (event: Completable) => void> = {
  addVisioMeeting: handler(addMeeting),
  switchToVisio: handler(switchMeeting),
  removeVisioMeeting: handler(removeMeeting),
  insertVisioLink: handler(insertLink),
  joinVisioMeeting: handler(joinMeeting),
  onNewAppointmentOrganizer: handler(onNewAppointment),
  onAppointmentChanged: handler(onAppointmentChanged),
};

// Older clients look the function up by name on the global object; newer ones use Office.actions.
for (const [name, fn] of Object.entries(handlers)) (globalThis as Record<string, unknown>)[name] = fn;

Office.onReady(() => undefined);
const actions = (Office as { actions?: { associate(name: string, fn: unknown): void } }).actions;
if (actions) for (const [name, fn] of Object.entries(handlers)) actions.associate(name, fn);
