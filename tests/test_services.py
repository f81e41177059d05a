"""The app's services: the seed index is built once, and kept in a file only as a cache."""

from service.services import services


def _index_files(app):
    from pathlib import Path

    return sorted(Path(app.instance_path).glob("seed-index-*.pickle"))


def test_a_second_start_reads_the_index_file_and_answers_the_same(make_app, monkeypatch):
    from service.lexicon import Lexicon

    first = make_app()
    built = services(first).pipeline.check(["Lasix 40mg", "Hyzaar 50/12.5", "simvastatine"])
    assert len(_index_files(first)) == 1

    def no_building(*_):
        raise AssertionError("the index was built again")

    monkeypatch.setattr(Lexicon, "build", no_building)
    second = make_app()
    again = services(second).pipeline.check(["Lasix 40mg", "Hyzaar 50/12.5", "simvastatine"])
    assert [e.json for e in again.entries] == [e.json for e in built.entries]


def test_a_damaged_index_file_is_rebuilt(make_app):
    app = make_app()
    services(app).pipeline  # noqa: B018 - writes the file
    (path,) = _index_files(app)
    path.write_bytes(b"not a pickle")
    fresh = make_app()
    assert services(fresh).pipeline.check(["Lasix"]).entries[0].status == "flagged"
    assert path.read_bytes() != b"not a pickle"
