"""Measuring a matcher on a labelled set: (text -> relevant references) pairs.

    pairs = load_pairs(path)
    report = evaluate(lambda text: [reference, ...], pairs)
    report.recall_at_5, report.mrr, report.ndcg_at_10, report.latencies_ms

Metrics, per pair then averaged over the pairs:
- recall@5: the share of the pair's relevant references found in the first 5 results;
- MRR: 1 / rank of the first relevant result (0 when none is in the results);
- nDCG@10: discounted cumulative gain of the first 10 (binary relevance) over the ideal order.
"""

from __future__ import annotations

import json
import math
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Pair:
    id: str
    lang: str
    text: str
    relevant: tuple[str, ...]
    held_out: bool = False


def load_pairs(path: str | Path) -> list[Pair]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return [
        Pair(p["id"], p["lang"], p["text"], tuple(p["relevant"]), bool(p.get("held_out", False)))
        for p in data["pairs"]
    ]


def recall_at(ranked: Sequence[str], relevant: Iterable[str], k: int) -> float:
    wanted = set(relevant)
    return len(wanted & set(ranked[:k])) / len(wanted) if wanted else 0.0


def reciprocal_rank(ranked: Sequence[str], relevant: Iterable[str]) -> float:
    wanted = set(relevant)
    return next((1.0 / i for i, ref in enumerate(ranked, 1) if ref in wanted), 0.0)


def ndcg_at(ranked: Sequence[str], relevant: Iterable[str], k: int) -> float:
    wanted = set(relevant)
    dcg = sum(1.0 / math.log2(i + 1) for i, ref in enumerate(ranked[:k], 1) if ref in wanted)
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(len(wanted), k) + 1))
    return dcg / ideal if ideal else 0.0


@dataclass
class Report:
    pairs: int = 0
    recall_at_5: float = 0.0
    mrr: float = 0.0
    ndcg_at_10: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    misses: list[tuple[str, list[str]]] = field(default_factory=list)  # (pair id, its top 5)

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else 0.0

    @property
    def p95_ms(self) -> float:
        if len(self.latencies_ms) < 2:
            return self.p50_ms
        return statistics.quantiles(self.latencies_ms, n=20, method="inclusive")[18]

    def as_dict(self) -> dict[str, Any]:
        return {
            "pairs": self.pairs,
            "recall@5": round(self.recall_at_5, 3),
            "MRR": round(self.mrr, 3),
            "nDCG@10": round(self.ndcg_at_10, 3),
            "p50_ms": round(self.p50_ms, 2),
            "p95_ms": round(self.p95_ms, 2),
        }


def evaluate(rank: Callable[[str], Sequence[str]], pairs: Sequence[Pair]) -> Report:
    """Run `rank` (text -> references, best first) on every pair and average the metrics."""
    report = Report(pairs=len(pairs))
    if not pairs:
        return report
    recalls, rrs, gains = [], [], []
    for pair in pairs:
        started = time.perf_counter()
        ranked = list(rank(pair.text))
        report.latencies_ms.append((time.perf_counter() - started) * 1000)
        recalls.append(recall_at(ranked, pair.relevant, 5))
        rrs.append(reciprocal_rank(ranked, pair.relevant))
        gains.append(ndcg_at(ranked, pair.relevant, 10))
        if recalls[-1] < 1.0:
            report.misses.append((pair.id, ranked[:5]))
    report.recall_at_5 = statistics.fmean(recalls)
    report.mrr = statistics.fmean(rrs)
    report.ndcg_at_10 = statistics.fmean(gains)
    return report
