/**
 * A high-dynamic-range histogram (the HdrHistogram layout: 3 significant digits, values
 * as integers, here microseconds), written in TypeScript so that recording is a few
 * integer operations inlined in the hot path, not a call into C++ (perf_hooks), and so
 * that its percentile distribution can be printed in HdrHistogram's own text format
 * (`outputPercentileDistribution`), which HistogramLogAnalyzer and hdr-plot read.
 *
 * Pure: no I/O. Values are limited to 2^32-1 (71 minutes in µs) because the bucket index
 * uses Math.clz32; larger values are clamped to the highest trackable value.
 */

const SIGNIFICANT_DIGITS = 3;
/** 2 × 10^3: below this every integer has its own counter. */
const SUB_BUCKET_COUNT_MAGNITUDE = Math.ceil(Math.log2(2 * 10 ** SIGNIFICANT_DIGITS)); // 11
const SUB_BUCKET_HALF_COUNT_MAGNITUDE = SUB_BUCKET_COUNT_MAGNITUDE - 1; // 10
const SUB_BUCKET_COUNT = 1 << SUB_BUCKET_COUNT_MAGNITUDE; // 2048
const SUB_BUCKET_HALF_COUNT = SUB_BUCKET_COUNT >> 1; // 1024
const SUB_BUCKET_MASK = SUB_BUCKET_COUNT - 1;

/** One hour in microseconds: far beyond any latency worth reporting, still below 2^32. */
export const DEFAULT_HIGHEST_TRACKABLE = 3_600_000_000;

/**
 * A histogram as plain data (structured-clone friendly), to send it to another thread: its
 * non-empty buckets only, as ascending bucket indexes and their counts. A latency histogram
 * has about 23,500 buckets and fills a few hundred; each load thread sends every node's
 * histograms 4 times a second, and sent whole they were megabytes a second for the thread,
 * the main thread and both garbage collectors.
 */
export interface HistogramSnapshot {
  highestTrackableValue: number;
  indexes: Uint32Array;
  counts: Float64Array;
  total: number;
  min: number;
  max: number;
}

export interface PercentileSummary {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export class HdrHistogram {
  readonly highestTrackableValue: number;
  readonly bucketCount: number;
  readonly subBucketCount = SUB_BUCKET_COUNT;
  /** Float64 counters: exact up to 2^53, never overflow in a benchmark. */
  private readonly counts: Float64Array;
  private total = 0;
  private minValue = Number.MAX_SAFE_INTEGER;
  private maxValue = 0;

  constructor(highestTrackableValue = DEFAULT_HIGHEST_TRACKABLE) {
    if (!Number.isInteger(highestTrackableValue) || highestTrackableValue < 2 || highestTrackableValue > 0xffffffff) {
      throw new RangeError(`highestTrackableValue must be an integer 2..2^32-1 (got ${highestTrackableValue})`);
    }
    this.highestTrackableValue = highestTrackableValue;
    // As HdrHistogram: buckets double in range until the highest value fits.
    let smallestUntrackable = SUB_BUCKET_COUNT;
    let buckets = 1;
    while (smallestUntrackable <= highestTrackableValue) {
      smallestUntrackable *= 2;
      buckets++;
    }
    this.bucketCount = buckets;
    this.counts = new Float64Array((buckets + 1) * SUB_BUCKET_HALF_COUNT);
  }

  get totalCount(): number {
    return this.total;
  }

  get min(): number {
    return this.total === 0 ? 0 : this.minValue;
  }

  /** The largest value recorded, exactly (not its bucket's upper bound). */
  get max(): number {
    return this.maxValue;
  }

  /** Records a value (rounded down to an integer, negatives as 0, clamped to the highest trackable). */
  record(value: number, count = 1): void {
    let v = value > 0 ? Math.floor(value) : 0;
    if (v > this.highestTrackableValue) v = this.highestTrackableValue;
    this.counts[countsIndexOf(v)]! += count;
    this.total += count;
    if (v < this.minValue) this.minValue = v;
    if (v > this.maxValue) this.maxValue = v;
  }

