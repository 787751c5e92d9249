// Benchmark runner: runs the default set of bench/scenarios (or those named on the command line) and writes results/latest.{json,md,svg}.
// stdout carries the report (Markdown, or with --json the JSON of latest.json); stderr carries progress and a summary.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchChart, BenchContext, BenchScenario, ScenarioResult, TargetFigure } from './lib/types.js';
import { renderMarkdown } from './lib/report.js';
import { formatFinished, formatStarting, formatSummary } from '../src/cli/commands/bench-progress.js';
import { renderSvg } from '../src/cli/commands/bench-chart.js';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const scenariosDir = join(benchDir, 'scenarios');
const resultsDir = join(benchDir, 'results');
/** What runs when no scenario is named: the sandbox speed suite (issue 9's figures), about a minute with --quick. */
const DEFAULT_SET = ['sandbox-http', 'sandbox-idle', 'sandbox-overhead'];
/** What a quick pass aims at, leaving a few seconds of the minute for start-up and writing the results. */
const QUICK_PASS_MS = 52_000;

async function loadScenarios(filters: readonly string[]): Promise<BenchScenario[]> {
  const files = (await readdir(scenariosDir)).filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts')).sort();
  const scenarios: BenchScenario[] = [];
  for (const file of files) {
    // A scenario's file is named after it: selecting by file name first spares importing (and transpiling) the others.
    const fileName = file.slice(0, -'.ts'.length);
    // No names: the default set (the sandbox speed suite); `all` runs every scenario, including those needing Redis or PostgreSQL.
    if (filters.length === 0 ? !DEFAULT_SET.includes(fileName) : !filters.some((filter) => filter === 'all' || fileName.includes(filter))) continue;
    const module = (await import(pathToFileURL(join(scenariosDir, file)).href)) as Partial<BenchScenario>;
    if (typeof module.name !== 'string' || typeof module.run !== 'function') {
      console.error(`bench: ${file} does not export name and run(ctx); skipped`);
      continue;
    }
    scenarios.push(module as BenchScenario);
  }
  return scenarios;
}

async function main(): Promise<void> {
  const filters = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
  const asJson = process.argv.includes('--json');
  // --quick is a short pass (a fifth of the iterations) unless BENCH_SCALE says otherwise.
  const quick = process.argv.includes('--quick');
  const scale = Number(process.env.BENCH_SCALE ?? (quick ? '0.2' : '1'));
  if (!Number.isFinite(scale) || scale <= 0) throw new Error(`BENCH_SCALE must be a positive number, got ${process.env.BENCH_SCALE}`);
  const scenarios = await loadScenarios(filters);
  if (scenarios.length === 0) throw new Error(`no scenario matches ${filters.join(', ') || '(any)'} in ${scenariosDir}`);

  // The load average before and after says how much else the host was doing: figures of a busy host are noisier.
  const load = () => loadavg().map((value) => value.toFixed(2)).join(' ');
  const host: Record<string, string | number> = { cpus: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', kernel: release(), node: process.version, scale, quick: String(quick), date: new Date().toISOString(), 'load before': load() };
  const results: ScenarioResult[] = [];
  // A quick pass aims at a minute in all: each scenario gets a share of what is left, by weight, so one that finishes
  // early leaves more to the next, and a busy host makes shorter windows rather than a longer pass.
  const quickEnd = performance.now() + QUICK_PASS_MS;
  for (const [index, scenario] of scenarios.entries()) {
    const weights = scenarios.slice(index).map((next) => next.quickWeight ?? 1);
    const share = (weights[0]! / weights.reduce((sum, weight) => sum + weight, 0)) * Math.max(0, quickEnd - performance.now());
    const tmpDir = await mkdtemp(join(tmpdir(), `runlane-bench-${scenario.name}-`));
    const charts: BenchChart[] = [];
    const targets: TargetFigure[] = [];
    const ctx: BenchContext = {
      cores: availableParallelism(),
      iterations: (count, minimum = 1) => Math.max(minimum, Math.round(count * scale)),
      tmpDir,
      log: (message) => console.error(`[${scenario.name}] ${message}`),
      quick,
      deadline: quick ? performance.now() + share : null,
      chart: (chart) => charts.push(chart),
      target: (figure) => targets.push(figure),
    };
    const started = performance.now();
    console.error(formatStarting(index, scenarios.length, scenario.name));
    try {
      const rows = await scenario.run(ctx);
      results.push({ name: scenario.name, description: scenario.description ?? null, durationMs: Math.round(performance.now() - started), rows, charts, targets, error: null });
    } catch (error) {
      console.error(`bench: ${scenario.name} failed:`, error);
      // Figures of the part that finished are kept: a scenario failing late still reports what it measured.
      results.push({ name: scenario.name, description: scenario.description ?? null, durationMs: Math.round(performance.now() - started), rows: [], charts, targets, error: (error as Error).message });
    } finally {
      await rm(tmpDir, { recursive: true, force: true });
    }
    console.error(formatFinished(index, scenarios.length, results.at(-1)!));
  }

  host['load after'] = load();
  await mkdir(resultsDir, { recursive: true });
  const markdown = renderMarkdown(results, host);
  const json = `${JSON.stringify({ host, targets: results.flatMap((result) => result.targets), results }, null, 2)}\n`;
  await writeFile(join(resultsDir, 'latest.json'), json);
  await writeFile(join(resultsDir, 'latest.md'), markdown);
  const charts = results.flatMap((result) => result.charts);
  const subtitle = `${host.date} · ${host.cpus} CPUs (${host.cpu}) · Linux ${host.kernel} · Node.js ${host.node} · scale ${scale} · load ${host['load before']} → ${host['load after']}`;
  await writeFile(join(resultsDir, 'latest.svg'), renderSvg('Runlane benchmark: same-run figures', subtitle, charts));
  process.stdout.write(asJson ? json : `${markdown}\n`);
  console.error(`\n${formatSummary(results)}`);
  if (results.some((result) => result.error)) process.exitCode = 1;
}

await main();

// A scenario that leaves a handle open (a socket in keep-alive, a timer) must not keep the suite from ending: name it, then exit.
setTimeout(() => {
  const open = (process as unknown as { _getActiveHandles(): object[] })._getActiveHandles().map((handle) => handle.constructor.name);
  console.error(`bench: still open 5 s after the last scenario: ${open.join(', ') || 'nothing'}; exiting`);
  process.exit(process.exitCode ?? 0);
}, 5_000).unref();
