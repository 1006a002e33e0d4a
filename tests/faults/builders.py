"""Builders of the fault suite: messy article folders, large corpora, and helpers to run `kg build`.

Plain functions (no pytest), so bench/fault_suite.py can reuse them. Every
article here is written for these tests; the organizations are invented.

>>> import tempfile, pathlib
>>> cases = make_messy_folder(pathlib.Path(tempfile.mkdtemp()))
>>> sorted({case.expect for case in cases})
['duplicate', 'missing', 'read', 'skip']
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable

# (file stem, text, organizations the graph must hold). Short articles: a headline, a dateline, a body.
GOOD_ARTICLES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "baisha",
        "白沙口岸党建联建签约\n2024年3月5日 来源：边城日报\n"
        "白沙出入境边防检查站与白沙海关签订党建联建协议，双方结对共建，轮流组织主题党日。\n"
        "两家单位还约定每季度召开一次联席会议，交流口岸通关中遇到的问题。",
        ("白沙出入境边防检查站", "白沙海关"),
    ),
    (
        "donggang",
        "东港港区联防联控见成效\n2024年4月2日\n"
        "东港海事局和东港边境派出所开展联防联控，共同巡查港区水域。\n"
        "今年以来双方联合处置险情十余起。",
        ("东港海事局", "东港边境派出所"),
    ),
    (
        "qingxi",
        "清溪縣商會與公安局簽訂共建協議\n2024年5月8日\n"
        "清溪縣商會與清溪縣公安局簽訂共建協議，圍繞服務企業開展黨建共建。",
        ("清溪县商会", "清溪县公安局"),
    ),
    (
        "shimen",
        "村企结对促振兴\n2024年6月1日\n"
        "石门村党支部与南岭公司党支部结对共建，帮助村民发展茶叶产业。",
        ("石门村党支部", "南岭公司党支部"),
    ),
    (
        "beiling",
        "北岭口岸联合打私\n2024年7月9日\n"
        "北岭边检站与北岭海关签订合作协议，联合开展打击走私行动。\n"
        "双方表示将继续深化合作。",
        ("北岭边检站", "北岭海关"),
    ),
)

NO_ORG_ARTICLE = "春日随笔\n2024年3月1日\n今天天气很好，大家去公园散步，孩子们放起了风筝。"

# Organizations that appear only inside <script> and <style>: never in the graph.
SCRIPT_ONLY_ORGS = ("黑石边检站", "黑石海关", "红土村党支部")
HTML_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>金滩口岸党建共建</title>
<style>/* 红土村党支部与黑石海关结对共建 */ .x::after { content: "黑石边检站与黑石海关联建"; }</style>
<script>var news = "黑石边检站与黑石海关签订党建联建协议"; document.title = "红土村党支部";</script>
</head><body><h1>金滩口岸党建共建</h1><p>2024年8月3日</p>
<p>金滩边检站与金滩海关结对共建，共同开展主题党日活动。</p>
<script>console.log("黑石边检站与红土村党支部联建")</script></body></html>"""
HTML_ORGS = ("金滩边检站", "金滩海关")


@dataclass
class Case:
    """One entry of a messy folder: what it is and what the build must do with it."""

    name: str  # path relative to the folder (or as given to the build for "missing")
    what: str  # a short description, e.g. "GBK without BOM"
    expect: str  # "read" | "skip" | "duplicate" | "missing"
    orgs: tuple[str, ...] = ()  # organizations the graph must hold (read cases)
    reason: str = ""  # substring of the skip reason (skip and missing cases)
    absent: tuple[str, ...] = ()  # organizations the graph must not hold


def article_bytes(index: int, encoding: str = "utf-8") -> bytes:
    return GOOD_ARTICLES[index][1].encode(encoding)


def make_good_folder(root: Path) -> list[Case]:
    """The good articles alone, in UTF-8 (a build over them reads everything: exit 0)."""
    root.mkdir(parents=True, exist_ok=True)
    cases = []
    for stem, text, orgs in GOOD_ARTICLES:
        (root / f"{stem}.txt").write_text(text, encoding="utf-8")
        cases.append(Case(f"{stem}.txt", "UTF-8 article", "read", orgs))
    return cases


