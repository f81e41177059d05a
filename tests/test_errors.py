"""The one error shape: every problem type the service can send is documented."""

from pathlib import Path

from service.errors import NAMED_TYPES, PROBLEM_TYPES, problem_type

PROBLEMS_MD = (Path(__file__).resolve().parent.parent / "docs" / "problems.md").read_text()


def test_every_problem_type_is_listed_in_docs_problems_md_with_its_status():
    types = [(problem_type(status), status) for status in PROBLEM_TYPES]
    types += [(problem_type(status, slug), status) for slug, status in NAMED_TYPES.items()]
    for urn, status in types:
        assert f"| `{urn}` | {status} |" in PROBLEMS_MD, urn


class _BrokenChunks:
    """A request body that the web server's reader refuses mid-read, as gunicorn's does."""

    def read(self, *_):
        from gunicorn.http.errors import ChunkMissingTerminator

        raise ChunkMissingTerminator(b"X")

    readline = read


def test_a_body_the_server_cannot_finish_reading_is_a_400_problem(client):
    response = client.post("/api/v1/check", data=b'{"medications": ["Lasix"]}', content_type="application/json",
                           environ_overrides={"wsgi.input": _BrokenChunks()})
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert "malformed" in response.get_json()["detail"]
