import { spawn, type ChildProcess } from 'node:child_process';
import { expect, test } from './fixtures.ts';

/** A course-style peer (test/fixtures/course_peers.py): one connection, then it stops. */
function echoPeer(...mode: string[]): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['test/fixtures/course_peers.py', ...(mode.length ? mode : ['echo'])], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.once('data', (d: Buffer) => resolve({ child, port: Number(d.toString().trim()) }));
    child.on('error', reject);
  });
}

test.beforeEach(async ({ app }) => {
  await app.keyboard.press('Control+1');
  await app.getByTestId('client-tools').locator('summary').click();
  await expect(app.getByTestId('script-card')).toBeVisible();
});

test('a student runs a send→expect script, sees each step, and a typo is named by step and field', async ({ app }) => {
  const peer = await echoPeer();
  try {
    const script = {
      connect: { kind: 'tcp', host: '127.0.0.1', port: peer.port },
      steps: [{ send: 'hello' }, { expect: 'hello' }, { expect: 'never', timeoutMs: 300 }],
    };
    await app.locator('#script-text').fill(JSON.stringify(script));
    await app.getByTestId('script-run').click();
    const steps = app.getByTestId('script-step');
    await expect(steps).toHaveCount(3);
    await expect(steps.nth(1)).toContainText('steps[1].expect');
    await expect(steps.nth(1)).toContainText('got "hello"');
    await expect(steps.nth(2)).toContainText('steps[2].expect: nothing it waits for arrived before the step timed out');
  } finally {
    peer.child.kill();
  }
  await app.locator('#script-text').fill('{"connect": {"kind": "tcp", "host": "127.0.0.1", "port": 9}, "steps": [{"sned": "x"}]}');
  await expect(app.getByTestId('script-problems')).toContainText('steps[0].sned: not a key of the format');
  await expect(app.getByTestId('script-run')).toBeDisabled();
});

test('a slow script is seen step by step; a reload mid-run shows the steps so far and follows the rest live; a failed step opens to its bytes', async ({
  app,
}) => {
  // the peer thinks 1.2 s before each answer: the run takes ~4 s, and each step shows as it ends
  const peer = await echoPeer('slow', '1.2');
  try {
    const script = {
      connect: { kind: 'tcp', host: '127.0.0.1', port: peer.port },
      steps: [
        { send: 'one' },
        { expect: 'one', timeoutMs: 15_000 },
        { send: 'two' },
        { expect: 'two', timeoutMs: 15_000 },
        { send: 'three' },
        { expect: 'four', timeoutMs: 3000 },
      ],
    };
    await app.locator('#script-text').fill(JSON.stringify(script));
    await app.getByTestId('script-run').click();
    const steps = app.getByTestId('script-step');
    // live: the first steps are there while the run still goes (the running step marked)
    await expect(steps.nth(1)).toContainText('steps[1].expect');
    await expect(app.getByTestId('script-step-running')).toBeVisible();
    await expect(app.getByTestId('script-stop')).toBeVisible();
    const before = await steps.count();
    expect(before).toBeLessThan(6);

    await app.reload();
    await app.keyboard.press('Control+1');
    await app.getByTestId('client-tools').locator('summary').click();
    // the backend's run: the script, the steps so far, then the rest as they happen
    await expect(app.locator('#script-text')).toHaveValue(JSON.stringify(script));
    await expect(steps.nth(before - 1)).toBeVisible();
    await expect(app.getByTestId('script-step-running')).toBeVisible();
    await expect(steps).toHaveCount(6, { timeout: 20_000 });
    await expect(steps.nth(5)).toContainText('steps[5].expect');
    await expect(steps.nth(5)).toHaveClass(/fail/);
    await expect(app.getByTestId('script-step-running')).toHaveCount(0);
    await expect(app.getByTestId('script-stop')).toHaveCount(0);
    await expect(app.getByTestId('script-transcript')).toHaveText('This run sent and received 6 chunks, 22 bytes');

    // the failed step, opened: what came while it waited, as the sender log shows a chunk
    await steps.nth(5).getByTestId('script-step-toggle').click();
    const bytes = steps.nth(5).getByTestId('script-step-bytes');
    await expect(bytes.getByTestId('log-chunk')).toHaveCount(1);
    await expect(bytes.getByTestId('log-chunk')).toHaveAttribute('data-dir', 'in');
    await expect(bytes.getByTestId('log-text')).toHaveText('three');
    await expect(bytes.getByTestId('log-hex')).toHaveText('74 68 72 65 65');

    // the whole run as pcap, from the same writer as the sender log's export
    const download = app.waitForEvent('download');
    await app.getByTestId('script-export-pcap').click();
    const file = await download;
    const pcap = await (await import('node:fs/promises')).readFile((await file.path())!);
    expect(pcap.readUInt32LE(0)).toBe(0xa1b2c3d4);
    expect(pcap.includes(Buffer.from('three'))).toBe(true);
  } finally {
    peer.child.kill();
  }
});

test('the HTTP composer shows the exact bytes it will send, in Chinese too, and refuses https by name', async ({ app }) => {
  await app.locator('#http-url').fill('http://127.0.0.1:8000/a?b=1');
  // each line as sent, its CR LF written out as \r\n
  await expect
    .poll(() => app.getByTestId('http-preview').textContent())
    .toBe('GET /a?b=1 HTTP/1.1\\r\\n\nHost: 127.0.0.1:8000\\r\\n\nAccept: */*\\r\\n\nConnection: close\\r\\n\n\\r\\n\n');
  await app.getByTestId('language-select').selectOption('zh-CN');
  await app.locator('#http-url').fill('https://127.0.0.1/');
  await expect(app.getByTestId('http-preview-error')).toHaveText('地址：只支持 http:// 地址，例如 http://127.0.0.1:8000/（不提供 https：线路上的字节是密文）');
  await expect(app.getByTestId('http-send')).toBeDisabled();
});
