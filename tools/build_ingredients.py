"""Build src/aichef/knowledge/data/ingredients.json from the curated list and USDA SR28.

Run by developers, never at run time:

    .venv/bin/python tools/build_ingredients.py [--check] [path/to/usda-sr28-abbrev.csv]

The CSV defaults to $AICHEF_SR28_CSV or ../shared/data/usda-sr28-abbrev.csv. The output is
deterministic: same inputs, same bytes. Nutrient figures are copied from SR28 unchanged
(optionally multiplied by a documented factor); names, tags and unit weights are ours.

Curated line format (tools/ingredients_curated.txt), ``|``-separated:

    key | NDB_No | 한국어 | English | category | aliases, | allergens, | tags, | units; | approximation

An allergen written ``wheat?`` is one that commercial products usually, not always, contain.

``units`` entries are ``unit=grams`` (a project weight), ``unit=@1`` / ``unit=@2`` (SR28
GmWt_1 / GmWt_2 divided by its household quantity), or ``-volume`` (derive no volume units).
The approximation column may end in ``~x0.68``: every nutrient is multiplied by 0.68 (e.g. for
the water a rice cake holds that rice flour does not).
Volume units (컵 200 ml, 큰술 15 ml, 작은술 5 ml, ml) are derived from the first SR28 household
weight given in cups, tablespoons, teaspoons or fluid ounces, unless set explicitly.
"""

from __future__ import annotations

import csv
import json
import os
import re
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CURATED = ROOT / "tools" / "ingredients_curated.txt"
OUTPUT = ROOT / "src" / "aichef" / "knowledge" / "data" / "ingredients.json"
DEFAULT_CSV = ROOT.parent / "shared" / "data" / "usda-sr28-abbrev.csv"

sys.path.insert(0, str(ROOT / "src"))
from aichef.knowledge.allergens import ALLERGENS  # noqa: E402
from aichef.knowledge.ingredients import CATEGORIES, TAGS, normalise_name  # noqa: E402
from aichef.knowledge.units import COUNT_UNITS, VOLUME_UNITS  # noqa: E402

NUTRIENT_COLUMNS = {
    "kcal": "Energ_Kcal",
    "protein_g": "Protein_(g)",
    "fat_g": "Lipid_Tot_(g)",
    "carbohydrate_g": "Carbohydrt_(g)",
    "fiber_g": "Fiber_TD_(g)",
    "sugar_g": "Sugar_Tot_(g)",
    "sodium_mg": "Sodium_(mg)",
}
# US customary volumes in ml, as SR28 household measures use them.
US_VOLUME_ML = {
    "cup": 236.588,
    "tbsp": 14.787,
    "tablespoon": 14.787,
    "tsp": 4.929,
    "teaspoon": 4.929,
    "fl oz": 29.574,
}
KOREAN_VOLUME_ML = {"컵": 200.0, "큰술": 15.0, "작은술": 5.0}  # what to_grams reads as 컵/큰술/작은술
KNOWN_UNITS = COUNT_UNITS | set(VOLUME_UNITS) - {"L"}
KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def _quantity(desc: str) -> tuple[Fraction, str] | None:
    match = re.match(r"^\s*([\d.]+(?:/\d+)?)\s+(.*)$", desc)
    if not match:
        return None
    return Fraction(match.group(1)).limit_denominator(1000), match.group(2).strip()


def _density(row: dict[str, str]) -> tuple[float, str] | None:
    """Grams per ml from the first SR28 household weight given as a volume."""
    for n in ("1", "2"):
        grams, desc = row[f"GmWt_{n}"], row[f"GmWt_Desc{n}"]
        parsed = _quantity(desc) if grams else None
        if not parsed:
            continue
        qty, rest = parsed
        for word, ml in sorted(US_VOLUME_ML.items(), key=lambda kv: -len(kv[0])):
            if rest == word or rest.startswith((word + ",", word + " ")):
                return float(grams) / (float(qty) * ml), f"SR28 GmWt_{n}: {grams} g = {desc}"
    return None


