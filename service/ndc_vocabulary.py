"""Brand names from FDA's NDC directory: flask --app service vocabulary product.txt

FDA publishes every listed US drug product in the NDC directory (``product.txt``, tab
separated, inside ndctext.zip). This command reads that file as a user downloaded it and
writes the brand (proprietary) names it holds, each with its ingredients as the seed names
them, to ``seed/ndc_vocabulary.csv``. The next ``flask --app service seed`` loads them below
every curated file and above the general vocabulary: curated names always win.

A brand is left out when its name is the generic name itself, when the seed already knows it,
when its products disagree about the ingredients, or when it is not a human drug.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

import click
from flask.cli import with_appcontext

from .lexicon import Lexicon
from .resolution import resolve
from .seeding import SEED_DIR
from .text import name_key, strip_salt

OUTPUT = SEED_DIR / "ndc_vocabulary.csv"
HUMAN_TYPES = ("HUMAN PRESCRIPTION DRUG", "HUMAN OTC DRUG")


def read_products(path: Path) -> Iterator[dict[str, str]]:
    """The rows of an NDC directory product file (product.txt, a .csv export, or ndctext.zip)."""
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as archive:
            member = next(n for n in archive.namelist() if n.lower().endswith("product.txt"))
            text = archive.read(member).decode("utf-8", errors="replace")
    else:
        text = path.read_text(encoding="utf-8", errors="replace")
    delimiter = "\t" if "\t" in text.split("\n", 1)[0] else ","
    for row in csv.DictReader(io.StringIO(text), delimiter=delimiter):
        yield {(k or "").strip().upper(): (v or "").strip() for k, v in row.items()}


def ingredient_name(substance: str, lexicon: Lexicon) -> str | None:
    """The seed's name for an NDC substance ("LOSARTAN POTASSIUM" -> "losartan")."""
    key = name_key(substance)
    if not key:
        return None
    resolution = resolve(substance, lexicon)
    names = {i.name for i in resolution.ingredients if i.match != "fuzzy"}
    if resolution.complete and len(names) == 1:
        return names.pop()
    return strip_salt(key)


def brand_rows(products: Iterable[dict[str, str]], lexicon: Lexicon) -> tuple[list[tuple[str, str, str]], int]:
    """Brand rows (name, ingredients, kind) for brands the seed does not know, and how many products were read."""
    brands: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    written: dict[str, str] = {}
    count = 0
    for product in products:
        count += 1
        if product.get("PRODUCTTYPENAME", "").upper() not in HUMAN_TYPES:
            continue
        if product.get("NDC_EXCLUDE_FLAG", "N").upper() not in ("", "N"):
            continue
        name = " ".join(filter(None, (product.get("PROPRIETARYNAME"), product.get("PROPRIETARYNAMESUFFIX"))))
        key = name_key(name)
        substances = [s for s in product.get("SUBSTANCENAME", "").split(";") if s.strip()]
        if not key or not substances:
            continue
        ingredients = tuple(sorted(filter(None, (ingredient_name(s, lexicon) for s in substances))))
        if len(ingredients) != len(substances):
            continue
        brands[key].add(ingredients)
        written.setdefault(key, name)
    rows = []
    for key, sets in brands.items():
        if len(sets) != 1:
            continue  # the same name on products with different ingredients: not a brand to trust
        ingredients = next(iter(sets))
        known = lexicon.names.get(key)
        if known is not None and known.curated:
            continue  # curated names win anyway
        resolution = resolve(key, lexicon)
        if resolution.complete and tuple(sorted(i.name for i in resolution.ingredients)) == ingredients:
            continue  # already read right: a generic name listed as a brand, or a known brand
        if any(len(i) > 60 for i in ingredients):
            continue
        rows.append((key, ";".join(ingredients), "brand"))
    return sorted(rows), count


@click.command("vocabulary")
@with_appcontext
@click.argument("product_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=OUTPUT,
              show_default=True, help="Where to write the brand rows.")
def vocabulary_command(product_file: Path, output: Path) -> None:
    """Build brand rows from FDA's NDC directory product file (product.txt or ndctext.zip)."""
    from .cli import _pipeline  # the command runs where the CLI does: prepare a new database first

    lexicon = _pipeline().lexicon
    rows, count = brand_rows(read_products(product_file), lexicon)
    with output.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["name", "ingredients", "kind"])
        writer.writerows(rows)
    click.echo(f"read {count} products; wrote {len(rows)} brand names to {output}")
    click.echo("Run 'flask --app service seed' to load them.")
