/** Invitation bodies of other services: the shared corpus of issue 19, read in place (@visio/testing/foreign-corpus). */
export { corpusBody, type CorpusBody } from '@visio/testing/foreign-corpus';
