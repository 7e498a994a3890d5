import { normal, Random, simulationRandom } from '../stats/random';

/*
 * Simulated serving traffic: what the embedded demo streams in and what the replay tests and
 * benchmarks feed through the real ingestion path. Deterministic for a given seed.
 */

export type TrafficScenario = {
  /** Upstream re-encoding: user_country arrives as ISO 3166 numeric codes (the seed's incident). */
  countryAsNumber?: boolean;
  /** The Android client reports session length in milliseconds instead of seconds. */
  androidSessionInMs?: boolean;
  /** Shift of item_price's mean, in reference standard deviations. */
  priceShift?: number;
  /**
   * Share of requests for premium items priced beyond the reference's 99th percentile (2.5 to
   * about 4 standard deviations above the mean): a heavier upper tail with the body unchanged.
   */
  priceTail?: number;
  /** Probability that a prediction gets a click outcome, relative to the base rate (1 = unchanged). */
  clickRateFactor?: number;
  /** Added to every latency, in ms. */
  extraLatencyMs?: number;
  /** Multiplies the simulated service time (a lighter or heavier model). */
  latencyFactor?: number;
  errorRate?: number;
  /** An LLM's requests: prompt features, tokens in and out, time to first token and streamed latency. */
  llm?: boolean;
};

export const COUNTRIES = ['US', 'DE', 'FR', 'GB', 'IN', 'BR'];
const COUNTRY_WEIGHTS = [0.35, 0.15, 0.12, 0.13, 0.15, 0.1];
const ISO_NUMERIC: Record<string, number> = { US: 840, DE: 276, FR: 250, GB: 826, IN: 356, BR: 76 };
const PLATFORMS: Array<[string, number]> = [['android', 0.45], ['ios', 0.35], ['web', 0.2]];

function pick<T>(random: Random, items: T[], weights: number[]): T {
  let r = random();
  for (let i = 0; i < items.length; i++) {
    r -= weights[i];
    if (r < 0) return items[i];
  }
  return items[items.length - 1];
}

export type SimulatedEvent = {
  model: string;
  /** The sender, when it differs from the batch's (mirrored answers). */
  source?: string;
  version: string;
  requestId: string;
  queryId: string;
  sequence: number;
  time: number;
  features: Record<string, unknown>;
  score: number;
  latencyMs: number;
  error: boolean;
  segment: Record<string, string>;
  /** Whether the simulated user clicked (sent later as an outcome label). */
  clicked: boolean;
  inputTokens?: number;
  outputTokens?: number;
  timeToFirstTokenMs?: number;
};

const LANGUAGES = ['en', 'de', 'fr', 'es'];
const LANGUAGE_WEIGHTS = [0.55, 0.2, 0.15, 0.1];

/** A support ticket's prompt: the passages retrieved for it, its language and its length in tokens. */
function llmFeatures(random: Random) {
  const retrieved = Math.min(8, Math.floor(3 + 1.5 * normal(random) + 0.5));
  const passages = Math.max(0, retrieved);
  return {
    prompt_tokens: Math.round(180 * Math.exp(0.45 * normal(random)) + 160 * passages),
    retrieved_passages: passages,
    ticket_language: pick(random, LANGUAGES, LANGUAGE_WEIGHTS),
  };
}

/** The groundedness score the assistant's checker gives a draft. */
const groundedness = (random: Random) => 1 / (1 + Math.exp(-(1.2 + 0.9 * normal(random))));

function baseFeatures(random: Random) {
  return {
    user_age: Math.round(35 + 10 * normal(random)),
    session_length_s: 20 + 300 * random() * random(),
    item_price: 50 + 15 * normal(random),
    user_country: pick(random, COUNTRIES, COUNTRY_WEIGHTS),
  };
}

/** The training-data profile matching the simulated traffic before any incident. */
/**
 * The outcome a profile's labels are of, and its probability at a score: users click with the
 * score's probability; a chargeback follows 5 % of clicks.
 */
