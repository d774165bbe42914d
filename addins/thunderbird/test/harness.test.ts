/** The Thunderbird harness fails loudly, and cleans up, when Thunderbird cannot start. */
import { expect, test } from 'vitest';
import { launchThunderbird } from '@visio/testing/thunderbird';

test('a Thunderbird that exits at once is a clear failure', async () => {
  const error = await launchThunderbird({ executable: '/bin/false', startTimeoutMs: 5_000 }).catch((e: unknown) => e as Error);
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).message).toMatch(/^Thunderbird could not start \(process exited\)/);
});

test('a missing Thunderbird says how to install it', async () => {
  await expect(launchThunderbird({ executable: '/nonexistent/thunderbird' })).rejects.toThrow(/not installed at \/nonexistent\/thunderbird.*apt-get install thunderbird/);
});
