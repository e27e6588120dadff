import { z } from 'zod';

/**
 * Zod 4 compiles object parsers with `new Function` when it can, and probes for that by calling
 * `new Function("")`. Under the UI's CSP (no 'unsafe-eval', Trusted Types required) the probe is
 * refused and reported as a violation on every start; jitless mode never tries. Imported before
 * any contract schema parses (pick-client is loaded by main.tsx before the UI renders).
 */
z.config({ jitless: true });
