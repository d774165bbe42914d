/** Message display popup: the Visio links of the displayed message, each with a Join button. */
import { localize } from './i18n-dom.js';
import type { Messenger } from './messenger.js';

declare const messenger: Messenger;

async function load(): Promise<void> {
  localize(document, messenger.i18n);
  const [tab] = await messenger.tabs.query({ active: true, currentWindow: true });
  const links = (tab ? await messenger.runtime.sendMessage({ type: 'message-links', tabId: tab.id }) : []) as { code: string; url: string }[];
  const list = document.getElementById('links')!;
  document.getElementById('none')!.hidden = links.length > 0;
  for (const link of links) {
    const item = document.createElement('li');
    const code = document.createElement('span');
    code.className = 'code';
    code.textContent = link.code;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'primary';
    button.textContent = messenger.i18n.getMessage('joinButton');
    button.setAttribute('aria-label', messenger.i18n.getMessage('joinLinkLabel', [link.code]));
    button.addEventListener('click', () => {
      void messenger.runtime.sendMessage({ type: 'open-link', url: link.url }).then(() => window.close());
    });
    item.append(code, button);
    list.append(item);
  }
  list.querySelector('button')?.focus();
}

void load();
