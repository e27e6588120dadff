#!/usr/bin/env node
// The `wirelab` command. The CLI is TypeScript shared with the app's services; tsx loads it
// without a separate build step, so `npx wirelab` works right after `npm install`.
import { register } from 'tsx/esm/api';

register();
await import('../electron/cli/index.ts');
