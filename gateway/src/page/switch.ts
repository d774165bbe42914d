/** Script of the "Passer à Visio" page: plan, tick, apply, follow, report. Uses the shared client only. */
import { basicCaldavAuthorization, createVisioClient, describeError, type CaldavCredentials, type Lang } from '@visio/shared';
import type { Migration, MigrationItem } from '@visio/shared/contract';
import { pageSession } from './session.js';

type Words = Record<string, string> & { results: Record<MigrationItem['result'], string>; providers: Record<string, string> };

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const main = $('main');
const lang = (main.dataset.lang === 'en' ? 'en' : 'fr') as Lang;
const t = JSON.parse(main.dataset.words ?? '{}') as Words;
const session = pageSession(main);
const client = createVisioClient({ baseUrl: location.origin, clientName: 'page', ...(session ? { auth: session } : {}) });
const status = $('status');
const error = $('error');
let caldav: CaldavCredentials | null = null;
let plan: Migration | null = null;

const fill = (template: string, values: Record<string, string | number>) => template.replace(/\{(\w+)\}/g, (_, k: string) => String(values[k] ?? ''));
const providerName = (p: string) => t.providers[p] ?? p;
const when = (iso: string | null) => (iso ? new Intl.DateTimeFormat(lang, { dateStyle: 'full', timeStyle: 'short' }).format(new Date(iso)) : '');

function fail(cause: unknown, field?: HTMLInputElement) {
  status.textContent = '';
  error.textContent = typeof cause === 'string' ? cause : describeError(cause, lang);
  error.hidden = false;
  if (field) {
    field.setAttribute('aria-invalid', 'true');
    field.focus();
  }
}

function cell(row: HTMLTableRowElement, text: string) {
  const td = row.insertCell();
  td.textContent = text;
  return td;
}

$<HTMLFormElement>('account').addEventListener('submit', async (event) => {
  event.preventDefault();
  error.hidden = true;
  const user = $<HTMLInputElement>('user');
  const password = $<HTMLInputElement>('password');
  for (const field of [user, password]) field.removeAttribute('aria-invalid');
  if (!user.value.trim()) return fail(t.missingUser!, user);
  if (!password.value) return fail(t.missingPassword!, password);
  const server = $<HTMLInputElement>('server').value.trim();
  caldav = { authorization: basicCaldavAuthorization(user.value.trim(), password.value), ...(server ? { server } : {}) };
  const months = Number($<HTMLSelectElement>('months').value) || 12;
  const from = new Date();
  const to = new Date(from.getTime() + months * 30.5 * 86_400_000);
  const button = $<HTMLButtonElement>('find');
  button.disabled = true;
  status.textContent = t.finding!;
  try {
    plan = await client.planMigration({ from: from.toISOString(), to: to.toISOString(), lang }, caldav);
    showPlan(plan);
  } catch (cause) {
    fail(cause);
  } finally {
    button.disabled = false;
  }
});

function showPlan(m: Migration) {
  status.textContent = '';
  const mine = m.items.filter((i) => i.action === 'convert');
  const theirs = m.items.filter((i) => i.action === 'askOrganizer');
  $('plan-summary').textContent = m.items.length ? fill(t.summary!, { mine: mine.length, theirs: theirs.length }) : t.none!;
  const body = $<HTMLTableSectionElement>('mine');
  body.replaceChildren();
  for (const item of mine) {
    const row = body.insertRow();
    const box = Object.assign(document.createElement('input'), { type: 'checkbox', id: `item-${item.id}`, value: item.id, checked: true });
    row.insertCell().append(box);
    const label = Object.assign(document.createElement('label'), { htmlFor: box.id, textContent: item.title || '—' });
    const title = row.insertCell();
    title.append(label);
    if (item.recurring) title.append(` ${t.recurring}`);
    cell(row, when(item.next));
    cell(row, item.providers.map(providerName).join(', '));
  }
  $('mine-set').hidden = mine.length === 0;
  $('apply').hidden = mine.length === 0;
  const list = $('theirs');
  list.replaceChildren(
    ...theirs.map((item) => Object.assign(document.createElement('li'), { textContent: `${item.title} — ${when(item.next)} — ${item.providers.map(providerName).join(', ')} : ${t.askOrganizer}` })),
  );
  $('theirs-block').hidden = theirs.length === 0;
  $('plan').hidden = false;
  $('progress-section').hidden = true;
  $('report').hidden = true;
  $('plan-heading').focus();
}

$<HTMLFormElement>('choose').addEventListener('submit', async (event) => {
  event.preventDefault();
  error.hidden = true;
  if (!plan || !caldav) return;
  const items = [...document.querySelectorAll<HTMLInputElement>('#mine input[type=checkbox]:checked')].map((b) => b.value);
  if (items.length === 0) return fail(t.noneChosen!, document.querySelector<HTMLInputElement>('#mine input[type=checkbox]') ?? undefined);
  const button = $<HTMLButtonElement>('apply');
  button.disabled = true;
  try {
    let m = await client.applyMigration(plan.id, { items, lang }, caldav);
    $('plan').hidden = true;
    $('progress-section').hidden = false;
    $('progress-heading').focus();
    while (m.status === 'running') {
      showProgress(m);
      await new Promise((r) => setTimeout(r, 700));
      m = await client.getMigration(plan.id);
    }
    showProgress(m);
    showReport(m);
  } catch (cause) {
    fail(cause);
  } finally {
    button.disabled = false;
  }
});

function showProgress(m: Migration) {
  const progress = $<HTMLProgressElement>('progress');
  progress.max = Math.max(m.toConvert, 1);
  progress.value = m.processed;
  $('progress-text').textContent = fill(t.progress!, { done: m.processed, total: m.toConvert });
}

function showReport(m: Migration) {
  const converted = m.items.filter((i) => i.result === 'converted').length;
  const failed = m.items.filter((i) => i.result === 'failed').length;
  $('report-done').textContent = fill(t.reportDone!, { converted, failed });
  $('report-counts').replaceChildren(
    ...Object.entries(m.counts).map(([p, c]) =>
      Object.assign(document.createElement('li'), { textContent: fill(t.reportProvider!, { provider: providerName(p), converted: c.converted, ask: c.askOrganizer, failed: c.failed }) }),
    ),
  );
  $('report-attendees').textContent = m.scheduling === 'server' ? t.attendeesServer! : t.attendeesClient!;
  const body = $<HTMLTableSectionElement>('report-items');
  body.replaceChildren();
  for (const item of m.items) {
    const row = body.insertRow();
    cell(row, item.title || '—');
    cell(row, item.providers.map(providerName).join(', '));
    cell(row, item.error ? `${t.results[item.result]} (${item.error})` : t.results[item.result]);
  }
  $('progress-section').hidden = true;
  $('report').hidden = false;
  $('report-heading').focus();
}

$('csv').addEventListener('click', async () => {
  if (!plan) return;
  try {
    const csv = await client.getMigrationReportCsv(plan.id);
    const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
    const a = Object.assign(document.createElement('a'), { href: url, download: `visio-migration-${plan.id}.csv` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (cause) {
    fail(cause);
  }
});

// OIDC mode: the agent signs in on the home page (same tab storage); here we only check.
if (session) {
  void session.isSignedIn().then((signedIn) => {
    $('signin-first').hidden = signedIn;
    $('account').hidden = !signedIn;
  });
}
