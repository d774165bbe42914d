/**
 * The corpus of other services' invitation bodies (fixtures/foreign-meetings, issue 19), read in place by
 * every package's tests (through @visio/testing/foreign-corpus): one file per body, a header (provider,
 * format, lang, source, shape), `====`, then the body where ⟦…⟧ marks what a switch removes (the markers
 * are not part of the input).
 */
import { readdirSync, readFileSync } from 'node:fs';

const ROOT = new URL('./fixtures/foreign-meetings/', import.meta.url);

export interface CorpusBody {
  /** Header fields (provider, format, lang, source, shape, crlf). */
  header: Record<string, string>;
  /** The body as the other service wrote it. */
  input: string;
  /** The same body without the foreign meeting: the agent's own text, byte for byte. */
  expected: string;
}

/** One corpus body by its path under the corpus, e.g. `teams/html-fr-desktop` (`.txt` optional). */
export function corpusBody(name: string): CorpusBody {
  const raw = readFileSync(new URL(name.endsWith('.txt') ? name : `${name}.txt`, ROOT), 'utf8');
  const split = raw.indexOf('\n====\n');
  if (split < 0) throw new Error(`${name}: no ==== line between header and body`);
  const header = Object.fromEntries(
    raw
      .slice(0, split)
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]),
  );
  let body = raw.slice(split + 6);
  if (header.crlf === 'yes') body = body.replace(/\r?\n/g, '\r\n');
  return { header, input: body.replace(/[⟦⟧]/g, ''), expected: body.replace(/⟦[^⟧]*⟧/g, '') };
}

/** Every corpus body, named `provider/file.txt` (the README beside the provider folders is not one). */
export function readCorpus(): (CorpusBody & { file: string })[] {
  return readdirSync(ROOT, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap(({ name: provider }) =>
      readdirSync(new URL(`${provider}/`, ROOT))
        .filter((name) => name.endsWith('.txt'))
        .map((name) => ({ file: `${provider}/${name}`, ...corpusBody(`${provider}/${name}`) })),
    );
}