def ten_mb_line() -> bytes:
    """One line of about 10 MB: an article sentence, then filler with no line break."""
    head = "西湾边检站与西湾海关结对共建，".encode("utf-8")
    filler = "双方交流口岸工作经验，".encode("utf-8")
    return head + filler * (10_000_000 // len(filler)) + "完。\n".encode("utf-8")


def make_messy_folder(root: Path) -> list[Case]:
    """Write the messy folder of issue 9 (everything but the 200 MB file); return its cases.

    The last case, ``missing``, names a path that does not exist: pass it to the build too
    (``build_args(root, cases)`` does).
    """
    root.mkdir(parents=True, exist_ok=True)
    rng = random.Random(9)
    cases: list[Case] = []

    def put(name: str, data: bytes, what: str, expect: str, orgs=(), reason: str = "", absent=()) -> None:
        (root / name).write_bytes(data)
        cases.append(Case(name, what, expect, tuple(orgs), reason, tuple(absent)))

    (stem0, text0, orgs0), (_, text1, orgs1), (_, text2, orgs2), (_, text3, orgs3), (_, text4, orgs4) = GOOD_ARTICLES
    put(f"{stem0}.txt", text0.encode("utf-8"), "UTF-8 article", "read", orgs0)
    put("gbk.txt", text1.encode("gbk"), "GBK without BOM", "read", orgs1)
    put("big5.txt", text2.encode("big5"), "Big5 traditional without BOM", "read", orgs2)
    put("utf16.txt", text3.encode("utf-16-le"), "UTF-16 LE without BOM", "read", orgs3)
    damaged = text4.encode("utf-8").replace("双方表示".encode("utf-8"), b"\xff\xfe\xc3(" + "双方表示".encode("utf-8"))
    put("damaged-utf8.txt", damaged, "invalid UTF-8 bytes in the middle", "read", orgs4)
    put("one-line-10mb.txt", ten_mb_line(), "a single 10 MB line", "read", ("西湾边检站", "西湾海关"))
    put("page.html", HTML_PAGE.encode("utf-8"), "HTML page with scripts and styles", "read", HTML_ORGS,
        absent=SCRIPT_ONLY_ORGS)
    put("no-org.txt", NO_ORG_ARTICLE.encode("utf-8"), "article naming no organization", "read")
    put("copy-of-baisha.txt", text0.encode("utf-8"), "the same article under another name", "duplicate", orgs0)
    put("empty.txt", b"", "empty file", "skip", reason="empty")
    put("random.txt", rng.randbytes(4096), "random binary named .txt", "skip", reason="not text")
    put("scan.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + rng.randbytes(2048),
        "PDF document", "skip", reason="PDF")
    put("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(1024), "PNG image", "skip", reason="PNG")
    put("locked.txt", article_bytes(0).replace("白沙".encode(), "锁定".encode()), "unreadable file", "skip",
        reason="permission denied", absent=("锁定海关",))
    os.chmod(root / "locked.txt", 0)  # effective for a non-root user; as root see simulate_unreadable
    os.symlink("gone.txt", root / "dangling.txt")
    cases.append(Case("dangling.txt", "dangling symlink", "skip", reason="dangling symlink"))
    os.symlink("loop.txt", root / "loop.txt")
    cases.append(Case("loop.txt", "symlink loop", "skip", reason="symlink loop"))
    cases.append(Case(str(root.parent / f"{root.name}-does-not-exist"), "a path that does not exist", "missing",
                      reason="no such file"))
    return cases


def build_paths(root: Path, cases: Iterable[Case]) -> list[str]:
    """What to pass to `kg build`: the folder and every path named explicitly (the missing one)."""
    return [str(root)] + [case.name for case in cases if case.expect == "missing"]


@dataclass
class Unreadable:
    """Makes chosen paths unreadable for the current process, even as root (tests run as root here).

    Root ignores file modes, so the two calls kg makes before reading
    (``os.access`` in kg.walk and ``os.open`` in kg.ingest) are wrapped to fail
    with EACCES for those paths, as they would for a user without permission.
    """

    paths: set[str] = field(default_factory=set)

    def install(self, setattr_: Callable) -> None:
        import errno

        real_access, real_open = os.access, os.open
        names = {os.path.realpath(p) for p in self.paths}

        def access(path, mode, *args, **kwargs):
            if os.path.realpath(path) in names:
                return False
            return real_access(path, mode, *args, **kwargs)

        def open_(path, flags, *args, **kwargs):
            if os.path.realpath(path) in names:
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            return real_open(path, flags, *args, **kwargs)

        setattr_(os, "access", access)
        setattr_(os, "open", open_)


@contextlib.contextmanager
def simulated_unreadable(paths: Iterable[str | Path]) -> Iterator[None]:
    """``Unreadable(paths)`` for the duration of a ``with`` block, outside pytest."""
    saved: list[tuple[object, str, object]] = []

    def setattr_(target, name, value):
        saved.append((target, name, getattr(target, name)))
        setattr(target, name, value)

    Unreadable({str(p) for p in paths}).install(setattr_)
    try:
        yield
    finally:
        for target, name, value in reversed(saved):
            setattr(target, name, value)


def running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


# ---------------------------------------------------------------- running kg


def cli_build(paths: Iterable[str], store: Path, *extra: str, fmt: str = "json"):
    """Run `kg build` in this process (click's CliRunner); returns click's Result."""
    from click.testing import CliRunner

    from kg.cli import main

    curation = [] if "--curation" in extra else ["--no-curation"]  # never the repository's data/curation.yaml
    args = ["build", *paths, "--store", str(store), *curation, "--jobs", "1", "--no-progress", "--format", fmt,
            *extra]
    return CliRunner().invoke(main, args, catch_exceptions=False)


def json_summary(output: str) -> dict:
    """The JSON summary printed by `kg build --format json` (stderr lines are not part of it)."""
    start = output.index("{")
    return json.loads(output[start:output.rindex("}") + 1])


def kg_command(*args: str) -> list[str]:
    return [PYTHON, "-m", "kg", *args]


def run_kg(*args: str, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    """Run `kg` in a child process (a real process: signals, locks and exit codes are real)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.run(kg_command(*args), cwd=kwargs.pop("cwd", REPO), capture_output=True, text=True,
                          timeout=timeout, env=env, **kwargs)


BUILD_OPTIONS = ("--no-curation", "--jobs", "2", "--no-progress", "--format", "json")


def start_build(folder: Path, store: Path) -> subprocess.Popen:
    """`kg build` in its own process group, so a signal reaches it and its workers like Ctrl-C does.

    SIGINT is reset to its default in the child: a shell runs background jobs with SIGINT ignored, and
    Python then installs no KeyboardInterrupt handler, so a suite started with `&` could not test Ctrl-C.
    """
    return subprocess.Popen(kg_command("build", str(folder), "--store", str(store), *BUILD_OPTIONS), cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def interrupt(process: subprocess.Popen, sig: int) -> tuple[int, str]:
    """Send ``sig`` to the build's process group; returns (exit code, stderr). Leftover workers are killed."""
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass
    try:
        _, err = process.communicate(timeout=60)
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return process.returncode, err


def wait_for_new_version(store: Path, process: subprocess.Popen, timeout: float = 60) -> bool:
    """Wait until the build has started writing its new version (the riskiest moment to die)."""
    deadline = time.monotonic() + timeout
    before = {p.name for p in (store / "versions").iterdir()}
    while time.monotonic() < deadline and process.poll() is None:
        if {p.name for p in (store / "versions").iterdir()} - before:
            return True
        time.sleep(0.005)
    return False


ORG_LABELS = """SELECT DISTINCT ?label WHERE {
  ?o a <http://www.w3.org/ns/org#Organization> .
  { ?o <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }
  UNION { ?o <http://www.w3.org/2004/02/skos/core#altLabel> ?label } }"""
COUNT_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def graph_labels(store: Path) -> set[str]:
    """Every prefLabel and altLabel of an organization in the store's current graph."""
    from kg.store import open_store

    with open_store(str(store)) as opened:
        return {row["label"] for row in opened.query(ORG_LABELS).rows}


def graph_text(store: Path) -> str:
    """Every literal of the current graph, joined: for 'never appears anywhere' checks."""
    from kg.store import open_store

    with open_store(str(store)) as opened:
        rows = opened.query("SELECT ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o)) }").rows
    return "\n".join(str(row["o"]) for row in rows)


def sorted_ntriples(store: Path) -> list[str]:
    """The whole current graph (all named graphs) as sorted N-Quads lines: equal graphs give equal lists."""
    import pyoxigraph as ox

    from kg.store import EmbeddedStore

    path = EmbeddedStore(store).current_path()
    if path is None or not path.is_dir():
        return []
    opened = ox.Store.read_only(str(path))
    try:
        return sorted(opened.dump(format=ox.RdfFormat.N_QUADS).decode("utf-8").splitlines())
    finally:
        del opened


# ---------------------------------------------------------------- larger corpora

_PLACES = "东南西北上下前后中新大小长平安宁"
_PLACES2 = "山河湖海港湾岭溪桥林田源江口塘坪"
_PAIRS = (
    ("边检站", "海关", "结对共建"),
    ("海事局", "边境派出所", "开展联防联控"),
    ("村党支部", "公司党支部", "签订党建联建协议"),
    ("商会", "公安局", "签订共建协议"),
)


def corpus_article(i: int) -> tuple[str, tuple[str, str]]:
    """A short generated article number ``i`` naming two organizations of one invented place."""
    place = _PLACES[i % len(_PLACES)] + _PLACES2[(i // len(_PLACES)) % len(_PLACES2)]
    a, b, cue = _PAIRS[(i // (len(_PLACES) * len(_PLACES2))) % len(_PAIRS)]
    if i >= len(_PLACES) * len(_PLACES2) * len(_PAIRS):
        place += "一二三四五六七八九"[(i // 1024) % 9]
    head, tail = place + a, place + b
    text = (f"{head}与{tail}{cue}\n2024年{1 + i % 12}月{1 + i % 28}日\n"
            f"{head}与{tail}{cue}，双方轮流组织主题党日，交流工作经验。\n"
            f"第{i}期活动中，双方还就口岸安全和便民服务进行了座谈。")
    return text, (head, tail)


def make_corpus(root: Path, count: int, start: int = 0) -> list[str]:
    """Write ``count`` generated articles; returns the organizations they name."""
    root.mkdir(parents=True, exist_ok=True)
    orgs: list[str] = []
    for i in range(start, start + count):
        text, names = corpus_article(i)
        (root / f"a{i:05d}.txt").write_text(text, encoding="utf-8")
        orgs.extend(names)
    return orgs


def make_big_file(path: Path, size: int = 200_000_000) -> None:
    """A ``size``-byte UTF-8 article written as one repeated block (real data, not a sparse hole)."""
    block = ("南川边检站与南川海关结对共建，双方交流口岸工作经验。\n" * 2000).encode("utf-8")
    with open(path, "wb") as handle:
        written = 0
        while written + len(block) <= size:
            handle.write(block)
            written += len(block)
        handle.write(b"\n" * (size - written))


# ---------------------------------------------------------------- hostile content


def terminal_unsafe(text: str) -> list[str]:
    """The control, format (bidi) and separator characters of ``text`` but newline and tab, as U+XXXX.

    >>> terminal_unsafe("白沙\\x1b[2J\\u202e海关\\n")
    ['U+001B', 'U+202E']
    """
    return sorted({f"U+{ord(ch):04X}" for ch in text
                   if ch not in "\n\t" and unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")})
