/**
 * What every telemetry reader and writer agrees on: bucket sizes, the resolutions summaries are kept
 * at, and the names of summary rows that are not features. The ground floor of telemetry/.
 */

export const BUCKET_MS = 5 * 60 * 1000;
export const bucketOf = (ms: number) => Math.floor(ms / BUCKET_MS) * BUCKET_MS;

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
/** Every summary is kept at these resolutions, written in the same transaction. */
export const RESOLUTIONS = [BUCKET_MS, HOUR, DAY] as const;

/** Summary rows that are not features. */
export const EVENTS = '__events';
export const SCORE = '__score';
export const LATENCY = '__latency_ms';
/**
 * LLM serving, as log summaries: tokens per request in and out, time to first token (ms), and each
 * request's decode rate, (output tokens − 1) / (latency − time to first token) in tokens per second.
 */
export const INPUT_TOKENS = '__input_tokens';
export const OUTPUT_TOKENS = '__output_tokens';
export const TIME_TO_FIRST_TOKEN = '__ttft_ms';
export const OUTPUT_TOKENS_PER_SECOND = '__output_tokens_per_s';
export const LLM_SUMMARIES = [INPUT_TOKENS, OUTPUT_TOKENS, TIME_TO_FIRST_TOKEN, OUTPUT_TOKENS_PER_SECOND] as const;
export const ALL_TRAFFIC = '*';
/** An appended summary row holding every feature of its series and bucket, packed (summaryCodec). */
export const PACKED = '__packed';
/**
 * Label counts are kept per minute: a window that begins inside one counts that minute's part from
 * raw rows, so the finer the bucket, the fewer raw rows a canary's first tick reads.
 */
export const LABEL_BUCKET_MS = 60 * 1000;
export const labelBucketOf = (ms: number) => Math.floor(ms / LABEL_BUCKET_MS) * LABEL_BUCKET_MS;
/** The label-count row of all predictions stored raw (outcomes are lower_snake_case, never this). */
export const PREDICTIONS = '__predictions';
/** The tag of a stored segment `tag=value` ('' for all traffic). */
export const segmentTag = (segment: string) => segment.slice(0, Math.max(0, segment.indexOf('=')));
/** Target drift is reported as this pseudo-feature; a profile stores its label rate per outcome. */
export const TARGET = '__target';
export const targetFeature = (outcome: string) => `${TARGET}:${outcome}`;