def _number(text: str) -> float:
    return float(text) if text.strip() else 0.0


def _split(field: str, sep: str = ",") -> list[str]:
    return [part.strip() for part in field.split(sep) if part.strip()]


def build_row(fields: list[str], sr28: dict[str, dict[str, str]], line_no: int) -> dict[str, Any]:
    where = f"{CURATED.name}:{line_no}"
    if len(fields) != 10:
        raise SystemExit(f"{where}: expected 10 fields, got {len(fields)}")
    key, ndb, name_ko, name_en, category, aliases, allergens, tags, units, approx = fields
    if not KEY_RE.match(key):
        raise SystemExit(f"{where}: key {key!r} must be ASCII snake_case")
    if ndb not in sr28:
        raise SystemExit(f"{where}: NDB_No {ndb} not in SR28")
    if category not in CATEGORIES:
        raise SystemExit(f"{where}: category {category!r} not one of {CATEGORIES}")
    row = sr28[ndb]
    factor = 1.0
    reason: str | None = approx or None
    if reason and "~x" in reason:
        reason, _, factor_text = reason.rpartition("~x")
        factor = float(factor_text)
        reason = reason.strip()
    # "wheat?" marks an allergen that commercial products usually, not always, contain (된장);
    # it is avoided all the same, and listed again under allergens_usual for the labels.
    allergen_set = sorted({a.rstrip("?") for a in _split(allergens)})
    usual = sorted({a.rstrip("?") for a in _split(allergens) if a.endswith("?")})
    for a in allergen_set:
        if a not in ALLERGENS:
            raise SystemExit(f"{where}: allergen {a!r} not one of {ALLERGENS}")
    tag_set = set(_split(tags))
    if category in ("meat", "poultry"):
        tag_set.add("meat")
    if category == "seafood":
        tag_set.add("seafood")
    for t in tag_set:
        if t not in TAGS:
            raise SystemExit(f"{where}: tag {t!r} not one of {TAGS}")
    per_100g: dict[str, float] = {}
    missing: list[str] = []
    for name, column in NUTRIENT_COLUMNS.items():
        if not row[column].strip():
            missing.append(name)
        per_100g[name] = round(_number(row[column]) * factor, 4) if factor != 1.0 else _number(row[column])
    unit_grams: dict[str, float] = {}
    unit_sources: dict[str, str] = {}
    entries = _split(units, ";")
    # "-volume": the SR28 row is a different physical form (flour standing in for a cake), so its
    # cup weight says nothing about this food's; scaled rows are never measured by volume either.
    derive_volume = "-volume" not in entries and factor == 1.0
    entries = [entry for entry in entries if entry != "-volume"]
    density = _density(row) if derive_volume else None
    if density:
        g_per_ml, source = density
        unit_grams["ml"] = round(g_per_ml, 4)
        unit_sources["ml"] = source
        for unit, ml in KOREAN_VOLUME_ML.items():
            unit_grams[unit] = round(g_per_ml * ml, 1)
            unit_sources[unit] = f"{ml:g} ml x density from {source}"
    for entry in entries:
        unit, _, value = (part.strip() for part in entry.partition("="))
        if unit not in KNOWN_UNITS:
            raise SystemExit(f"{where}: unit {unit!r} not one of {sorted(KNOWN_UNITS)}")
        if value.startswith("@"):
            n = value[1:]
            parsed = _quantity(row[f"GmWt_Desc{n}"])
            if not parsed or not row[f"GmWt_{n}"]:
                raise SystemExit(f"{where}: SR28 GmWt_{n} of {ndb} has no household weight")
            qty, desc = parsed
            grams = float(row[f"GmWt_{n}"]) / float(qty)
            source = f"SR28 GmWt_{n}: {row[f'GmWt_{n}']} g = {row[f'GmWt_Desc{n}']}"
            if unit in KOREAN_VOLUME_ML:
                # SR28 measures in US cups (236.6 ml) and spoons; ours are 200/15/5 ml.
                us_ml = next(
                    (ml for word, ml in US_VOLUME_ML.items() if desc.split(",")[0].strip() == word), None
                )
                if us_ml is None:
                    raise SystemExit(f"{where}: {unit} needs a volume, but GmWt_{n} of {ndb} is {desc!r}")
                grams = grams / us_ml * KOREAN_VOLUME_ML[unit]
                source = f"{KOREAN_VOLUME_ML[unit]:g} ml x density from {source}"
            unit_grams[unit] = round(grams, 1)
            unit_sources[unit] = source
        else:
            unit_grams[unit] = float(value)
            unit_sources[unit] = "project estimate (typical Korean kitchen weight)"
        if unit in KOREAN_VOLUME_ML and "ml" not in unit_grams:
            unit_grams["ml"] = round(unit_grams[unit] / KOREAN_VOLUME_ML[unit], 4)
            unit_sources["ml"] = f"derived from {unit}"
    if factor != 1.0:
        reason = f"{reason} (SR28 figures x {factor:g})"
    built: dict[str, Any] = {
        "key": key,
        "name_ko": name_ko,
        "name_en": name_en,
        "aliases": _split(aliases),
        "category": category,
        "ndb_no": ndb,
        "usda_description": row["Shrt_Desc"],
        "approximation": reason,
        "per_100g": per_100g,
        "allergens": allergen_set,
        "tags": sorted(tag_set),
        "unit_grams": dict(sorted(unit_grams.items())),
        "unit_sources": dict(sorted(unit_sources.items())),
        "missing": missing,
    }
    if usual:  # only where there is something to say, so that other rows stay as they were
        built["allergens_usual"] = usual
    return built


