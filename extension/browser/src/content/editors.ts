/** Builds editors from a module's selectors: each location field found, with the fields around it. */
import { pick, type Editor, type Field } from './core.js';

export interface EditorSelectors {
  /** Candidate editor roots (dialogs, side panels, forms), tried in order. */
  roots: string[];
  location: string[];
  description: string[];
  /** Rich editors in a same-origin iframe (TinyMCE): the frame's body is the description, edited in its own document. */
  descriptionFrame?: string[];
  title: string[];
  /** Where the button goes, relative to the location field: its closest wrapper matching one of these. */
  anchor?: string[];
  /** A root counts only when it holds one of these (an appointment editor, not a task editor). */
  requires?: string[];
  /** Elements whose click saves the event (a form's submit always does): a room added then not saved is released. */
  save?: string[];
}

function frameBody(root: Element, selectors: string[] | undefined): HTMLElement | null {
  const frame = selectors ? pick<HTMLIFrameElement>(root, selectors) : null;
  try {
    const body = frame?.contentDocument?.body;
    return body && body.isContentEditable ? body : null;
  } catch {
    return null; // another origin: not ours to edit
  }
}

export function findEditors(doc: Document, s: EditorSelectors): Editor[] {
  const editors: Editor[] = [];
  const roots = new Set<Element>();
  for (const selector of s.roots) for (const root of doc.querySelectorAll(selector)) roots.add(root);
  for (const root of roots) {
    // A root inside another root is the same editor.
    if ([...roots].some((other) => other !== root && other.contains(root))) continue;
    if (s.requires && !pick(root, s.requires)) continue;
    const location = pick<Field>(root, s.location);
    const description = pick<Field>(root, s.description) ?? frameBody(root, s.descriptionFrame);
    if (!location && !description) continue;
    const field = (location ?? description)!;
    const anchor = s.anchor?.map((a) => field.closest(a)).find((x) => x && x !== root && root.contains(x)) ?? field;
    editors.push({ root, anchor, location, description, title: pick<HTMLInputElement>(root, s.title), ...(s.save ? { save: s.save } : {}) });
  }
  return editors;
}