  /** Adds every count of another histogram (same layout) into this one. */
  add(other: HdrHistogram): void {
    if (other.counts.length > this.counts.length) {
      throw new RangeError('cannot add a histogram with a larger range');
    }
    const counts = this.counts;
    const source = other.counts;
    for (let i = 0; i < source.length; i++) {
      const c = source[i]!;
      if (c !== 0) counts[i]! += c;
    }
    this.total += other.total;
    if (other.total > 0) {
      if (other.minValue < this.minValue) this.minValue = other.minValue;
      if (other.maxValue > this.maxValue) this.maxValue = other.maxValue;
    }
  }

  /**
   * The counts recorded since `earlier`, a previous copy of this same histogram (an
   * interval of a cumulative record). min and max are those of the lowest and highest
   * non-empty bucket, capped by this histogram's exact max: exact to the histogram's
   * precision (3 significant digits), as an interval log needs.
   */
  since(earlier: HdrHistogram): HdrHistogram {
    if (earlier.counts.length !== this.counts.length)
      throw new RangeError('cannot subtract a histogram of another range');
    const out = new HdrHistogram(this.highestTrackableValue);
    let first = -1;
    let last = -1;
    for (let i = 0; i < this.counts.length; i++) {
      const c = this.counts[i]! - earlier.counts[i]!;
      if (c < 0) throw new RangeError('the earlier histogram has counts this one does not: not an earlier copy');
      if (c === 0) continue;
      out.counts[i] = c;
      out.total += c;
      if (first < 0) first = i;
      last = i;
    }
    if (first >= 0) {
      out.minValue = Math.max(valueFromIndex(first), this.min);
      out.maxValue = Math.min(highestEquivalentValue(valueFromIndex(last)), this.maxValue);
    }
    return out;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.minValue = Number.MAX_SAFE_INTEGER;
    this.maxValue = 0;
  }

  /** Plain data (structured-clone friendly) to send a histogram to another thread. */
  snapshot(): HistogramSnapshot {
    const counts = this.counts;
    let filled = 0;
    for (let i = 0; i < counts.length; i++) if (counts[i] !== 0) filled++;
    const snapshot: HistogramSnapshot = {
      highestTrackableValue: this.highestTrackableValue,
      indexes: new Uint32Array(filled),
      counts: new Float64Array(filled),
      total: this.total,
      min: this.minValue,
      max: this.maxValue,
    };
    for (let i = 0, j = 0; j < filled; i++) {
      const c = counts[i]!;
      if (c === 0) continue;
      snapshot.indexes[j] = i;
      snapshot.counts[j++] = c;
    }
    return snapshot;
  }

  static fromSnapshot(snapshot: HistogramSnapshot): HdrHistogram {
    const histogram = new HdrHistogram(snapshot.highestTrackableValue);
    histogram.addSnapshot(snapshot);
    return histogram;
  }

  /** Adds a snapshot's counts (of a histogram with the same layout) into this one: add() without a histogram in between. */
  addSnapshot(snapshot: HistogramSnapshot): void {
    const { indexes, counts: source } = snapshot;
    const counts = this.counts;
    if (indexes.length > 0 && indexes[indexes.length - 1]! >= counts.length) {
      throw new RangeError('cannot add a histogram with a larger range');
    }
    for (let j = 0; j < indexes.length; j++) counts[indexes[j]!]! += source[j]!;
    this.total += snapshot.total;
    if (snapshot.total > 0) {
      if (snapshot.min < this.minValue) this.minValue = snapshot.min;
      if (snapshot.max > this.maxValue) this.maxValue = snapshot.max;
    }
  }

  /** A fresh histogram holding the same counts. */
  copy(): HdrHistogram {
    const copy = new HdrHistogram(this.highestTrackableValue);
    copy.add(this);
    return copy;
  }

