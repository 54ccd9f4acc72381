/**
 * A small Prometheus metrics registry (counters, gauges, histograms with labels) rendered in the
 * text exposition format 0.0.4, plus the process's own memory and CPU, for the agent's and the
 * keeper's `/metrics`.
 */

/** Label names to values. */
export type Labels = Record<string, string | number>;

type MetricType = "counter" | "gauge" | "histogram";

interface Series {
  labels: Labels;
  value: number;
  /** Histograms: counts per bucket (cumulative when rendered), sum and count. */
  buckets?: number[];
  sum?: number;
  count?: number;
}

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${String(labels[k])}`)
    .join(",");
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function renderLabels(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escapeLabel(String(labels[k]))}"`);
  if (extra) pairs.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return pairs.length > 0 ? `{${pairs.join(",")}}` : "";
}

function renderNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** One metric family: a name, a help text and its series by labels. */
export class Metric {
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: MetricType,
    readonly bucketBounds: readonly number[] = [],
  ) {
    if (!NAME.test(name)) throw new Error(`invalid metric name ${name}`);
  }

  private get(labels: Labels): Series {
    const key = labelKey(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels: { ...labels }, value: 0 };
      if (this.type === "histogram") {
        s.buckets = this.bucketBounds.map(() => 0);
        s.sum = 0;
        s.count = 0;
      }
      this.series.set(key, s);
    }
    return s;
  }

  /** Counters: adds `by` (default 1, never negative). */
  inc(labels: Labels = {}, by = 1): void {
    if (this.type !== "counter" && this.type !== "gauge") throw new Error(`${this.name}: inc`);
    if (this.type === "counter" && by < 0) throw new Error(`${this.name}: counters only go up`);
    this.get(labels).value += by;
  }

  /** Gauges: sets the value. */
  set(value: number, labels: Labels = {}): void {
    if (this.type !== "gauge") throw new Error(`${this.name} is not a gauge`);
    this.get(labels).value = value;
  }

  /** Histograms: records one observation. */
  observe(value: number, labels: Labels = {}): void {
    if (this.type !== "histogram") throw new Error(`${this.name} is not a histogram`);
    const s = this.get(labels);
    this.bucketBounds.forEach((bound, i) => {
      if (value <= bound) s.buckets![i]! += 1;
    });
    s.sum! += value;
    s.count! += 1;
  }

  /** Removes every series (gauges describing a set that changed, e.g. running workloads). */
  reset(): void {
    this.series.clear();
  }

  /** The current value of a counter or gauge series (0 when never set). */
  value(labels: Labels = {}): number {
    return this.series.get(labelKey(labels))?.value ?? 0;
  }

  render(): string {
    const lines = [
      `# HELP ${this.name} ${this.help.replace(/\n/g, " ")}`,
      `# TYPE ${this.name} ${this.type}`,
    ];
    for (const s of this.series.values()) {
      if (this.type !== "histogram") {
        lines.push(`${this.name}${renderLabels(s.labels)} ${renderNumber(s.value)}`);
        continue;
      }
      this.bucketBounds.forEach((bound, i) => {
        lines.push(
          `${this.name}_bucket${renderLabels(s.labels, ["le", renderNumber(bound)])} ${s.buckets![i]}`,
        );
      });
      lines.push(`${this.name}_bucket${renderLabels(s.labels, ["le", "+Inf"])} ${s.count}`);
      lines.push(`${this.name}_sum${renderLabels(s.labels)} ${renderNumber(s.sum!)}`);
      lines.push(`${this.name}_count${renderLabels(s.labels)} ${s.count}`);
    }
    return lines.join("\n");
  }
}

/** Every metric of a process, rendered together. */
export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();
  private readonly collectors: (() => void)[] = [];

  private add(metric: Metric): Metric {
    if (this.metrics.has(metric.name)) throw new Error(`metric ${metric.name} registered twice`);
    this.metrics.set(metric.name, metric);
    return metric;
  }

  counter(name: string, help: string): Metric {
    return this.add(new Metric(name, help, "counter"));
  }

  gauge(name: string, help: string): Metric {
    return this.add(new Metric(name, help, "gauge"));
  }

  /** Buckets are upper bounds, ascending (default: 5 ms to 10 s). */
  histogram(
    name: string,
    help: string,
    buckets: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  ): Metric {
    return this.add(
      new Metric(
        name,
        help,
        "histogram",
        [...buckets].sort((a, b) => a - b),
      ),
    );
  }

  /** Runs before each render, to refresh gauges that are sampled rather than updated. */
  onCollect(collect: () => void): void {
    this.collectors.push(collect);
  }

  /** The process's resident memory, heap and CPU seconds, under `prefix` (e.g. "iogrid_agent"). */
  processMetrics(prefix: string): void {
    const rss = this.gauge(`${prefix}_process_resident_memory_bytes`, "Resident set size");
    const heap = this.gauge(`${prefix}_process_heap_used_bytes`, "V8 heap in use");
    const cpu = this.gauge(`${prefix}_process_cpu_seconds`, "User and system CPU time");
    const started = this.gauge(`${prefix}_process_start_time_seconds`, "Unix time of start");
    started.set(Math.round(Date.now() / 1000 - process.uptime()));
    this.onCollect(() => {
      const memory = process.memoryUsage();
      rss.set(memory.rss);
      heap.set(memory.heapUsed);
      const usage = process.cpuUsage();
      cpu.set((usage.user + usage.system) / 1e6);
    });
  }

  /** The text exposition format (`text/plain; version=0.0.4`). */
  render(): string {
    for (const collect of this.collectors) collect();
    return [...this.metrics.values()].map((m) => m.render()).join("\n") + "\n";
  }
}

/** The content type of `MetricsRegistry.render()`. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
