/** The shared corpus of other services' invitation bodies (issue 19), for every package's tests. */
export { corpusBody, readCorpus, type CorpusBody } from '../../shared/test/foreign-corpus.ts';