  /**
   * The value at a percentile (0-100) as HdrHistogram defines it: the highest value
   * equivalent to the smallest recorded value with at least that share of counts at or
   * below it. 0 when empty. The 100th percentile is the exact max.
   */
  valueAtPercentile(percentile: number): number {
    if (this.total === 0) return 0;
    if (percentile >= 100) return this.maxValue;
    const p = Math.max(0, percentile);
    const countAtPercentile = Math.max(1, Math.floor((p / 100) * this.total + 0.5));
    let running = 0;
    const counts = this.counts;
    for (let i = 0; i < counts.length; i++) {
      running += counts[i]!;
      if (running >= countAtPercentile) {
        // Never report beyond what was actually recorded.
        return Math.min(highestEquivalentValue(valueFromIndex(i)), this.maxValue);
      }
    }
    return this.maxValue;
  }

  /** The mean, from each bucket's median equivalent value (as HdrHistogram computes it). */
  mean(): number {
    if (this.total === 0) return 0;
    let sum = 0;
    const counts = this.counts;
    for (let i = 0; i < counts.length; i++) {
      const c = counts[i]!;
      if (c !== 0) sum += medianEquivalentValue(valueFromIndex(i)) * c;
    }
    return sum / this.total;
  }

  stdDeviation(): number {
    if (this.total === 0) return 0;
    const mean = this.mean();
    let sum = 0;
    const counts = this.counts;
    for (let i = 0; i < counts.length; i++) {
      const c = counts[i]!;
      if (c !== 0) {
        const d = medianEquivalentValue(valueFromIndex(i)) - mean;
        sum += d * d * c;
      }
    }
    return Math.sqrt(sum / this.total);
  }

  /** p50/p90/p99/p99.9/max divided by `scale` (1000: µs → ms). */
  summary(scale = 1): PercentileSummary {
    return {
      p50: this.valueAtPercentile(50) / scale,
      p90: this.valueAtPercentile(90) / scale,
      p99: this.valueAtPercentile(99) / scale,
      p999: this.valueAtPercentile(99.9) / scale,
      max: this.maxValue / scale,
    };
  }

  /**
   * HdrHistogram's `outputPercentileDistribution(out, ticksPerHalfDistance, scalingRatio)`:
   * the "Value Percentile TotalCount 1/(1-Percentile)" table and the summary footer.
   * With values in µs, `scalingRatio` 1000 prints milliseconds.
   */
  outputPercentileDistribution(ticksPerHalfDistance = 5, scalingRatio = 1000): string {
    const digits = SIGNIFICANT_DIGITS;
    const lines: string[] = [];
    lines.push(
      `${'Value'.padStart(12)} ${'Percentile'.padStart(14)} ${'TotalCount'.padStart(10)} ${'1/(1-Percentile)'.padStart(14)}`,
      '',
    );
    for (const step of this.percentileSteps(ticksPerHalfDistance)) {
      const value = (step.value / scalingRatio).toFixed(digits).padStart(12);
      const percentile = (step.percentile / 100).toFixed(12).padStart(2);
      const count = String(step.totalCount).padStart(10);
      if (step.percentile !== 100) {
        const inverse = (1 / (1 - step.percentile / 100)).toFixed(2).padStart(14);
        lines.push(`${value} ${percentile} ${count} ${inverse}`);
      } else {
        lines.push(`${value} ${percentile} ${count}`);
      }
    }
    const num = (n: number) => (n / scalingRatio).toFixed(digits).padStart(12);
    const int = (n: number) => String(n).padStart(12);
    lines.push(`#[Mean    = ${num(this.mean())}, StdDeviation   = ${num(this.stdDeviation())}]`);
    lines.push(`#[Max     = ${num(this.maxValue)}, Total count    = ${int(this.total)}]`);
    lines.push(`#[Buckets = ${int(this.bucketCount)}, SubBuckets     = ${int(SUB_BUCKET_COUNT)}]`);
    return lines.join('\n') + '\n';
  }

