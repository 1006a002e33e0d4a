"""A bad curation file fails the build before anything is written, naming the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from faults.builders import cli_build, make_good_folder, sorted_ntriples


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``root`` with its size and modification time: any write shows."""
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    base = tmp_path_factory.mktemp("curation")
    make_good_folder(base / "a")
    assert cli_build([str(base / "a")], base / "store").exit_code == 0
    return base / "a", base / "store"


BAD_FILES = {
    "yaml-syntax": ("- same: [白沙海关, 白沙关]\n- rename: {from: 北岭海关, to: 北岭关\n- remove: 东港海事局\n", 3,
                    "YAML syntax error"),
    "unknown-operation": ("- same: [白沙海关, 白沙关]\n  note: 同一单位\n- merge: [北岭海关, 北岭关]\n", 3,
                          "unknown field or operation 'merge'"),
    "unknown-type": ("- remove: 东港海事局\n- retype: {name: 白沙海关, type: Harbour}\n", 2, "unknown type 'Harbour'"),
    "unknown-relation": ("- add_link: {head: 白沙海关, tail: 北岭海关, type: friends, note: 某报道}\n", 1,
                         "unknown relation type 'friends'"),
    "tab-indent": ("- same:\n\t- 白沙海关\n", 2, "YAML syntax error"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_curation_file_fails_before_anything_is_written_with_its_line(built, tmp_path, case):
    folder, store = built
    text, line, message = BAD_FILES[case]
    curation = tmp_path / "curation.yaml"
    curation.write_text(text, encoding="utf-8")
    before_graph, before_files = sorted_ntriples(store), _tree(store)
    result = cli_build([str(folder)], store, "--curation", str(curation))
    assert result.exit_code == 1
    assert f"{curation}:{line}:" in result.stderr
    assert message in result.stderr
    assert "nothing was changed" in result.stderr
    assert "Traceback" not in result.output
    assert _tree(store) == before_files
    assert sorted_ntriples(store) == before_graph


def test_a_curation_file_that_is_not_utf8_is_rejected_clearly(built, tmp_path):
    folder, store = built
    curation = tmp_path / "curation.yaml"
    curation.write_bytes("- remove: 东港海事局\n".encode("gbk"))
    before = _tree(store)
    result = cli_build([str(folder)], store, "--curation", str(curation))
    assert result.exit_code == 1
    assert "cannot read curation file" in result.stderr
    assert _tree(store) == before


def test_a_bad_curation_file_on_a_new_store_creates_nothing(tmp_path):
    make_good_folder(tmp_path / "a")
    curation = tmp_path / "curation.yaml"
    curation.write_text("- frobnicate: 白沙海关\n", encoding="utf-8")
    result = cli_build([str(tmp_path / "a")], tmp_path / "store", "--curation", str(curation))
    assert result.exit_code == 1
    assert f"{curation}:1:" in result.stderr
    assert not (tmp_path / "store").exists()


def test_review_reports_the_bad_line_too(built, tmp_path):
    from click.testing import CliRunner

    from kg.cli import main

    _, store = built
    curation = tmp_path / "curation.yaml"
    curation.write_text("- remove: 东港海事局\n- merge: [a, b]\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["review", "--store", str(store), "--curation", str(curation)])
    assert result.exit_code == 1
    assert f"{curation}:2:" in result.stderr