export type LabelModel = { outcome: string; probability: (score: number) => number };
const CLICKS: LabelModel = { outcome: 'click', probability: score => score };

export function trainingProfile(seed: number, size = 20_000, label: LabelModel = CLICKS, serving?: 'llm') {
  if (serving === 'llm') return llmTrainingProfile(seed, size, label);
  const random = simulationRandom(seed);
  const columns: Record<string, number[]> = { user_age: [], session_length_s: [], item_price: [] };
  const countries: Record<string, number> = {};
  const scores: number[] = [];
  const labelRandom = simulationRandom(seed ^ 0x5bd1e995);
  for (let i = 0; i < size; i++) {
    const f = baseFeatures(random);
    columns.user_age.push(f.user_age);
    columns.session_length_s.push(f.session_length_s);
    columns.item_price.push(f.item_price);
    countries[f.user_country] = (countries[f.user_country] ?? 0) + 1;
    scores.push(scoreOf(f, random));
  }
  return {
    features: [
      ...Object.entries(columns).map(([name, sample]) => ({ name, type: 'numeric', sample })),
      { name: 'user_country', type: 'categorical', counts: countries },
    ],
    // Held-out labels of the same rows, drawn from their own generator so the features and scores
    // stay what they were: what CBPE calibrates the scores on.
    score: { sample: scores, labels: scores.map(score => (labelRandom() < label.probability(score) ? 1 : 0)) },
    // The expected label count of the training data.
    target: { outcome: label.outcome, positives: Math.round(scores.reduce((a, score) => a + label.probability(score), 0)), n: size },
  };
}

/** The support assistant's fine-tuning prompts, as its live traffic before any incident. */
function llmTrainingProfile(seed: number, size: number, label: LabelModel) {
  const random = simulationRandom(seed);
  const labelRandom = simulationRandom(seed ^ 0x5bd1e995);
  const columns: Record<string, number[]> = { prompt_tokens: [], retrieved_passages: [] };
  const languages: Record<string, number> = {};
  const scores: number[] = [];
  for (let i = 0; i < size; i++) {
    const f = llmFeatures(random);
    columns.prompt_tokens.push(f.prompt_tokens);
    columns.retrieved_passages.push(f.retrieved_passages);
    languages[f.ticket_language] = (languages[f.ticket_language] ?? 0) + 1;
    scores.push(groundedness(random));
  }
  return {
    features: [
      ...Object.entries(columns).map(([name, sample]) => ({ name, type: 'numeric', sample })),
      { name: 'ticket_language', type: 'categorical', counts: languages },
    ],
    score: { sample: scores, labels: scores.map(score => (labelRandom() < label.probability(score) ? 1 : 0)) },
    target: { outcome: label.outcome, positives: Math.round(scores.reduce((a, score) => a + label.probability(score), 0)), n: size },
  };
}

function scoreOf(f: { item_price: number; user_age: number }, random: Random) {
  const logit = -2 + 0.02 * (f.user_age - 35) - 0.015 * (f.item_price - 50) + 0.8 * normal(random);
  return 1 / (1 + Math.exp(-logit));
}

export class TrafficSimulator {
  private readonly random: Random;
  private sequence = 0;

  constructor(
    private readonly model: string,
    private readonly source: string,
    seed: number,
  ) {
    this.random = simulationRandom(seed);
  }

