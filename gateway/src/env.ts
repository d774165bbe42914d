/** Building blocks of the environment schemas (config.ts and each room provider's own variables). */
import { z } from 'zod';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** A comma-separated list; empty items dropped. */
export const list = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

export const httpUrl = z.url({ protocol: /^https?$/ }).transform((v) => v.replace(/\/+$/, ''));

export const wsOrHttpUrl = z.url({ protocol: /^(wss?|https?)$/ }).transform((v) => v.replace(/\/+$/, ''));

export const flag = z.enum(['true', 'false', '1', '0', 'on', 'off', 'yes', 'no']).transform((v) => ['true', '1', 'on', 'yes'].includes(v));

export const seconds = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

/** One line per issue (`  NAME: what is wrong`), a missing variable named as required where `requiredWhen` says. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], source: Record<string, string | undefined>, requiredWhen?: string): string[] {
  return issues.map((i) => {
    const name = i.path.join('.') || '(env)';
    const missing = requiredWhen && i.path.length === 1 && source[String(i.path[0])] === undefined;
    return `  ${name}: ${missing ? `required when ${requiredWhen}` : i.message}`;
  });
}
