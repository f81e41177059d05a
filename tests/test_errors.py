"""The one error shape: every problem type the service can send is documented."""

from pathlib import Path

from service.errors import NAMED_TYPES, PROBLEM_TYPES, problem_type

PROBLEMS_MD = (Path(__file__).resolve().parent.parent / "docs" / "problems.md").read_text()


def test_every_problem_type_is_listed_in_docs_problems_md_with_its_status():
    types = [(problem_type(status), status) for status in PROBLEM_TYPES]
    types += [(problem_type(status, slug), status) for slug, status in NAMED_TYPES.items()]
    for urn, status in types:
        assert f"| `{urn}` | {status} |" in PROBLEMS_MD, urn