  /** `count` events spread evenly over [from, to). */
  events(version: string, count: number, from: number, to: number, scenario: TrafficScenario = {}): SimulatedEvent[] {
    const out: SimulatedEvent[] = [];
    if (scenario.llm) {
      for (let i = 0; i < count; i++) out.push(this.llmEvent(version, Math.floor(from + ((to - from) * i) / count), scenario));
      return out;
    }
    for (let i = 0; i < count; i++) {
      const random = this.random;
      const platform = pick(random, PLATFORMS.map(p => p[0]), PLATFORMS.map(p => p[1]));
      const f = baseFeatures(random);
      const features: Record<string, unknown> = { ...f };
      features.item_price = f.item_price + (scenario.priceShift ?? 0) * 15;
      // Drawn only when asked for, so every other scenario keeps its exact random sequence.
      if (scenario.priceTail && random() < scenario.priceTail) features.item_price = 50 + 15 * (2.5 + Math.abs(normal(random)) / 2);
      if (scenario.countryAsNumber) features.user_country = ISO_NUMERIC[f.user_country];
      if (scenario.androidSessionInMs && platform === 'android') features.session_length_s = f.session_length_s * 1000;
      const score = scoreOf(f, random);
      const seq = this.sequence++;
      out.push({
        model: this.model,
        version,
        requestId: `${this.source}-${seq}`,
        queryId: `${this.source}-q${Math.floor(seq / 10)}`,
        sequence: seq,
        time: Math.floor(from + ((to - from) * i) / count),
        features,
        score,
        latencyMs: (8 + 30 * random() * random()) * (scenario.latencyFactor ?? 1) + (scenario.extraLatencyMs ?? 0),
        error: random() < (scenario.errorRate ?? 0.001),
        segment: { platform },
        clicked: random() < Math.min(1, score * (scenario.clickRateFactor ?? 1)),
      });
    }
    return out;
  }

  /**
   * One drafted answer, streamed: the first token after prefill (longer prompts take longer), then
   * decoding at about 42 tokens/s on the demo's GPUs.
   */
  private llmEvent(version: string, time: number, scenario: TrafficScenario): SimulatedEvent {
    const random = this.random;
    const platform = pick(random, PLATFORMS.map(p => p[0]), PLATFORMS.map(p => p[1]));
    const features = llmFeatures(random);
    const score = groundedness(random);
    const outputTokens = Math.max(1, Math.round(40 + 220 * random() * random() + 40 * Math.abs(normal(random))));
    const timeToFirstTokenMs = (90 + 0.09 * features.prompt_tokens + 45 * Math.abs(normal(random))) * (scenario.latencyFactor ?? 1) + (scenario.extraLatencyMs ?? 0);
    const tokensPerSecond = Math.max(12, 42 + 6 * normal(random)) / (scenario.latencyFactor ?? 1);
    const seq = this.sequence++;
    return {
      model: this.model,
      version,
      requestId: `${this.source}-${seq}`,
      queryId: `${this.source}-q${seq}`,
      sequence: seq,
      time,
      features,
      score,
      latencyMs: timeToFirstTokenMs + ((outputTokens - 1) / tokensPerSecond) * 1000,
      error: random() < (scenario.errorRate ?? 0.002),
      segment: { platform },
      clicked: random() < score,
      inputTokens: features.prompt_tokens,
      outputTokens,
      timeToFirstTokenMs,
    };
  }
}

/**
 * The challenger's answers to mirrored requests (shadow): the same request ids, times and
 * features, a score close to the champion's, numbered by the mirror's own source.
 */
export function mirrorEvents(events: SimulatedEvent[], version: string, source: string, firstSequence: number, random: Random, scenario: TrafficScenario = {}): SimulatedEvent[] {
  return events.map((e, i) => {
    const logit = Math.log(e.score / (1 - e.score)) + 0.15 * normal(random);
    return {
      ...e,
      version,
      sequence: firstSequence + i,
      score: 1 / (1 + Math.exp(-logit)),
      latencyMs: e.latencyMs + (scenario.extraLatencyMs ?? 0),
      error: random() < (scenario.errorRate ?? 0.001),
      source,
      // Nobody sees a shadow answer: it earns no outcome.
      clicked: false,
    };
  });
}

/** The wire form of simulated events (drops the simulation's own `clicked`). */
export function toWire(events: SimulatedEvent[]) {
  return events.map(({ clicked: _clicked, ...e }) => e);
}
