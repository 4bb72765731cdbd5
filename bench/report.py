"""The table `make bench` ends with: each figure in bench/results.json against its target.

    .venv/bin/python -m bench.report
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable
from typing import Any

from bench.common import RESULTS

Check = tuple[str, str, Callable[[dict[str, Any]], Any], str, Callable[[Any], bool] | None]

KB_IN_KIB = 1000 / 1024


def at_most(limit: float) -> Callable[[Any], bool]:
    return lambda value: operator.le(value, limit)


def at_least(limit: float) -> Callable[[Any], bool]:
    return lambda value: operator.ge(value, limit)


def store_shares(figures: dict[str, Any]) -> str:
    """The org chart's share of request time in store calls, and the range over every query measured."""
    shares = [query["store_share"] for query in figures["queries"].values()]
    chart = figures["queries"]["orgChart(depth: 3) [Northwind (200)]"]["store_share"]
    return f"{chart} ({min(shares)}-{max(shares)} over {len(shares)})"


def stores(results: dict[str, Any]) -> list[str]:
    """The header's lines: which store each benchmark ran on, benchmarks on the same store together."""
    by_store: dict[str, list[str]] = {}
    for name, figures in results.items():
        by_store.setdefault(figures.get("store", "store not recorded"), []).append(name)
    if len(by_store) == 1:
        return [f"store: {next(iter(by_store))}"]
    return [f"store: {store} ({', '.join(names)})" for store, names in by_store.items()]


def largest_memory(figures: dict[str, Any], prefix: str) -> Any:
    keys = sorted((k for k in figures if k.startswith(prefix)), key=lambda k: int(k.rsplit("_", 1)[1]))
    return figures[keys[-1]] if keys else None


HOSTILE_CLASSES = ("fragment_fan_out", "over_cost_budget", "page_size_by_default", "query_of_comments_99k",
                   "query_of_comments_24k",
                   "string_variable_200k", "list_variable_10k", "deep_variables_10k", "invalid_utf8",
                   "unknown_fragment", "several_operations", "body_50mb", "body_50mb_chunked", "rate_limited",
                   "subscriptions_100_deep")


class Figure:
    """A figure checked on its first number, shown with what goes beside it."""

    def __init__(self, value: float, beside: Any) -> None:
        self.value, self.beside = value, beside

    def __str__(self) -> str:
        return f"{self.value} ({self.beside})"


def hostile_class(results: dict[str, Any], name: str) -> Figure:
    """One hostile class's server time beyond a trivial request: the median of the rounds, with their p99,
    the median ratio to the trivial request and the class's absolute median beside it."""
    figures = results["hostile_requests"]["classes"][name]
    return Figure(figures["extra_p50_ms"], f"p99 {figures['extra_p99_ms']}, ratio {figures['ratio']}, "
                                           f"{figures['p50_ms']} vs {figures['trivial_p50_ms']} ms")


def loop_beyond_floor(results: dict[str, Any]) -> Figure:
    """The longest a probe waited during the burst beyond the longest it waited with the probe alone."""
    figures = results["hostile_requests"]
    return Figure(figures["loop_beyond_floor_ms"], f"{figures['loop_max_gap_ms']} during "
                                                   f"{figures['loop_worst_class']} vs floor {figures['loop_floor_ms']}")


def longest_callback(results: dict[str, Any]) -> Figure:
    """The CPU of the costliest single event-loop callback during the burst (bench/loop_watch.py), with its
    time on the clock, the longest on the clock, and the costliest with the probe alone."""
    figures = results["hostile_requests"]
    return Figure(figures["callback_max_cpu_ms"], f"{figures['callback_max_clock_ms']} on the clock, "
                                                  f"{figures['callback_max_class']}; longest on the clock "
                                                  f"{figures['callback_clock_max_ms']}; probe alone "
                                                  f"{figures['callback_idle_max_cpu_ms']}")


