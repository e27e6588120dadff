import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, lockedDownPolicy, newNonce, withNonce } from './csp.ts';

describe('contentSecurityPolicy', () => {
  it('allows scripts by nonce with strict-dynamic only, no plugins, no <base>, Trusted Types required', () => {
    const csp = contentSecurityPolicy('abc', ['ws://localhost:5173']);
    const directives = Object.fromEntries(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
    expect(directives['script-src']).toBe("'nonce-abc' 'strict-dynamic'");
    expect(directives['object-src']).toBe("'none'");
    expect(directives['base-uri']).toBe("'none'");
    expect(directives['require-trusted-types-for']).toBe("'script'");
    expect(directives['frame-ancestors']).toBe("'none'");
    expect(directives['connect-src']).toBe("'self' ws://localhost:5173");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(lockedDownPolicy).toMatch(/^default-src 'none'/);
  });

  it('makes a fresh 128-bit nonce each time', () => {
    const a = newNonce();
    expect(Buffer.from(a, 'base64')).toHaveLength(16);
    expect(newNonce()).not.toBe(a);
  });
});

describe('withNonce', () => {
  it('puts the nonce on every script, link and style tag and adds the csp-nonce meta for Vite', () => {
    const html =
      '<!doctype html><html><head>\n<link rel="icon" href="./icon.svg">\n<script type="module" crossorigin src="./assets/a.js"></script><link rel="stylesheet" href="./a.css"><style>p{}</style></head><body><scriptx></scriptx></body></html>';
    const out = withNonce(html, 'N0nce');
    expect(out.match(/<script nonce="N0nce" type="module"/g)).toHaveLength(1);
    expect(out.match(/<link nonce="N0nce"/g)).toHaveLength(2);
    expect(out).toContain('<style nonce="N0nce">');
    expect(out).toContain('<scriptx>');
    expect(out).toContain('<head>\n    <meta property="csp-nonce" nonce="N0nce" />');
  });

  it('replaces a nonce already in the file instead of adding a second one', () => {
    expect(withNonce('<head><script nonce="old" src="x"></script></head>', 'new')).toBe(
      '<head>\n    <meta property="csp-nonce" nonce="new" /><script nonce="new" src="x"></script></head>',
    );
  });
});
