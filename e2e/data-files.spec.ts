import { lstatSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from './fixtures.ts';

test('a settings.json that is a directory: the UI starts on defaults, names the file and the reason, and a change says it could not be saved', async ({
  page,
  host,
}) => {
  const path = join(host.dataDir, 'settings.json');
  rmSync(path, { force: true });
  mkdirSync(path);
  const restarted = await host.restart();
  await page.goto(restarted.url);
  await expect(page.locator('.app[data-ready="true"]')).toBeVisible();
  const notice = page.locator('[data-testid="notice"][data-code="DATA_FILE_UNREADABLE"]');
  await expect(notice).toHaveText(
    `${path} could not be read (EISDIR). Wirelab left it as it is and uses the defaults, and will not save over it until it is fixed or removed.`,
  );
  await page.getByTestId('theme-dark').click();
  await expect(page.getByTestId('notice').filter({ hasText: 'Could not save settings' })).toHaveText(
    `Could not save settings: Could not save to ${path} (EISDIR). Fix or remove it and try again.`,
  );
  await expect(page.getByTestId('theme-dark')).toHaveAttribute('aria-checked', 'false');
  expect(lstatSync(path).isDirectory()).toBe(true);
});
