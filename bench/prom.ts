/** Minimal Prometheus text-format reading: counters and one histogram. */
export interface Histogram {
  /** cumulative counts by upper bound (seconds), ascending, +Inf last */
  readonly buckets: ReadonlyArray<{ readonly le: number; readonly count: number }>;
  readonly count: number;
  readonly sum: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/;

export function parseSamples(text: string): Array<{ name: string; labels: Record<string, string>; value: number }> {
  const out: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    if (m[2]) for (const l of m[2].slice(1, -1).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: m[3] === '+Inf' ? Infinity : Number(m[3]) });
  }
  return out;
}

/** One histogram; with `where`, only the series whose labels include those (e.g. one route of a labelled histogram). */
export function readHistogram(text: string, name: string, where: Record<string, string> = {}): Histogram {
  const samples = parseSamples(text).filter((s) => Object.entries(where).every(([k, v]) => s.labels[k] === v));
  const buckets = samples
    .filter((s) => s.name === `${name}_bucket`)
    .map((s) => ({ le: s.labels.le === '+Inf' ? Infinity : Number(s.labels.le), count: s.value }))
    .sort((a, b) => a.le - b.le);
  const count = samples.find((s) => s.name === `${name}_count`)?.value ?? 0;
  const sum = samples.find((s) => s.name === `${name}_sum`)?.value ?? 0;
  return { buckets, count, sum };
}

export function counterByLabel(text: string, name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of parseSamples(text)) if (s.name === name) out[s.labels[label] ?? ''] = s.value;
  return out;
}

/**
 * Quantile estimated from buckets the way Prometheus' histogram_quantile does (linear
 * interpolation inside the bucket): bucket resolution only. Also returns the bucket's upper
 * bound, which is a guaranteed ceiling.
 */
export function quantile(h: Histogram, q: number): { estimate: number; upperBound: number } | undefined {
  if (h.count === 0 || h.buckets.length === 0) return undefined;
  const rank = q * h.count;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of h.buckets) {
    if (b.count >= rank) {
      if (b.le === Infinity) return { estimate: prevLe, upperBound: Infinity };
      const inBucket = b.count - prevCount;
      const estimate = inBucket > 0 ? prevLe + (b.le - prevLe) * ((rank - prevCount) / inBucket) : b.le;
      return { estimate, upperBound: b.le };
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return undefined;
}
