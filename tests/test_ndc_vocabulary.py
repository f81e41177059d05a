"""flask --app service vocabulary: brand rows from FDA's NDC directory product file."""

import csv
import shutil
import zipfile
from pathlib import Path

from service.lexicon import Lexicon
from service.resolution import resolve
from service.seeding import read_seed_files

HEADER = [
    "PRODUCTID", "PRODUCTNDC", "PRODUCTTYPENAME", "PROPRIETARYNAME", "PROPRIETARYNAMESUFFIX",
    "NONPROPRIETARYNAME", "DOSAGEFORMNAME", "ROUTENAME", "STARTMARKETINGDATE", "ENDMARKETINGDATE",
    "MARKETINGCATEGORYNAME", "APPLICATIONNUMBER", "LABELERNAME", "SUBSTANCENAME",
    "ACTIVE_NUMERATOR_STRENGTH", "ACTIVE_INGRED_UNIT", "PHARM_CLASSES", "DEASCHEDULE", "NDC_EXCLUDE_FLAG",
    "LISTING_RECORD_CERTIFIED_THROUGH",
]


def _product(ndc, kind, name, suffix, generic, form, route, substance, exclude="N"):
    values = dict.fromkeys(HEADER, "")
    values.update({
        "PRODUCTID": f"{ndc}_x", "PRODUCTNDC": ndc, "PRODUCTTYPENAME": kind, "PROPRIETARYNAME": name,
        "PROPRIETARYNAMESUFFIX": suffix, "NONPROPRIETARYNAME": generic, "DOSAGEFORMNAME": form,
        "ROUTENAME": route, "SUBSTANCENAME": substance, "NDC_EXCLUDE_FLAG": exclude,
    })
    return values


PRODUCTS = [
    _product("0001-0001", "HUMAN PRESCRIPTION DRUG", "Quorvaxin", "", "furosemide", "TABLET", "ORAL", "FUROSEMIDE"),
    _product("0001-0002", "HUMAN PRESCRIPTION DRUG", "Plendrazide", "HCT", "losartan potassium and hydrochlorothiazide",
             "TABLET, FILM COATED", "ORAL", "LOSARTAN POTASSIUM; HYDROCHLOROTHIAZIDE"),
    _product("0001-0003", "HUMAN PRESCRIPTION DRUG", "Furosemide", "", "furosemide", "TABLET", "ORAL", "FUROSEMIDE"),
    _product("0001-0004", "HUMAN PRESCRIPTION DRUG", "Lasix", "", "furosemide", "TABLET", "ORAL", "FUROSEMIDE"),
    _product("0001-0005", "HUMAN OTC DRUG", "Dualmix", "", "x", "TABLET", "ORAL", "IBUPROFEN"),
    _product("0001-0006", "HUMAN OTC DRUG", "Dualmix", "", "y", "TABLET", "ORAL", "ACETAMINOPHEN"),
    _product("0001-0007", "BULK INGREDIENT", "Bulkbrandol", "", "z", "POWDER", "", "FUROSEMIDE"),
    _product("0001-0008", "HUMAN PRESCRIPTION DRUG", "Gonebrand", "", "z", "TABLET", "ORAL", "FUROSEMIDE", "E"),
]


def _write_product_file(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(PRODUCTS)
    return path


def _rows(path: Path) -> dict[str, str]:
    return {r["name"]: r["ingredients"] for r in csv.DictReader(path.open(encoding="utf-8"))}


def test_vocabulary_command_writes_brand_rows_from_the_ndc_product_file(app, tmp_path):
    product_file = _write_product_file(tmp_path / "product.txt")
    output = tmp_path / "ndc_vocabulary.csv"
    result = app.test_cli_runner().invoke(args=["vocabulary", str(product_file), "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert "read 8 products; wrote 2 brand names" in result.output
    # A new brand, and a combination with the seed's ingredient names; not the generic name listed
    # as a brand, a brand the seed knows, a name used for two different products, bulk or excluded rows.
    assert _rows(output) == {"quorvaxin": "furosemide", "plendrazide hct": "hydrochlorothiazide;losartan"}


def test_vocabulary_command_reads_the_zip_fda_publishes(app, tmp_path):
    product_file = _write_product_file(tmp_path / "product.txt")
    archive = tmp_path / "ndctext.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.write(product_file, "product.txt")
    output = tmp_path / "out.csv"
    result = app.test_cli_runner().invoke(args=["vocabulary", str(archive), "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert "quorvaxin" in _rows(output)


def test_brands_built_from_the_ndc_file_resolve_once_seeded(app, tmp_path):
    seed_dir = tmp_path / "seed"
    shutil.copytree(Path(__file__).resolve().parent.parent / "seed", seed_dir)
    product_file = _write_product_file(tmp_path / "product.txt")
    result = app.test_cli_runner().invoke(
        args=["vocabulary", str(product_file), "-o", str(seed_dir / "ndc_vocabulary.csv")]
    )
    assert result.exit_code == 0, result.output
    before = Lexicon.build(read_seed_files())
    assert resolve("Quorvaxin 40mg", before).ingredients == ()
    lexicon = Lexicon.build(read_seed_files(seed_dir))
    assert {i.name for i in resolve("Quorvaxin 40mg", lexicon).ingredients} == {"furosemide"}
    assert {i.name for i in resolve("Plendrazide HCT", lexicon).ingredients} == {"losartan", "hydrochlorothiazide"}
    assert read_seed_files(seed_dir).version != read_seed_files().version
