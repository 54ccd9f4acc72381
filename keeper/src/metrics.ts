/**
 * The keeper's Prometheus metrics (`/metrics`), on the sdk's registry. Names and labels are
 * listed in keeper/README.md.
 */
import { MetricsRegistry } from "@iogrid/sdk/node";
import type { Metric, SendOutcome } from "@iogrid/sdk/node";

export interface KeeperMetrics {
  registry: MetricsRegistry;
  ticks: Metric;
  tickSeconds: Metric;
  lastSuccess: Metric;
  transactions: Metric;
  fees: Metric;
  priorityFee: Metric;
  tips: Metric;
  epochLag: Metric;
  balance: Metric;
  slot: Metric;
  probes: Metric;
  attested: Metric;
  reported: Metric;
  settled: Metric;
  settleBacklog: Metric;
  cleaned: Metric;
}

export function keeperMetrics(): KeeperMetrics {
  const registry = new MetricsRegistry();
  registry.processMetrics("iogrid_keeper");
  return {
    registry,
    ticks: registry.counter("iogrid_keeper_ticks_total", "Bot ticks by bot and outcome"),
    tickSeconds: registry.histogram(
      "iogrid_keeper_tick_seconds",
      "Duration of bot ticks",
      [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    ),
    lastSuccess: registry.gauge(
      "iogrid_keeper_last_success_timestamp_seconds",
      "Unix time of each bot's last successful tick",
    ),
    transactions: registry.counter(
      "iogrid_keeper_transactions_total",
      "Transactions by bot, instruction label, result (confirmed, noop, refused, failed, expired, error, dry-run) and error name",
    ),
    fees: registry.counter(
      "iogrid_keeper_fees_lamports_total",
      "Lamports paid in transaction fees (signatures and priority), by bot",
    ),
    priorityFee: registry.gauge(
      "iogrid_keeper_priority_fee_micro_lamports",
      "Price per compute unit of the last transaction, by bot",
    ),
    tips: registry.counter(
      "iogrid_keeper_tips_earned_total",
      "Tips earned in base units, by kind (crank: end_epoch's crank tip, keeper: claimed keeper tips) and mint",
    ),
    epochLag: registry.gauge(
      "iogrid_keeper_epoch_lag",
      "Ended epochs iotoken's end_epoch has not closed yet",
    ),
    balance: registry.gauge("iogrid_keeper_balance_lamports", "The keeper wallet's SOL balance"),
    slot: registry.gauge("iogrid_keeper_chain_slot", "The chain's slot as last seen"),
    probes: registry.counter(
      "iogrid_keeper_probes_total",
      "Agent probes by result (passed, unreachable, refused, invalid)",
    ),
    attested: registry.counter(
      "iogrid_keeper_devices_attested_total",
      "Device passes this keeper landed with attest_availability",
    ),
    reported: registry.counter(
      "iogrid_keeper_failures_reported_total",
      "Failure reports this keeper landed with report_failure",
    ),
    settled: registry.counter(
      "iogrid_keeper_bookings_settled_total",
      "Bookings this keeper settled with settle_bookings",
    ),
    settleBacklog: registry.gauge(
      "iogrid_keeper_settle_backlog",
      "Open bookings that could be settled now, as the settle bot last counted them",
    ),
    cleaned: registry.counter(
      "iogrid_keeper_reservations_closed_total",
      "Idle reservations this keeper closed (refunds paid to their renters, rent returned)",
    ),
  };
}

/** Counts a send's outcome for `bot`. */
export function countOutcome(metrics: KeeperMetrics, bot: string, outcome: SendOutcome): void {
  metrics.transactions.inc({
    bot,
    label: outcome.label,
    result: outcome.status,
    error: outcome.errorName ?? "",
  });
  if (outcome.feeLamports > 0) metrics.fees.inc({ bot }, outcome.feeLamports);
  if (outcome.microLamports !== undefined) metrics.priorityFee.set(outcome.microLamports, { bot });
}
