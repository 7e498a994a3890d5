import {
  formatMetricValue,
  formatNumber,
  formatPercent,
  KpiReport,
  ModelVersion,
  ModelVersionList,
  PolicySection,
} from '@modelrails/plugin-mlops-common';

/** What a model card is made of: the catalog's record, the registry's, production KPIs, the policy, the team's notes. */
export type ModelCardInput = {
  modelRef: string;
  title: string;
  description?: string;
  type: string;
  lifecycle: string;
  owner: string;
  system?: string;
  servedBy?: string;
  aiModel?: string;
  /** The team's own Markdown (`modelrails.io/model-card`), or why it could not be read. */
  notes?: { path: string; markdown?: string; problem?: string };
  versions: ModelVersionList;
  /** Production KPIs over whole days (absent when the model has served nothing). */
  kpis?: KpiReport;
  policy: PolicySection[];
};

/** The team's sections the card places itself; any other section goes under "More from the team". */
const PLACED = { intended: /^intended use/i, limitations: /^(limitations|known limitations)/i };

/** A Markdown file's level-2 sections by heading (text before the first one, and a leading `# title`, dropped). */
export function notesSections(markdown: string): Array<{ heading: string; body: string }> {
  const sections: Array<{ heading: string; body: string }> = [];
  let current: { heading: string; lines: string[] } | undefined;
  let fenced = false;
  for (const line of markdown.split(/\r?\n/)) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const heading = !fenced && /^##\s+(.+?)\s*#*\s*$/.exec(line);
    if (heading) {
      if (current) sections.push({ heading: current.heading, body: current.lines.join('\n').trim() });
      current = { heading: heading[1], lines: [] };
    } else if (current) {
      // The card's own headings are level 2: the team's deeper ones stay below them.
      current.lines.push(line);
    }
  }
  if (current) sections.push({ heading: current.heading, body: current.lines.join('\n').trim() });
  return sections;
}

/** A table cell: a backslash as its entity (so none escapes the next delimiter), pipes escaped, one line. */
const cell = (text: string | number | undefined | null) =>
  text === undefined || text === null || text === ''
    ? '—'
    : String(text)
        .replace(/\\/g, '&#92;')
        .replace(/\|/g, '\\|')
        .replace(/\r?\n/g, ' ');

function table(header: string[], rows: Array<Array<string | number | undefined | null>>): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map(r => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

const day = (iso: string | undefined) => (iso ? iso.slice(0, 10) : undefined);
const gateText = (v: ModelVersion) => {
  if (!v.gates) return 'not run';
  return v.gates.passed ? 'passed' : 'failed';
};

/** `label: value` lines, those without a value left out. */
function bullets(items: Array<[string, string | undefined]>): string {
  return items
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([label, value]) => `- **${label}:** ${value}`)
    .join('\n');
}

/** A Resource in the default namespace by its name; any other reference whole. */
const shortRef = (ref: string) => ref.replace(/^resource:default\//, '');

/** `sha256:` and the first 12 hex digits: enough to tell versions apart in a table. */
const shortDigest = (digest: string | undefined) => (digest ? `\`${digest.slice(0, 19)}…\`` : undefined);

/** `ndcg@20[platform=ios]` → ndcg@20 and its slice; a metric without brackets is all traffic. */
function splitSlice(metric: string): { base: string; slice?: string } {
  const m = /^(.*)\[([^\]]+)\]$/.exec(metric);
  return m ? { base: m[1], slice: m[2] } : { base: metric };
}

/** The version the card describes: production's champion, else the newest. */
function subjectOf(list: ModelVersionList): ModelVersion | undefined {
  return list.items.find(v => v.version === list.champion) ?? list.items[0];
}

function notesSection(input: ModelCardInput, which: keyof typeof PLACED, heading: string, missing: string) {
  const found = input.notes?.markdown ? notesSections(input.notes.markdown).find(s => PLACED[which].test(s.heading)) : undefined;
  if (found?.body) return [`## ${heading}`, '', found.body, ''];
  const where = input.notes?.path
    ? `add a \`## ${heading}\` section to \`${input.notes.path}\``
    : `name a Markdown file in the \`modelrails.io/model-card\` annotation (relative to catalog-info.yaml) with a \`## ${heading}\` section`;
  const problem = input.notes?.problem ? ` (the file could not be read: ${input.notes.problem})` : '';
  return [`## ${heading}`, '', `> Not written yet${problem}: ${missing} To fill it in, ${where}.`, ''];
}

