import { _electron as electron, expect, test } from '@playwright/test';
import { findElectronBinary, projectRoot } from '../scripts/electron-binary.mjs';

// Runs only where an Electron binary exists (checked with fs, never require('electron')).
const binary = findElectronBinary();

/** Launches the app, or skips the test saying why (printed, so the summary shows it). */
async function launchOrSkip() {
  if (binary.path === null) {
    const reason = `Electron e2e skipped: ${'reason' in binary ? binary.reason : 'no binary'}`;
    console.log(reason);
    test.skip(true, reason);
    throw new Error(reason); // not reached: test.skip(true) ends the test
  }
  return electron.launch({ executablePath: binary.path, args: ['.'], cwd: projectRoot });
}

test('the desktop window opens the shell with the security settings in force', async () => {
  const app = await launchOrSkip();
  try {
    const window = await app.firstWindow();
    await expect(window.locator('.app[data-ready="true"]')).toBeVisible();
    await expect(window.getByTestId('status-bar')).toContainText('Desktop app');
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
    // No Node in the page, only the two bridge functions.
    const page = await window.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      bridge: Object.keys((window as unknown as { wirelab: object }).wirelab).sort(),
    }));
    expect(page).toEqual({ require: 'undefined', process: 'undefined', bridge: ['host', 'invoke', 'subscribe'] });
    await window.keyboard.press('Control+2');
    await expect(window.getByTestId('subnet-panel')).toBeVisible();
  } finally {
    await app.close();
  }
});

test('the desktop app samples processes on its worker and runs the threads lab as a utility process', async () => {
  const app = await launchOrSkip();
  try {
    const window = await app.firstWindow();
    await expect(window.locator('.app[data-ready="true"]')).toBeVisible();
    await window.keyboard.press('Control+4');
    // The sampler's worker is bundled as out/main/sampler-worker.js and must load from the package.
    await expect(window.getByTestId('ps-row').first()).toBeVisible();
    await window.getByTestId('ps-tab-labs').click();
    await window.getByTestId('lab-start-threads').click();
    // The packaged app's RunAsNode fuse is off: the lab must come up through utilityProcess.fork.
    await expect(window.getByTestId('lab-threads').getByTestId('lab-running')).toContainText(/pids \d+/);
    await window.getByTestId('lab-stop-threads').click();
  } finally {
    await app.close();
  }
});
