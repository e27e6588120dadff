import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as electron from 'electron';
import { tempDir } from '../../test/support/temp-dir.ts';
import { serveAppProtocol } from './app-protocol.ts';

// `electron` is the recording fake from test/support/electron-fake.ts (vitest alias).
const fake = electron as unknown as typeof import('../../test/support/electron-fake.ts');

describe('app:// protocol', () => {
  it('serves index.html with a fresh nonce on its tags and the same nonce in its CSP; assets run nothing', async () => {
    const dir = await tempDir('wirelab-app-');
    await mkdir(join(dir, 'assets'));
    await writeFile(
      join(dir, 'index.html'),
      '<!doctype html><html><head><script type="module" src="./assets/a.js"></script><link rel="stylesheet" href="./assets/a.css"></head></html>',
    );
    await writeFile(join(dir, 'assets', 'a.js'), 'console.log(1)');
    serveAppProtocol(dir);
    const handle = fake.protocol.handlers.get('app') as (r: Request) => Promise<Response>;
    const page = await handle(new Request('app://wirelab/index.html'));
    const csp = page.headers.get('content-security-policy') ?? '';
    const nonce = /script-src 'nonce-([^']+)' 'strict-dynamic'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    const html = await page.text();
    expect(html).toContain(`<script nonce="${nonce}" type="module"`);
    expect(html).toContain(`<link nonce="${nonce}" rel="stylesheet"`);
    const second = await handle(new Request('app://wirelab/index.html'));
    expect(second.headers.get('content-security-policy')).not.toContain(nonce);
    const asset = await handle(new Request('app://wirelab/assets/a.js'));
    expect(asset.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
    expect(await asset.text()).toBe('console.log(1)');
  });
});