def render(csv_path: Path) -> str:
    """The text of ingredients.json built from the curated list and the SR28 CSV at ``csv_path``."""
    with csv_path.open(encoding="utf-8", newline="") as handle:
        sr28 = {row["NDB_No"]: row for row in csv.DictReader(handle)}
    rows: list[dict[str, Any]] = []
    names: dict[str, str] = {}
    clashes: list[str] = []
    for line_no, line in enumerate(CURATED.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        row = build_row([part.strip() for part in line.split("|")], sr28, line_no)
        for name in [row["key"], row["name_ko"], row["name_en"], *row["aliases"]]:
            owner = names.setdefault(normalise_name(name), row["key"])
            if owner != row["key"]:
                clashes.append(f"line {line_no}: name {name!r} of {row['key']} already names {owner}")
        rows.append(row)
    if clashes:
        raise SystemExit("\n".join(clashes))
    keys = [row["key"] for row in rows]
    if len(keys) != len(set(keys)):
        raise SystemExit("duplicate keys: " + ", ".join(sorted({k for k in keys if keys.count(k) > 1})))
    body = ",\n".join(json.dumps(row, ensure_ascii=False, sort_keys=True) for row in rows)
    header = json.dumps(
        {
            "source": "USDA National Nutrient Database for Standard Reference, Release 28 (public domain)",
            "note": "Figures per 100 g are SR28's; selection, names, tags and unit weights are AI Chef's.",
            "count": len(rows),
        },
        ensure_ascii=False,
    )[:-1]
    return f'{header}, "ingredients": [\n{body}\n]}}\n'


def main(argv: list[str]) -> int:
    """Write the table; with ``--check``, only report whether the shipped file is up to date."""
    args = [a for a in argv[1:] if a != "--check"]
    csv_path = Path(args[0] if args else os.environ.get("AICHEF_SR28_CSV", DEFAULT_CSV))
    text = render(csv_path)
    if "--check" in argv:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        print("up to date" if current == text else f"{OUTPUT.relative_to(ROOT)} is stale: run this script")
        return 0 if current == text else 1
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {text.count(chr(10)) - 2} ingredients to {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
