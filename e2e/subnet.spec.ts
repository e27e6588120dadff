import { expect, test } from './fixtures.ts';

test.beforeEach(async ({ app }) => {
  await app.keyboard.press('Control+2');
  await expect(app.getByTestId('subnet-panel')).toBeVisible();
});

test('results update as you type, with the RFC rule stated', async ({ app }) => {
  const input = app.locator('#calc-input');
  await input.fill('10.0.0.0/31');
  const result = app.getByTestId('calc-result');
  await expect(result.locator('[data-field=broadcast] dd')).toHaveText('none');
  await expect(result.locator('[data-field=hosts] dd')).toHaveText('2');
  await expect(app.getByTestId('calc-notes')).toContainText('RFC 3021');
  await input.fill('2001:db8::1/64');
  await expect(result.locator('[data-field=addresses] dd')).toContainText('18,446,744,073,709,551,616');
  await expect(result.locator('[data-field=type] dd')).toContainText('RFC 3849');
  await expect(app.getByTestId('binary-view')).toContainText('64 network bits');
});

test('a mistake is explained, not just called invalid — in both languages', async ({ app }) => {
  const input = app.locator('#calc-input');
  await input.fill('010.1.1.1/8');
  await expect(app.getByTestId('calc-input-error')).toContainText('octal (8)');
  await expect(app.getByTestId('calc-input-error')).toContainText('decimal (10)');
  await expect(input).toHaveAttribute('aria-invalid', 'true');
  await app.getByTestId('language-select').selectOption('zh-CN');
  await expect(app.getByTestId('calc-input-error')).toContainText('八进制读作 8');
  await input.fill('192.168.1.1');
  await expect(app.getByTestId('calc-input-error')).toHaveCount(0);
  await expect(app.getByTestId('calc-notes')).toContainText('单个主机');
});

test("the course notes' example: 192.168.7.20 and 192.168.13.18 under /24 and under /16", async ({ app }) => {
  await app.locator('#subnet-tab-same').click();
  await app.locator('#same-a').fill('192.168.7.20');
  await app.locator('#same-b').fill('192.168.13.18');
  await app.locator('#same-mask').fill('255.255.255.0');
  const verdict = app.getByTestId('same-verdict');
  await expect(verdict).toHaveAttribute('data-same', 'false');
  await expect(verdict).toContainText('192.168.7.0/24');
  await expect(verdict).toContainText('192.168.13.0/24');
  await app.locator('#same-mask').fill('255.255.0.0');
  await expect(verdict).toHaveAttribute('data-same', 'true');
  await expect(verdict).toContainText('Same subnet');
});

test('split 10.0.0.0/8 into /24 and scroll to the last of 65,536 rows', async ({ app }) => {
  await app.locator('#subnet-tab-split').click();
  await app.locator('#split-network').fill('10.0.0.0/8');
  await app.locator('#split-mode').selectOption('prefix');
  await app.locator('#split-value').fill('24');
  await expect(app.getByTestId('split-count')).toHaveText('65,536 subnets');
  await expect(app.getByTestId('split-row').first()).toContainText('10.0.0.0/24');
  // only a screenful of rows exists in the DOM: the list is virtual
  expect(await app.getByTestId('split-row').count()).toBeLessThan(60);
  await app.getByTestId('split-scroller').evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await expect(app.getByTestId('split-row').filter({ hasText: '10.255.255.0/24' })).toBeVisible();
  await expect(app.getByTestId('split-row').filter({ hasText: '65536' })).toBeVisible();
});

test('VLSM lists subnets in address order and what is left unused', async ({ app }) => {
  await app.locator('#subnet-tab-split').click();
  await app.locator('#split-network').fill('192.168.1.0/24');
  await app.locator('#split-mode').selectOption('hosts');
  await app.locator('#split-value').fill('20,50,2');
  await expect(app.getByTestId('split-row').nth(0)).toContainText('192.168.1.0/26');
  await expect(app.getByTestId('split-row').nth(1)).toContainText('192.168.1.64/27');
  await expect(app.getByTestId('split-row').nth(2)).toContainText('192.168.1.96/30');
  await expect(app.getByTestId('split-unused')).toContainText('192.168.1.128/25');
  await app.locator('#split-value').fill('200,100');
  await expect(app.locator('#split-value-error')).toContainText('no room left');
});

test('summarize and exclude', async ({ app }) => {
  await app.locator('#subnet-tab-summarize').click();
  await app.locator('#sum-input').fill('10.0.0.0/24\n10.0.1.0/24\n10.0.2.0/23');
  await expect(app.getByTestId('sum-result')).toHaveText('10.0.0.0/22');
  await app.locator('#ex-network').fill('10.0.0.0/24');
  await app.locator('#ex-remove').fill('10.0.0.64/26');
  await expect(app.getByTestId('exclude-result').locator('li')).toHaveText(['10.0.0.0/26', '10.0.0.128/25']);
});

test("this machine's interfaces load into the calculator with one click", async ({ app }) => {
  await app.locator('#subnet-tab-interfaces').click();
  const loopback = app.getByTestId('interface-address').filter({ hasText: '127.0.0.1/8' });
  await loopback.click();
  await expect(app.locator('#calc-input')).toHaveValue('127.0.0.1/8');
  await expect(app.getByTestId('calc-result').locator('[data-field=type] dd')).toContainText('Loopback');
});

test('the subnet tree divides a block into halves and joins them back', async ({ app }) => {
  await app.locator('#subnet-tab-tree').click();
  await app.locator('#tree-root').fill('192.168.0.0/24');
  await expect(app.getByTestId('tree-leaves')).toHaveText('Subnets in use: 1');
  const row = (cidr: string) => app.locator(`[data-testid=tree-row][data-cidr="${cidr}"]`);
  await row('192.168.0.0/24').getByRole('button', { name: 'Divide' }).click();
  await row('192.168.0.128/25').getByRole('button', { name: 'Divide' }).click();
  await expect(app.getByTestId('tree-leaves')).toHaveText('Subnets in use: 3');
  await expect(row('192.168.0.192/26')).toContainText('62 hosts');
  // joining the root folds everything under it
  await row('192.168.0.0/24').getByRole('button', { name: 'Join' }).click();
  await expect(app.getByTestId('tree-leaves')).toHaveText('Subnets in use: 1');
  await expect(row('192.168.0.128/25')).toHaveCount(0);
});
