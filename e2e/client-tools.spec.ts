import { spawn, type ChildProcess } from 'node:child_process';
import { expect, test } from './fixtures.ts';

/** The course-style echo peer (test/fixtures/course_peers.py): one connection, then it stops. */
function echoPeer(): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['test/fixtures/course_peers.py', 'echo'], { stdio: ['ignore', 'pipe', 'inherit'] });
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
