"""Where an idle subscriber's memory goes: the Perfgraph bench server under tracemalloc, a baseline, then ``count``
idle ``orgChartChanged`` subscribers (one socket each), and what was allocated since per subscriber, by source
line and by live object type, beside the resident memory per subscriber.

    .venv/bin/python -m bench.idle_heap [COUNT] [DEPTH] [lineno|filename|traceback]

DEPTH 0: no tracemalloc, the resident memory alone (tracing itself takes memory per allocation).
"""

from __future__ import annotations

import asyncio
import json
import sys

from bench.fanout import CEO, PEOPLE, Receivers, server
from bench.fanout_streams import CONNECTIONS_PER_PERSON, ORG_CHART, subscribe


async def run(count: int, depth: int, by: str) -> None:
    env = {"BENCH_TRACEMALLOC": str(depth)} if depth else {}
    async with server("perfgraph", BENCH_CONNECTIONS_PER_VIEWER=CONNECTIONS_PER_PERSON, **env) as perfgraph:
        warm = Receivers()  # one group and its execution exist before the baseline: what is left is per member
        await subscribe(perfgraph, warm, 1, ORG_CHART, {"root": CEO}, PEOPLE)
        await asyncio.sleep(1)
        if depth:
            await perfgraph.http.get("/bench/heap")
        rss = perfgraph.rss_kib()
        ours = Receivers()
        await subscribe(perfgraph, ours, count, ORG_CHART, {"root": CEO}, PEOPLE)
        await asyncio.sleep(2)
        rss = (perfgraph.rss_kib() - rss) / count
        print(json.dumps({"subscribers": count, "rss_kib_per_subscriber": round(rss, 1), "tracemalloc": depth}))
        heap = {"bytes_per": None, "lines": [], "types": {}}
        if depth:
            heap = (await perfgraph.http.get("/bench/heap", params={"per": count, "by": by})).json()
        print(f"traced bytes per subscriber: {heap['bytes_per']}")
        for line in heap["lines"]:
            print(f"{line['bytes']:>7} B {line['count']:>6}  {line['where']}")
        print(json.dumps(heap["types"], indent=0))
        await ours.close()
        await warm.close()


def main() -> None:
    args = sys.argv[1:]
    asyncio.run(run(int(args[0]) if args else 1000, int(args[1]) if len(args) > 1 else 1,
                    args[2] if len(args) > 2 else "lineno"))


if __name__ == "__main__":
    main()
