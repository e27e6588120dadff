import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { projectRoot } from './support/spawn-cli.ts';

// The layer rules live in eslint.config.js; this proves they fire, so a clean lint run means something.
// The snippets are files that do not exist, so the type-aware rules (which need each file in a
// TypeScript project) are switched off here; the layer rules need no types.
const eslint = new ESLint({
  cwd: projectRoot,
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false } },
    rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/no-misused-promises': 'off' },
  },
});
async function restricted(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${projectRoot}/${file}` });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer rules', () => {
  it.each([
    ['shared/contract/x.ts', "import { readFileSync } from 'node:fs'; export const a = readFileSync;"],
    ['shared/x.ts', "import fs from 'fs'; export const a = fs;"],
    ['shared/x.ts', "import { useState } from 'react'; export const a = useState;"],
    ['shared/x.ts', "import { x } from '../electron/core/logger.ts'; export const a = x;"],
    ['renderer/src/x.ts', "import { spawn } from 'node:child_process'; export const a = spawn;"],
    ['renderer/src/x.ts', "import { Logger } from '../../electron/core/logger.ts'; export const a = Logger;"],
    ['electron/services/x.ts', "import { app } from 'electron'; export const a = app;"],
    ['electron/core/x.ts', "import { app } from 'electron'; export const a = app;"],
    ['electron/cli/x.ts', "import { app } from '../main/index.ts'; export const a = app;"],
    ['electron/main/x.ts', "import { App } from '../../renderer/src/shell/App.tsx'; export const a = App;"],
  ])('%s: %s is refused', async (file, code) => {
    expect(await restricted(file, code)).not.toEqual([]);
  });

  it.each([
    ['electron/main/x.ts', "import { app } from 'electron'; export const a = app;"],
    ['electron/services/x.ts', "import { readFileSync } from 'node:fs'; export const a = readFileSync;"],
    ['renderer/src/x.ts', "import { commands } from '../../shared/contract/index.ts'; export const a = commands;"],
  ])('%s: %s is allowed', async (file, code) => {
    expect(await restricted(file, code)).toEqual([]);
  });
});
