"""Finding article files: order, ignored names, and paths that cannot be read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kg.model import Skipped
from kg.walk import is_ignored, iter_article_files


def make(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("青山边检站与青山海关共建。", encoding="utf-8")


def names(results, root: Path) -> list[str]:
    return [str(r.relative_to(root)) if isinstance(r, Path) else f"SKIP {Path(r.path).name}: {r.reason}" for r in results]


def test_sorted_depth_first_order(tmp_path):
    make(tmp_path, "b.txt", "a/z.txt", "a/b/c.html", "c.txt", "a/a.txt")
    assert names(iter_article_files([tmp_path]), tmp_path) == ["a/a.txt", "a/b/c.html", "a/z.txt", "b.txt", "c.txt"]


def test_order_is_stable(tmp_path):
    make(tmp_path, *(f"{i:03d}.txt" for i in range(30)))
    assert list(iter_article_files([tmp_path])) == list(iter_article_files([tmp_path]))


def test_hidden_and_backup_files_ignored(tmp_path):
    make(tmp_path, "a.txt", ".hidden.txt", ".git/config", "a.txt~", "#a.txt#", "a.txt.swp", "a.txt.bak", "Thumbs.db")
    assert names(iter_article_files([tmp_path]), tmp_path) == ["a.txt"]


def test_explicit_hidden_file_is_read(tmp_path):
    make(tmp_path, ".note.txt")
    assert list(iter_article_files([tmp_path / ".note.txt"])) == [tmp_path / ".note.txt"]


def test_every_file_is_yielded_once(tmp_path):
    make(tmp_path, "a.txt")
    (tmp_path / "alias.txt").symlink_to(tmp_path / "a.txt")
    assert names(iter_article_files([tmp_path, tmp_path / "a.txt"]), tmp_path) == ["a.txt"]


def test_other_files_in_folders_are_listed_as_skipped_with_their_format(tmp_path):
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.7\n...")
    (tmp_path / "gold.json").write_text('{"doc": "a.txt"}', encoding="utf-8")
    make(tmp_path, "a.txt", "b.html", "c")
    found = list(iter_article_files([tmp_path]))
    assert names([f for f in found if not isinstance(f, Skipped)], tmp_path) == ["a.txt", "b.html", "c"]
    reasons = {Path(s.path).name: s.reason for s in found if isinstance(s, Skipped)}
    assert reasons["scan.pdf"] == "not text: PDF document"
    assert reasons["gold.json"].startswith("not an article file (.json)")


def test_a_file_named_explicitly_is_read_whatever_its_name(tmp_path):
    make(tmp_path, "notes.md")
    assert list(iter_article_files([tmp_path / "notes.md"])) == [tmp_path / "notes.md"]


def test_missing_path(tmp_path):
    assert list(iter_article_files([tmp_path / "nope"])) == [Skipped(str(tmp_path / "nope"), "no such file or directory")]


def test_dangling_symlink(tmp_path):
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    assert names(iter_article_files([tmp_path]), tmp_path) == ["SKIP dangling.txt: dangling symlink"]


def test_file_symlink_loop(tmp_path):
    (tmp_path / "a.txt").symlink_to(tmp_path / "b.txt")
    (tmp_path / "b.txt").symlink_to(tmp_path / "a.txt")
    assert names(iter_article_files([tmp_path]), tmp_path) == ["SKIP a.txt: symlink loop", "SKIP b.txt: symlink loop"]


def test_folder_symlink_loop_terminates(tmp_path):
    make(tmp_path, "sub/a.txt")
    (tmp_path / "sub" / "up").symlink_to(tmp_path)
    assert names(iter_article_files([tmp_path]), tmp_path) == ["sub/a.txt", "SKIP up: symlink loop"]


def test_second_route_to_a_folder_is_silent(tmp_path):
    make(tmp_path, "a/x.txt")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    assert names(iter_article_files([tmp_path]), tmp_path) == ["a/x.txt"]


def test_symlinks_not_followed_on_request(tmp_path):
    make(tmp_path, "a.txt")
    (tmp_path / "b.txt").symlink_to(tmp_path / "a.txt")
    results = names(iter_article_files([tmp_path], follow_symlinks=False), tmp_path)
    assert results == ["a.txt", "SKIP b.txt: symlink not followed"]


def test_fifo_is_not_a_regular_file(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    assert names(iter_article_files([tmp_path]), tmp_path) == ["SKIP pipe.txt: not a regular file"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file(tmp_path):
    make(tmp_path, "secret.txt")
    (tmp_path / "secret.txt").chmod(0)
    try:
        assert names(iter_article_files([tmp_path]), tmp_path) == ["SKIP secret.txt: permission denied"]
    finally:
        (tmp_path / "secret.txt").chmod(0o644)


def test_unreadable_file_simulated(tmp_path, monkeypatch):
    # What a user other than root sees: the mode denies reading, and so does the kernel (os.access).
    make(tmp_path, "a.txt", "secret.txt")
    (tmp_path / "secret.txt").chmod(0o000)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: "secret" not in str(path) and real_access(path, mode))
    assert names(iter_article_files([tmp_path]), tmp_path) == ["a.txt", "SKIP secret.txt: permission denied"]


def test_a_file_of_ours_that_its_mode_lets_us_read_needs_no_access_call(tmp_path, monkeypatch):
    make(tmp_path, "a.txt")
    asked = []
    monkeypatch.setattr(os, "access", lambda path, mode: asked.append(path) or True)
    assert names(iter_article_files([tmp_path]), tmp_path) == ["a.txt"]
    assert asked == []


def test_unreadable_folder_simulated(tmp_path, monkeypatch):
    make(tmp_path, "locked/a.txt", "b.txt")
    real_scandir = os.scandir

    def scandir(path):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert names(iter_article_files([tmp_path]), tmp_path) == ["b.txt", "SKIP locked: permission denied"]


@pytest.mark.parametrize(("name", "ignored"), [("a.txt", False), (".a", True), ("a~", True), ("#a#", True), ("a.tmp", True)])
def test_is_ignored(name, ignored):
    assert is_ignored(name) is ignored


def test_docstring_examples():
    import doctest

    import kg.walk

    result = doctest.testmod(kg.walk)
    assert result.failed == 0 and result.attempted > 0


def test_scan_docstring_examples():
    import doctest

    import kg.scan

    result = doctest.testmod(kg.scan)
    assert result.failed == 0 and result.attempted > 0
