/**
 * SOGo's event editor keeps its times in its AngularJS model only (the page shows them as text in the agent's
 * own format). This function runs in the page's main world (scripting.executeScript, world MAIN, on an origin
 * the agent granted), so it must be self-contained. It finds the editor controller of the dialog holding our
 * Add button (`angular.element(...).controller()`, which works with SOGo's debug data off) and wraps its
 * `save`: after SOGo's own save has set the times it sends (adjustStartTime / adjustEndTime), it writes them
 * as plain data (JSON) on the button's host and tells it with a `visio-schedule` event. It reads, never writes
 * the model; anything unexpected writes nothing (the room then keeps no schedule).
 */
export function watchSogoSave(marker: string): boolean {
  try {
    const ng = (window as unknown as { angular?: { element(el: Element): { controller(): unknown } } }).angular;
    const host = [...document.querySelectorAll('[data-visio-add]')].find((el) => el.getAttribute('data-visio-add') === marker);
    if (!ng || !host) return false;
    const editor = ng.element(host).controller() as Record<string, unknown> | undefined;
    if (!editor || typeof editor.save !== 'function' || (editor as { __visioWatched?: boolean }).__visioWatched) return !!editor;
    const original = editor.save as (...args: unknown[]) => unknown;
    const fields = (d: unknown) =>
      d instanceof Date && !Number.isNaN(d.getTime()) ? { year: d.getFullYear(), month: d.getMonth() + 1, day: d.getDate(), hour: d.getHours(), minute: d.getMinutes() } : null;
    const read = () => {
      const c = editor.component as Record<string, unknown> | undefined;
      if (!c || c.type !== 'appointment') return null;
      const repeat = c.repeat as Record<string, unknown> | undefined;
      let zone: unknown = null;
      try {
        zone = JSON.parse(document.getElementById('UserDefaults')?.textContent ?? 'null')?.SOGoTimeZone;
      } catch {
        zone = null;
      }
      const frequency = repeat?.frequency;
      let custom = true;
      try {
        custom = typeof c.hasCustomRepeat === 'function' ? !!(c.hasCustomRepeat as () => unknown).call(c) : true;
      } catch {
        custom = true;
      }
      return {
        start: fields(c.start),
        end: fields(c.end),
        allDay: !!c.isAllDay,
        timeZone: zone,
        occurrence: !!c.occurrenceId,
        repeat:
          !frequency || frequency === 'never'
            ? null
            : { frequency, custom, end: repeat?.end, ...(repeat?.end === 'count' ? { count: Number(repeat.count) } : {}), ...(repeat?.end === 'until' ? { until: fields(repeat.until) } : {}) },
      };
    };
    editor.save = function (this: unknown, ...args: unknown[]) {
      const result = original.apply(this, args);
      try {
        host.setAttribute('data-visio-schedule', JSON.stringify(read()));
        host.dispatchEvent(new Event('visio-schedule'));
      } catch {
        // The page's model is not what we know: no schedule.
      }
      return result;
    };
    (editor as { __visioWatched?: boolean }).__visioWatched = true;
    return true;
  } catch {
    return false;
  }
}