CHECKS: list[Check] = [
    ("1 framework floor", "b/c: schema.execute vs bare graphql-core (throughput)",
     lambda r: r["framework_floor"]["b_over_c"], ">= 0.6", at_least(0.6)),
    ("1 framework floor", "  b/c without b's store reads", lambda r: r["framework_floor"]["b_execution_over_c"],
     "context", None),
    ("1 framework floor", "a/b: HTTP through uvicorn vs schema.execute", lambda r: r["framework_floor"]["a_over_b"],
     ">= 0.8", at_least(0.8)),
    ("1 framework floor", "c/d: graphql-core vs hand-written", lambda r: r["framework_floor"]["c_over_d"],
     "context", None),
    ("2 small query", "{ me { name } } server CPU, caches off / on",
     lambda r: r["small_query_caches"]["cpu_ratio_off_over_on"], ">= 3", at_least(3)),
    ("3 round trips", "org chart depth 3, 200 people: store calls (naive)",
     lambda r: "{calls} ({naive_calls})".format(**r["round_trips"]["queries"]["orgChart(depth: 3) [Northwind (200)]"]),
     "= depth", None),
    ("3 round trips", "  naive / batched latency, 0.5 ms per call",
     lambda r: r["round_trips"]["queries"]["orgChart(depth: 3) [Northwind (200)]"]["naive_over_batched"],
     "context", None),
    ("3 round trips", "  share of request time in store calls (min-max, all queries)",
     lambda r: store_shares(r["round_trips"]), "context", None),
    ("4 fan-out", "p99 vs plain WebSocket floor (median of rounds)", lambda r: r["fan_out"]["p99_ratio_vs_floor"],
     "<= 1.5", at_most(1.5)),
    ("4 fan-out", "p99 ms, 1,000 subscribers", lambda r: r["fan_out"]["perfgraph_p99_ms"], "< 100", at_most(100)),
    ("5 memory", "KiB per idle subscriber (most subscribers measured)",
     lambda r: largest_memory(r["memory_per_subscriber"], "perfgraph_kib"), "< 39.1 (40 KB)",
     at_most(40 * KB_IN_KIB)),
    ("5 memory", "  vs a plain WebSocket connection", lambda r: largest_memory(r["memory_per_subscriber"], "ratio_"),
     "<= 3", at_most(3)),
    ("5 memory", "  WS_COMPRESSION=1: KiB per idle subscriber, deflate (off), ratio",
     lambda r: "{deflate_kib_per_subscriber} ({plain_kib_per_subscriber}), {deflate_over_plain}x".format(
         **r["ws_compression_memory"]), "context", None),
    ("6 sustained", "deliveries/s per server core, p99 <= 250 ms",
     lambda r: r["sustained_delivery"]["best_deliveries_per_s_per_core_within_250ms"], ">= 5000", at_least(5000)),
    ("6 sustained", "subscribe cycle: WebSocket / in-process schema.subscribe",
     lambda r: r["subscribe_cycles"]["transport_cost_ratio"], "<= 2", at_most(2)),
    *[("4b fan-out per stream", f"{name}: p99 vs floor, 1,000 subscribers (p99 ms)",
       lambda r, name=name: Figure(r["fan_out_streams"][name]["p99_ratio_vs_floor"],
                                   r["fan_out_streams"][name]["perfgraph_p99_ms"]),
       "<= 1.25", lambda v: v.value <= 1.25)
      for name in ("praisePosted", "goalProgressChanged", "reviewFormChanged", "orgChartChanged")],
    ("5b idle", "KiB per idle subscriber at 10,000 (vs plain connection)",
     lambda r: Figure(r["idle_subscribers"]["perfgraph_kib_per_subscriber"], r["idle_subscribers"]["ratio"]),
     "< 39.1 (40 KB)", lambda v: v.value < 40 * KB_IN_KIB),
    ("5b idle", "  fan-out p99 vs floor at 10,000 (p99 ms)",
     lambda r: Figure(r["idle_subscribers"]["fan_out"]["p99_ratio_vs_floor"],
                      r["idle_subscribers"]["fan_out"]["perfgraph_p99_ms"]), "context", None),
    *[("6b groups", f"deliveries per CPU second, 1,000 subscribers in {n} groups",
       lambda r, n=n: r["fan_out_groups"][f"groups_{n}"]["deliveries_per_cpu_s"], "context", None)
      for n in (1, 10, 100, 1000)],
    ("6c two processes", "deliveries/s, two processes / one (sharing Redis)",
     lambda r: r["fan_out_redis"]["two_over_one"], "context", None),
    ("6c two processes", "  p99 ms published on one, received on the other",
     lambda r: r["fan_out_redis"]["cross_process_p99_ms"], "context", None),
    ("7 cycle launch", "200 employees: launch ms (relaunch ms)",
     lambda r: "{launch_ms} ({relaunch_ms})".format(**r["cycle_launch_200"]), "context", None),
    ("7 cycle launch", "5,000 employees: launch ms (relaunch ms)",
     lambda r: "{launch_ms} ({relaunch_ms})".format(**r["cycle_launch_5000"]), "context", None),
    ("  live org chart", "orgChartChanged p99 ms, mutation sent → receipt",
     lambda r: r["org_chart_changed_latency"]["p99_ms"], "context", None),
    *[("8 hostile", f"refuse {name}: server ms beyond a trivial request, median",
       lambda r, name=name: hostile_class(r, name), "< 10", lambda v: v.value < 10) for name in HOSTILE_CLASSES],
    ("8 hostile", "longest a probe waited beyond the floor, ms (absolute, vs probe alone)",
     loop_beyond_floor, "< 50", lambda v: v.value < 50),
    ("8 hostile", "CPU of the costliest single event-loop callback in the burst, ms",
     longest_callback, "< 50", lambda v: v.value < 50),
    ("8 hostile", "server RSS 2 s after the burst / before",
     lambda r: r["hostile_requests"]["rss_after_over_before"], "<= 1.1", at_most(1.1)),
    ("8 hostile", "  peak RSS during the burst / before",
     lambda r: r["hostile_requests"]["rss_peak_over_before"], "context", None),
    ("9 merit launch", "5,000 eligible: launchMeritCycle ms",
     lambda r: r["merit_launch"]["launch_ms"], "< 3000", at_most(3000)),
    ("9 merit launch", "  people eligible in it",
     lambda r: r["merit_launch"]["eligible"], ">= 5000", at_least(5000)),
    ("9 budget push", "50 managers proposing at once: commit → every subscriber received, p99 ms",
     lambda r: r["merit_budget_push"]["commit_to_all_received"]["p99_ms"], "< 100", at_most(100)),
    ("9 budget push", "  proposal sent → own budget received, p99 ms (p50)",
     lambda r: "{p99_ms} ({p50_ms})".format(**r["merit_budget_push"]), "context", None),
    ("9 budget push", "  store calls per proposal, pushes included (driver commands)",
     lambda r: "{store_calls_per_proposal} ({server_commands_per_proposal})".format(**r["merit_budget_push"]),
     "context", None),
]


def main() -> None:
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    rows = []
    for benchmark, figure, read, target, meets in CHECKS:
        try:
            value = read(results)
        except (KeyError, TypeError):
            continue
        status = "" if meets is None or value is None else ("met" if meets(value) else "MISSED")
        rows.append((benchmark, figure, str(value), target, status))
    widths = [max(len(row[i]) for row in rows) for i in range(5)] if rows else [0] * 5
    print("\n" + "\n".join(stores(results)))
    print("  ".join(h.ljust(w) for h, w in zip(("benchmark", "figure", "measured", "target", ""), widths,
                                                      strict=True)))
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    print(f"\n(all figures: {RESULTS.relative_to(RESULTS.parent.parent)})")


if __name__ == "__main__":
    main()
