"""The data installed with the package is found through kg.resources (not shadowed by a module)."""

from kg import resources


def test_every_data_file_is_found():
    for path in (resources.ontology_file(), resources.shapes_file(), resources.lexicon_file()):
        assert path.is_file(), path
    assert sorted(resources.queries_dir().glob("*.rq"))
    assert (resources.viz_dir() / "map.html").is_file()
