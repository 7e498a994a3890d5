/*
 * ModelRails beside Evidently (`npm run bench -- evidently [rows…]`): the same data, 50 columns (40
 * numeric of five shapes: normal, lognormal, Student t₃, rounded to 0.01, Poisson counts; 10
 * categorical), 10⁴ to 10⁶ rows in each of the reference and the current part, some columns drifted
 * by known amounts (bench/evidently-drift.py writes the data and times Evidently's DataDriftPreset).
 *
 * ModelRails is timed twice: from the raw columns (the reference profile built too, as Evidently
 * rebuilds its reference every run) and as it runs in production (the profile stored once at
 * training; the current window binned, then judged). Numeric columns are binned by the batch path
 * serving fleets use (the Python client's), categories counted first and added per category, as
 * the client does.
 *
 * Agreement is reported twice: on Evidently's own statistic and threshold (normalised Wasserstein
 * ≥ 0.1 for numeric columns, Jensen–Shannon distance ≥ 0.1 for categorical ones, its defaults above
 * 1,000 rows), computed by ModelRails from its summaries; and ModelRails' own verdict (PSI on
 * reference deciles above 5,000 values, KS / chi-square corrected across features below, tail
 * checks) against Evidently's, with every disagreement named.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { modelPolicySchema } from '@modelrails/plugin-mlops-common';
import { judgeFeatureDrift } from '../plugins/mlops-backend/src/drift/DriftService';
import { categoricalDrift, numericDrift } from '../plugins/mlops-backend/src/stats/fromSummaries';
import {
  addCategory,
  addNumericValues,
  CategoricalSummary,
  emptyCategorical,
  emptyNumeric,
  layoutFromSample,
  NumericLayout,
  NumericSummary,
  numericSummaryFromSample,
} from '../plugins/mlops-backend/src/stats/summaries';

type EvidentlyRun = {
  rows: number;
  columns: string[];
  numeric: number;
  categories: number;
  seconds: number;
  verdicts: Record<string, { method: string; value: number; threshold: number; drifted: boolean }>;
};

const python = process.env.EVIDENTLY_PYTHON!;
const policy = modelPolicySchema.parse({});

function categoricalSummary(codes: Float64Array, categories: number): CategoricalSummary {
  const counts = new Float64Array(categories);
  for (let i = 0; i < codes.length; i++) counts[codes[i]]++;
  const summary = emptyCategorical();
  counts.forEach((c, k) => c && addCategory(summary, `c${k}`, c));
  return summary;
}

type Profile = { layouts: Array<NumericLayout | null>; summaries: Array<NumericSummary | CategoricalSummary> };

function buildProfile(run: EvidentlyRun, column: (c: number) => Float64Array): Profile {
  const layouts: Array<NumericLayout | null> = [];
  const summaries: Array<NumericSummary | CategoricalSummary> = [];
  run.columns.forEach((_, c) => {
    if (c < run.numeric) {
      const layout = layoutFromSample(column(c));
      layouts.push(layout);
      summaries.push(numericSummaryFromSample(column(c), layout));
    } else {
      layouts.push(null);
      summaries.push(categoricalSummary(column(c), run.categories));
    }
  });
  return { layouts, summaries };
}

function judgeWindow(run: EvidentlyRun, profile: Profile, column: (c: number) => Float64Array) {
  const current = run.columns.map((_, c) => {
    const layout = profile.layouts[c];
    if (!layout) return categoricalSummary(column(c), run.categories);
    const summary = emptyNumeric(layout);
    addNumericValues(summary, layout, column(c));
    return summary;
  });
  const inputs = run.columns.map((feature, c) => ({ feature, layout: profile.layouts[c], reference: profile.summaries[c], current: current[c] }));
  return { current, verdicts: judgeFeatureDrift(policy, '*', inputs) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const seconds = (s: number) => (s < 1 ? `${(s * 1000).toFixed(0)} ms` : `${s.toFixed(2)} s`);

function benchRows(rows: number) {
  const dir = mkdtempSync(join(tmpdir(), 'mr-evidently-'));
  try {
    const out = execFileSync(python, [join(__dirname, 'evidently-drift.py'), String(rows), dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const run: EvidentlyRun = JSON.parse(out.trim().split('\n').pop()!);
    const part = (name: string) => {
      const bytes = readFileSync(join(dir, `${name}.f64`));
      return new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
    };
    const reference = part('reference');
    const currentData = part('current');
    const refColumn = (c: number) => reference.subarray(c * rows, (c + 1) * rows);
    const curColumn = (c: number) => currentData.subarray(c * rows, (c + 1) * rows);

    // Three runs each; the median.
    const fromRaw: number[] = [];
    const withProfile: number[] = [];
    let judged!: ReturnType<typeof judgeWindow>;
    let profile!: Profile;
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      profile = buildProfile(run, refColumn);
      const t1 = performance.now();
      judged = judgeWindow(run, profile, curColumn);
      const t2 = performance.now();
      fromRaw.push((t2 - t0) / 1000);
      withProfile.push((t2 - t1) / 1000);
    }

    // Agreement on Evidently's statistic and threshold, computed from ModelRails' summaries.
    let sameStatistic = 0;
    let largestGap = 0;
    let largestSmallGap = 0;
    const statisticDisagreements: string[] = [];
    run.columns.forEach((name, c) => {
      const evidently = run.verdicts[name];
      const layout = profile.layouts[c];
      const ours = layout
        ? numericDrift(layout, profile.summaries[c] as NumericSummary, judged.current[c] as NumericSummary).wasserstein
        : categoricalDrift(profile.summaries[c] as CategoricalSummary, judged.current[c] as CategoricalSummary).jensenShannon;
      const method = layout ? 'Wasserstein distance (normed)' : 'Jensen-Shannon distance';
      if (evidently.method !== method) {
        statisticDisagreements.push(`${name}: Evidently used ${evidently.method}`);
        return;
      }
      // Relative where the distance is large enough to matter, absolute on the near-zero ones.
      const gap = Math.abs(ours - evidently.value);
      if (evidently.value >= 0.05) largestGap = Math.max(largestGap, gap / evidently.value);
      else largestSmallGap = Math.max(largestSmallGap, gap);
      if (ours >= evidently.threshold === evidently.drifted) sameStatistic++;
      else statisticDisagreements.push(`${name}: ModelRails ${ours.toFixed(4)}, Evidently ${evidently.value.toFixed(4)} (threshold ${evidently.threshold})`);
    });

    // ModelRails' own verdict against Evidently's.
    let agree = 0;
    const disagreements: string[] = [];
    for (const f of judged.verdicts) {
      const evidently = run.verdicts[f.feature];
      const flagged = f.severity === 'warning' || f.severity === 'critical';
      if (flagged === evidently.drifted) {
        agree++;
        continue;
      }
      const why = [
        `${f.test}${f.psi !== null ? ` PSI ${f.psi.toFixed(3)}` : ''}`,
        f.pValue !== null && f.test !== 'psi' ? `p ${f.pValue.toExponential(1)}` : null,
        f.tail?.flagged ? `tail ×${Math.max(f.tail.lower.ratio, f.tail.upper.ratio).toFixed(1)}` : null,
      ].filter(Boolean);
      disagreements.push(`${f.feature}: ModelRails ${flagged ? f.severity : 'no drift'} (${why.join(', ')}); Evidently ${evidently.drifted ? 'drift' : 'no drift'} (${evidently.method} ${evidently.value.toFixed(3)})`);
    }

    const columns = run.columns.length;
    console.log(
      `  ${rows.toExponential(0).padEnd(7)} ${seconds(run.seconds).padEnd(10)} ${seconds(median(fromRaw)).padEnd(12)} ${seconds(median(withProfile)).padEnd(14)} ` +
        `${`${(run.seconds / median(fromRaw)).toFixed(0)}× / ${(run.seconds / median(withProfile)).toFixed(0)}×`.padEnd(16)} ` +
        `${sameStatistic}/${columns} (gap ≤ ${(largestGap * 100).toFixed(1)} % / ±${largestSmallGap.toFixed(4)})`.padEnd(36) +
        `${agree}/${columns}`,
    );
    for (const d of statisticDisagreements) console.log(`      same statistic, differs: ${d}`);
    for (const d of disagreements) console.log(`      own verdicts differ: ${d}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main() {
  const sizes = process.argv.slice(2).map(Number).filter(n => n > 0);
  console.log('\nModelRails beside Evidently 0.7 (DataDriftPreset), 50 columns (40 numeric, 10 categorical), rows in each part');
  console.log('  ModelRails from raw: reference profile built too; with profile: as in production (profile stored at training).');
  console.log('  Same statistic: the gap between the two values, relative where Evidently\'s is ≥ 0.05, absolute below.');
  console.log('  rows    Evidently  ModelRails   with profile   time ratio       same statistic & threshold          own verdicts agree');
  for (const rows of sizes.length ? sizes : [10_000, 100_000, 1_000_000]) benchRows(rows);
}

main();