/**
 * A model card as one Markdown page, from what ModelRails knows (catalog, registry, gates,
 * production KPIs, policy) and the team's own sections. Deterministic for the same inputs: its
 * digest changes only when the card does, which is when TechDocs rebuilds it.
 */
export function renderModelCard(input: ModelCardInput): string {
  const subject = subjectOf(input.versions);
  const out: string[] = [];
  out.push(`# ${input.title}: model card`, '');
  if (input.description) out.push(input.description, '');
  out.push(
    '> Generated by ModelRails from the catalog, the model registry, gate results, production KPIs and the policy, so it',
    `> changes when they do. The team's own sections come from ${input.notes?.path ? `\`${input.notes.path}\`` : 'the file the `modelrails.io/model-card` annotation names'}.`,
    '',
  );

  out.push('## Model details', '');
  out.push(
    bullets(
      [
        ['Model', `\`${input.modelRef}\``],
        ['Type', input.type],
        ['Lifecycle', input.lifecycle],
        ['Owner', input.owner],
        ['System', input.system],
        ['Served by', input.servedBy],
        ['Catalog AI model', input.aiModel],
        ['Version described', subject ? `v${subject.version}${subject.version === input.versions.champion ? ' (champion, serving production)' : ' (newest; no champion yet)'}` : 'none registered yet'],
        ['Registered', subject ? `${day(subject.createdAt)} by ${subject.creator}${subject.creatorVerified ? '' : ' (not a catalog user)'}` : undefined],
        ['Artifact', subject ? `${subject.artifact.uri} ${shortDigest(subject.artifact.digest)}` : undefined],
        ['Code commit', subject?.codeCommit ? `\`${subject.codeCommit}\`` : undefined],
      ],
    ),
    '',
  );

  out.push(...notesSection(input, 'intended', 'Intended use', 'what the model decides, for whom, and what it must not be used for.'));

  out.push('## Training data and lineage', '');
  if (!subject) {
    out.push('No version is registered yet.', '');
  } else {
    const datasets = subject.training.datasets;
    if (datasets.length) {
      out.push(table(['Dataset', 'Version', 'Digest'], datasets.map(d => [shortRef(d.ref), d.version, shortDigest(d.digest)])), '');
    } else {
      out.push(`> v${subject.version} was registered without the data it was trained on: it is **not reproducible**.`, '');
    }
    if (subject.featureSets.length) out.push(table(['Feature set', 'Version'], subject.featureSets.map(f => [shortRef(f.ref), f.version])), '');
    const run = subject.training.run;
    if (run) out.push(`Training run ${run.url ? `[${run.id}](${run.url})` : run.id}${run.experiment ? ` (experiment ${run.experiment})` : ''}${run.finishedAt ? `, finished ${day(run.finishedAt)}` : ''}.`, '');
    const hyperparameters = Object.entries(subject.hyperparameters);
    if (hyperparameters.length) out.push(`Hyperparameters: ${hyperparameters.map(([k, v]) => `\`${k}\` = ${typeof v === 'number' ? formatNumber(v) : String(v)}`).join(', ')}.`, '');
  }

  out.push('## Evaluation', '');
  if (subject && Object.keys(subject.metrics).length) {
    const rows = Object.entries(subject.metrics)
      .map(([metric, value]) => ({ ...splitSlice(metric), value }))
      .sort((a, b) => a.base.localeCompare(b.base) || (a.slice ?? '').localeCompare(b.slice ?? ''));
    out.push(`Metrics of v${subject.version} as its training job reported them, per slice where it reported slices.`, '');
    out.push(table(['Metric', 'Slice', 'Value'], rows.map(r => [r.base, r.slice ?? 'all', formatNumber(r.value)])), '');
  } else {
    out.push('No metrics are recorded.', '');
  }
  if (subject?.gates) {
    const g = subject.gates;
    out.push(`Validation gates, ${g.passed ? 'passed' : '**failed**'} on ${day(g.evaluatedAt)}${g.champion ? ` against the champion v${g.champion}` : ''}:`, '');
    out.push(table(['Gate', 'Rule', 'Measured', 'Result'], g.results.map(r => [r.name, r.rule, r.value === undefined ? undefined : formatNumber(r.value), `${r.status}${r.advisory ? ' (advisory)' : ''}`])), '');
  }

  out.push('## In production', '');
  const kpis = input.kpis;
  if (!kpis || !kpis.versions.length) {
    out.push('No production traffic was recorded in the last 30 whole days.', '');
  } else {
    out.push(`The 30 whole days ${day(kpis.from)} to ${day(kpis.to)} (UTC), all traffic; served by ${kpis.versions.map(v => `v${v.version}`).join(', ')}.`, '');
    const status = { breach: '**out of SLO**', ok: 'within', 'no-data': 'no data' } as const;
    out.push(
      table(
        ['Metric', 'Value', 'SLO'],
        kpis.metrics.map(m => {
          const value = m.series[0].current.value;
          const band = m.slo ? [m.slo.min !== null ? `≥ ${formatMetricValue(m.unit, m.slo.min, kpis.currency)}` : '', m.slo.max !== null ? `≤ ${formatMetricValue(m.unit, m.slo.max, kpis.currency)}` : ''].filter(Boolean).join(' and ') : '';
          return [m.title, formatMetricValue(m.unit, value, kpis.currency), band ? `${band}: ${status[m.sloStatus]}` : undefined];
        }),
      ),
      '',
    );
    const sliced = kpis.metrics.filter(m => m.kind === 'kpi' && m.series.length > 1);
    for (const m of sliced) {
      out.push(`${m.title} per segment:`, '');
      out.push(table(['Segment', 'Value', 'Predictions'], m.series.slice(1).map(s => [s.segment, m.proportion ? formatPercent(s.current.value) : formatNumber(s.current.value), s.current.denominator ?? undefined])), '');
    }
  }

  out.push(...notesSection(input, 'limitations', 'Limitations', 'where the model is known to be wrong or weak, and which inputs it was never trained on.'));

  const others = input.notes?.markdown ? notesSections(input.notes.markdown).filter(s => !PLACED.intended.test(s.heading) && !PLACED.limitations.test(s.heading) && s.body) : [];
  for (const s of others) out.push(`## ${s.heading}`, '', s.body, '');

  out.push('## Versions', '');
  if (input.versions.items.length) {
    out.push(
      table(
        ['Version', 'Registered', 'By', 'Gates', 'Reproducible', 'Aliases'],
        input.versions.items.map(v => [
          `v${v.version}`,
          day(v.createdAt),
          v.creator,
          gateText(v),
          v.reproducible ? 'yes' : '**no**',
          v.aliases.join(', '),
        ]),
      ),
      '',
    );
  } else {
    out.push('None registered yet.', '');
  }

  out.push('## Policy', '', 'What ModelRails enforces for this model, defaults included.', '');
  for (const section of input.policy) {
    out.push(`### ${section.title}`, '', table(['Setting', 'Value'], section.lines.map(l => [l.label, l.value])), '');
  }

  out.push('## Regulatory documentation', '');
  out.push(
    "Where this card answers the technical documentation the EU AI Act asks of high-risk systems (Annex IV), as far as a model's card can; the system's provider documents the rest.",
    '',
    table(
      ['Annex IV', 'Here'],
      [
        ['1(a) intended purpose', 'Intended use'],
        ['1(b)–(d) versions, interaction with other systems', 'Model details, Versions (and the catalog relations)'],
        ['2(b) design choices', 'Training data and lineage (run, hyperparameters)'],
        ['2(d) training data, provenance, labelling', 'Training data and lineage (dataset versions and digests)'],
        ['2(e) human oversight (Art. 14)', 'Policy: sign-off (a person approves each promotion) and rollout'],
        ['2(g) validation and testing, metrics', 'Evaluation (metrics per slice, validation gates)'],
        ['3 monitoring, functioning and control; limitations', 'In production, Limitations, Policy: drift and rollback'],
        ['6 changes through the lifecycle', "Versions (and ModelRails' audit trail of promotions and rollouts)"],
      ],
    ),
    '',
  );
  return `${out.join('\n').trimEnd()}\n`;
}
