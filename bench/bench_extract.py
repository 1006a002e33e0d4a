"""Speed of extraction against jieba's precise-mode segmentation, on one core.

For each corpus (the development corpus ../shared/corpus and the sample
data/corpus), the files are copied into a temporary folder as many times as it
takes to reach --target-chars characters of cleaned text. Then, in this one
process pinned to one core:

- extraction: for every copy, ``kg.ingest.read_article`` (read, decode, clean)
  and ``kg.extract.extract`` (the whole process from file to result dict);
- jieba: ``jieba.lcut`` (precise mode, HMM on, the default) of the same
  cleaned texts, after ``jieba.initialize()`` outside the timing.

Both sides get one untimed warm-up call (lexicon / dictionary loading); the
first-call time of the extractor is printed separately. The target is a
ratio extraction/jieba of at most 1.

    .venv/bin/python bench/bench_extract.py                # about 3 M characters a corpus
    .venv/bin/python bench/bench_extract.py --target-chars 5000000
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

from kg.cli.extract import iter_files  # noqa: E402


def pin_one_core() -> str:
    """Run on a single core, as the target says; returns a description."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity)"
    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return f"pinned to core {core}"


def readable_files(folder: Path) -> tuple[list[Path], int]:
    """Files ingest accepts, and their cleaned characters."""
    from kg.ingest import SkipFile, read_article

    files, chars = [], 0
    for path in iter_files([folder]):
        try:
            chars += len(read_article(path).text)
        except SkipFile:
            continue
        files.append(path)
    return files, chars


def replicate(files: list[Path], chars: int, target: int, into: Path) -> tuple[list[Path], int]:
    """Copies of ``files`` in ``into`` until about ``target`` characters (at least one copy)."""
    copies = max(1, -(-target // max(chars, 1)))
    out = []
    for n in range(copies):
        for path in files:
            dest = into / f"{n:05d}_{path.name}"
            shutil.copyfile(path, dest)
            out.append(dest)
    return out, copies


def time_extraction(files: list[Path]) -> tuple[float, list[str]]:
    from kg.extract import extract
    from kg.ingest import read_article

    texts = []
    start = time.perf_counter()
    for path in files:
        article = read_article(path)
        extract(article.text, article.file_name)
        texts.append(article.text)
    return time.perf_counter() - start, texts


def time_jieba(texts: list[str]) -> float:
    import jieba

    start = time.perf_counter()
    for text in texts:
        jieba.lcut(text)
    return time.perf_counter() - start


def warm_up() -> float:
    """Untimed first calls; returns the extractor's first-call time."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    jieba.lcut("预热")
    from kg.extract import extract

    start = time.perf_counter()
    extract("甲市海关与乙县公安局签订共建协议。", "warm-up.txt")
    return time.perf_counter() - start


def bench(name: str, folder: Path, target: int) -> None:
    if not folder.is_dir():
        print(f"\n[{name}] skipped: {folder} not found")
        return
    files, chars = readable_files(folder)
    if not files:
        print(f"\n[{name}] skipped: no readable article in {folder}")
        return
    with tempfile.TemporaryDirectory(prefix="bench-extract-") as tmp:
        copies_list, copies = replicate(files, chars, target, Path(tmp))
        t_extract, texts = time_extraction(copies_list)
        t_jieba = time_jieba(texts)
    total = sum(len(t) for t in texts)
    print(f"\n[{name}] {folder}: {len(files)} files x {copies} copies = {len(texts)} articles, "
          f"{total:,} cleaned characters")
    print(f"  ingest+extract   {t_extract:8.2f} s   {total / t_extract / 1e6:6.3f} M chars/s")
    print(f"  jieba.lcut       {t_jieba:8.2f} s   {total / t_jieba / 1e6:6.3f} M chars/s")
    verdict = "meets" if t_extract <= t_jieba else "MISSES"
    print(f"  ratio extract/jieba = {t_extract / t_jieba:.3f}  ({verdict} the target <= 1)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target-chars", type=int, default=3_000_000,
                        help="characters of cleaned text per corpus (default 3,000,000)")
    parser.add_argument("--shared", type=Path,
                        default=Path(os.environ.get("LIANJIAN_SHARED", REPO.parent / "shared")))
    args = parser.parse_args()

    pinned = pin_one_core()
    first_call = warm_up()
    from kg.extract import EXTRACTOR_VERSION

    print(f"bench_extract  {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC  Python {platform.python_version()}  "
          f"{platform.machine()}  {os.cpu_count()} CPUs, {pinned}")
    print(f"extractor version {EXTRACTOR_VERSION}; extractor first call (untimed below) {first_call:.3f} s")
    bench("development corpus", args.shared / "corpus", args.target_chars)
    bench("sample corpus", REPO / "data" / "corpus", args.target_chars)


if __name__ == "__main__":
    main()
