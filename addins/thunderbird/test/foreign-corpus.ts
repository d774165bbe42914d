/**
 * Invitation bodies of other services, copied from the corpus of issue 19 (shared/test/fixtures/
 * foreign-meetings, same format: a header, `====`, the body where ⟦…⟧ marks what a switch removes).
 */
import { readFileSync } from 'node:fs';

export interface CorpusBody {
  /** The body as the other service wrote it. */
  input: string;
  /** The same body without the foreign meeting: the agent's own text, byte for byte. */
  expected: string;
}

export function corpusBody(name: string): CorpusBody {
  const raw = readFileSync(new URL(`./fixtures/foreign-meetings/${name}.txt`, import.meta.url), 'utf8');
  const split = raw.indexOf('\n====\n');
  let body = raw.slice(split + 6);
  if (/^crlf: yes$/m.test(raw.slice(0, split))) body = body.replace(/\r?\n/g, '\r\n');
  return { input: body.replace(/[⟦⟧]/g, ''), expected: body.replace(/⟦[^⟧]*⟧/g, '') };
}
