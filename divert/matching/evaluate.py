"""Precision and recall of the matcher on a labelled stream.

Each record is checked against the earlier ones through an in-memory blocking index, as the
application does through its indexed table; its best candidate's tier is compared with the
truth (whether that candidate is the same identity).
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from dataclasses import dataclass

from divert.matching.generator import Labelled, Stream
from divert.matching.keys import index_keys, lookup_keys
from divert.matching.score import MatchTier, compare


@dataclass
class Evaluation:
    records: int = 0
    repeats: int = 0
    match_right: int = 0
    match_wrong: int = 0
    possible_right: int = 0
    possible_wrong: int = 0
    candidates_looked_at: int = 0

    @property
    def match_precision(self) -> float:
        flagged = self.match_right + self.match_wrong
        return self.match_right / flagged if flagged else 1.0

    @property
    def match_recall(self) -> float:
        return self.match_right / self.repeats if self.repeats else 1.0

    @property
    def match_or_possible_recall(self) -> float:
        return (self.match_right + self.possible_right) / self.repeats if self.repeats else 1.0

    @property
    def mean_candidates(self) -> float:
        return self.candidates_looked_at / self.records if self.records else 0.0


def evaluate(stream: list[Labelled]) -> Evaluation:
    index: dict[str, list[int]] = defaultdict(list)
    seen: set[int] = set()
    result = Evaluation()
    for position, item in enumerate(stream):
        candidates = {i for key in lookup_keys(item.record) for i in index.get(key, ())}
        result.records += 1
        result.candidates_looked_at += len(candidates)
        result.repeats += item.identity in seen
        best = max(
            ((compare(item.record, stream[i].record), i) for i in candidates),
            key=lambda pair: pair[0].weight,
            default=None,
        )
        if best is not None and best[0].tier is not MatchTier.NO_MATCH:
            right = stream[best[1]].identity == item.identity
            if best[0].tier is MatchTier.MATCH:
                result.match_right += right
                result.match_wrong += not right
            else:
                result.possible_right += right
                result.possible_wrong += not right
        for key in index_keys(item.record):
            index[key].append(position)
        seen.add(item.identity)
    return result


def report(result: Evaluation) -> str:
    return "\n".join(
        [
            f"records {result.records:,}, of which repeats {result.repeats:,}",
            f"match:            precision {result.match_precision:.4f}"
            f"  recall {result.match_recall:.4f}",
            f"match + possible: recall {result.match_or_possible_recall:.4f}",
            f"mean candidates looked at per record: {result.mean_candidates:.1f}",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Evaluate the repeat matcher.")
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    print(report(evaluate(Stream(args.seed).records(args.size))))


if __name__ == "__main__":
    main()