  /** HdrHistogram's PercentileIterator: report levels get denser towards 100%. */
  percentileSteps(ticksPerHalfDistance: number): Array<{ value: number; percentile: number; totalCount: number }> {
    const steps: Array<{ value: number; percentile: number; totalCount: number }> = [];
    if (this.total === 0) return steps;
    const counts = this.counts;
    let level = 0;
    let running = 0;
    let index = 0;
    for (; index < counts.length; index++) {
      const c = counts[index]!;
      if (c === 0) continue;
      running += c;
      const reached = (100 * running) / this.total;
      while (reached >= level) {
        steps.push({
          value: Math.min(highestEquivalentValue(valueFromIndex(index)), this.maxValue),
          percentile: level,
          totalCount: running,
        });
        if (running === this.total) break;
        level = nextPercentileLevel(level, ticksPerHalfDistance);
      }
      if (running === this.total) break;
    }
    // The iterator ends with one more line at exactly 100%.
    steps.push({ value: this.maxValue, percentile: 100, totalCount: this.total });
    return steps;
  }
}

function nextPercentileLevel(level: number, ticksPerHalfDistance: number): number {
  if (level >= 100) return 100;
  const halvings = Math.floor(Math.log(100 / (100 - level)) / Math.log(2)) + 1;
  const ticks = ticksPerHalfDistance * 2 ** halvings;
  return level + 100 / ticks;
}

/** The counts index of a value (HdrHistogram's countsArrayIndex, unit magnitude 0). */
function countsIndexOf(value: number): number {
  // pow2ceiling - (subBucketHalfCountMagnitude + 1): the bucket whose range holds the value.
  const bucketIndex = 31 - Math.clz32(value | SUB_BUCKET_MASK) - SUB_BUCKET_HALF_COUNT_MAGNITUDE;
  const subBucketIndex = value >>> bucketIndex;
  return ((bucketIndex + 1) << SUB_BUCKET_HALF_COUNT_MAGNITUDE) + (subBucketIndex - SUB_BUCKET_HALF_COUNT);
}

function valueFromIndex(index: number): number {
  let bucketIndex = (index >> SUB_BUCKET_HALF_COUNT_MAGNITUDE) - 1;
  let subBucketIndex = (index & (SUB_BUCKET_HALF_COUNT - 1)) + SUB_BUCKET_HALF_COUNT;
  if (bucketIndex < 0) {
    subBucketIndex -= SUB_BUCKET_HALF_COUNT;
    bucketIndex = 0;
  }
  return subBucketIndex * 2 ** bucketIndex;
}

function sizeOfEquivalentRange(value: number): number {
  const bucketIndex = 31 - Math.clz32(Math.min(value, 0xffffffff) | SUB_BUCKET_MASK) - SUB_BUCKET_HALF_COUNT_MAGNITUDE;
  const subBucketIndex = Math.floor(value / 2 ** bucketIndex);
  const adjusted = subBucketIndex >= SUB_BUCKET_COUNT ? bucketIndex + 1 : bucketIndex;
  return 2 ** adjusted;
}

function lowestEquivalentValue(value: number): number {
  return valueFromIndex(countsIndexOf(value));
}

export function highestEquivalentValue(value: number): number {
  return lowestEquivalentValue(value) + sizeOfEquivalentRange(value) - 1;
}

function medianEquivalentValue(value: number): number {
  return lowestEquivalentValue(value) + Math.floor(sizeOfEquivalentRange(value) / 2);
}

/** Merges histograms into a new one (percentiles of a group, never averages of percentiles). */
export function mergeHistograms(histograms: Iterable<HdrHistogram>): HdrHistogram {
  const merged = new HdrHistogram();
  for (const h of histograms) merged.add(h);
  return merged;
}
