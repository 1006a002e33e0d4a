"""F1 of the extractor beside the naive jieba baseline (kg/baseline.py), same scorer.

Runs on ../shared/corpus against ../shared/gold/dev and on data/corpus against
data/gold; a pair that is absent is skipped with a message.

    .venv/bin/python bench/bench_baseline.py
    .venv/bin/python bench/bench_baseline.py --errors    # the extractor's errors too
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

from kg.cli.extract import collect, format_table  # noqa: E402
from kg.evaluate import Scores, iter_rows, load_dir, score  # noqa: E402
from kg.walk import iter_article_files  # noqa: E402


def run(corpus: Path, gold: dict[str, dict]) -> tuple[Scores, Scores, float, float]:
    """Scores of the extractor and of the baseline, and their times in seconds."""
    import logging

    import jieba

    from kg.baseline import baseline_extract
    from kg.ingest import read_article

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    start = time.perf_counter()
    pred, _ = collect([corpus], jobs=1)
    t_real = time.perf_counter() - start
    start = time.perf_counter()
    base = {}
    for path in iter_article_files([corpus]):
        if isinstance(path, Path) and path.stem in pred:
            article = read_article(path)
            base[path.stem] = baseline_extract(article.text, article.file_name)
    t_base = time.perf_counter() - start
    return score(gold, pred), score(gold, base), t_real, t_base


def side_by_side(real: Scores, base: Scores) -> str:
    lines = [f"{'row':<22} {'extractor P/R/F1':>22}   {'baseline P/R/F1':>22}"]
    for (label, r), (_, b) in zip(iter_rows(real), iter_rows(base)):
        lines.append(f"{label:<22} {_prf(r):>22}   {_prf(b):>22}")
    return "\n".join(lines)


def _prf(counts) -> str:
    d = counts.as_dict()
    return " ".join("  —  " if d[k] is None else f"{d[k]:.3f}" for k in ("precision", "recall", "f1"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path,
                        default=Path(os.environ.get("LIANJIAN_SHARED", REPO.parent / "shared")))
    parser.add_argument("--errors", action="store_true", help="print the extractor's errors")
    args = parser.parse_args()
    from kg.extract import EXTRACTOR_VERSION

    print(f"bench_baseline  {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC  extractor {EXTRACTOR_VERSION}")
    pairs = [
        ("development", args.shared / "corpus", args.shared / "gold" / "dev"),
        ("sample", REPO / "data" / "corpus", REPO / "data" / "gold"),
    ]
    for name, corpus, gold_dir in pairs:
        if not corpus.is_dir() or not gold_dir.is_dir() or not any(gold_dir.glob("*.json")):
            print(f"\n[{name}] skipped: {corpus} or {gold_dir} (with *.json) not found")
            continue
        gold = load_dir(gold_dir)
        real, base, t_real, t_base = run(corpus, gold)
        print(f"\n[{name}] {corpus} vs {gold_dir}: {len(gold)} gold documents"
              f" (extractor {t_real:.2f} s, baseline {t_base:.2f} s)")
        print(side_by_side(real, base))
        if args.errors:
            print(format_table(real, errors=True))


if __name__ == "__main__":
    main()
