// `npm test`: typecheck, lint (layers included), build, unit + integration (vitest), e2e
// (Playwright in Debian's Chromium against the browser host). Every suite runs even if an
// earlier one failed; the last line sums them all as `N passed, N failed, N skipped`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { projectRoot } from './electron-binary.mjs';

const results = join(projectRoot, '.test-results');
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });
const bin = (name) => join(projectRoot, 'node_modules', '.bin', name);
const totals = { passed: 0, failed: 0, skipped: 0 };
const lines = [];
const skipNotes = [];
// Each failed test by name with the first line of its error, printed in the summary: CI shows only
// the tail of the output, and a failure there must say which test failed and why.
const failNotes = [];
const firstLine = (text) =>
  stripVTControlCharacters(String(text ?? ''))
    .trim()
    .split('\n')[0]
    .slice(0, 300);

function run(label, cmd, args, env = {}) {
  console.log(`\n=== ${label}: ${[cmd.replace(projectRoot + '/', ''), ...args].join(' ')}`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: projectRoot, stdio: 'inherit', env: { ...process.env, ...env } });
  return { ok: r.status === 0, seconds: ((Date.now() - started) / 1000).toFixed(1) };
}

function check(label, cmd, args) {
  const r = run(label, cmd, args);
  totals[r.ok ? 'passed' : 'failed']++;
  lines.push(`${label}: ${r.ok ? 'passed' : 'FAILED'} (${r.seconds}s)`);
}

check('typecheck', bin('tsc'), ['-p', 'tsconfig.web.json']);
check('typecheck (node)', bin('tsc'), ['-p', 'tsconfig.node.json']);
check('typecheck (renderer tests)', bin('tsc'), ['-p', 'tsconfig.renderer-test.json']);
check('lint', bin('eslint'), ['.', '--max-warnings', '0']);
check('format (prettier --check; npm run format writes it)', bin('prettier'), ['--check', '.', '--log-level', 'warn']);
check('build', bin('electron-vite'), ['build', '--logLevel', 'warn']);

// Two vitest runs: the ordinary files in parallel, then the load tests (floods, fuzzing, 300
// generator runs, killed hosts, 10,000 connections — files named *.load.test.ts — and the Wine
// suite, *.wine.test.ts, whose socket-owner lookups slow down while another file holds thousands
// of sockets) one file at a time, so that their CPU use cannot starve the timing-sensitive tests
// of another file on a 2-core machine, and no other file's load can starve them.
function vitest(label, out, args) {
  const r = run(label, bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile=${out}`, ...args]);
  if (existsSync(out)) {
    const j = JSON.parse(readFileSync(out, 'utf8'));
    totals.passed += j.numPassedTests;
    totals.failed += j.numFailedTests;
    totals.skipped += j.numPendingTests + (j.numTodoTests ?? 0);
    // A file that failed without a failed test (it did not load, or a hook failed) is counted
    // too, so it cannot pass unnoticed; so is vitest's own failure when no test says why.
    let broken = 0;
    for (const f of j.testResults) {
      const file = relative(projectRoot, f.name);
      const failedTests = f.assertionResults.filter((a) => a.status === 'failed');
      if (f.status === 'failed' && failedTests.length === 0) {
        broken++;
        failNotes.push(`FAILED: ${file} — ${firstLine(f.message) || 'the file failed outside its tests'}`);
      }
      for (const a of failedTests) failNotes.push(`FAILED: ${file} › ${a.fullName} — ${firstLine(a.failureMessages?.[0])}`);
    }
    if (!r.ok && j.numFailedTests + broken === 0) {
      broken++;
      failNotes.push(`FAILED: ${label} exited with an error though no test failed (an unhandled error; see its output)`);
    }
    totals.failed += broken;
    lines.push(`${label}: ${j.numPassedTests} passed, ${j.numFailedTests + broken} failed, ${j.numPendingTests} skipped (${r.seconds}s)`);
  } else {
    totals.failed++;
    lines.push(`${label}: FAILED to produce a report`);
  }
}
vitest('vitest', join(results, 'vitest.json'), ['--exclude', '**/*.load.test.ts', '--exclude', '**/*.wine.test.ts']);
vitest('vitest (load and Wine tests, one file at a time)', join(results, 'vitest-load.json'), ['--no-file-parallelism', '.load.test.ts', '.wine.test.ts']);

{
  const out = join(results, 'playwright.json');
  const r = run('e2e (Playwright, Chromium)', bin('playwright'), ['test']);
  if (existsSync(out)) {
    const j = JSON.parse(readFileSync(out, 'utf8'));
    const s = j.stats;
    // spec.file is relative to the project's testDir (e2e/)
    const testDir = j.config?.rootDir ? relative(projectRoot, j.config.rootDir) + '/' : '';
    totals.passed += s.expected + s.flaky;
    totals.failed += s.unexpected;
    totals.skipped += s.skipped;
    const walk = (suite) => {
      for (const spec of suite.specs ?? [])
        for (const t of spec.tests)
          for (const res of t.results) {
            if (res.status === 'failed' || res.status === 'timedOut' || res.status === 'interrupted')
              failNotes.push(
                `FAILED (${res.status}): ${testDir}${spec.file}:${spec.line} › [${t.projectName}] ${spec.title} — ${firstLine(res.error?.message)}`,
              );
            if (res.status === 'skipped')
              skipNotes.push(`skipped: ${spec.title} — ${t.annotations.find((a) => a.type === 'skip')?.description ?? 'no reason given'}`);
          }
      for (const child of suite.suites ?? []) walk(child);
    };
    for (const suite of j.suites) walk(suite);
    const errors = (j.errors ?? []).length;
    for (const e of j.errors ?? []) failNotes.push(`FAILED: playwright — ${firstLine(e.message)}`);
    totals.failed += errors;
    lines.push(`playwright: ${s.expected + s.flaky} passed, ${s.unexpected + errors} failed, ${s.skipped} skipped (${r.seconds}s)`);
  } else {
    totals.failed++;
    lines.push('playwright: FAILED to produce a report');
  }
}

console.log('\n=== summary');
for (const l of lines) console.log(l);
for (const n of skipNotes) console.log(n);
for (const n of failNotes) console.log(n);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 ? 1 : 0);
