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

Every row also gets SR28's ``Refuse_Pct`` of its NDB row. ``tools/ingredients_edible.txt`` says for each
food with refuse whether recipes weigh it as purchased (bones, shell, pit: ``bought_with_refuse``)
or as eaten, and what the refuse is (the abbreviated SR28 file has no description column).
``tools/ingredients_published.txt`` replaces named nutrients of processed Korean products by
published Korean figures; every row's ``source`` names where its figures come from.
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
EDIBLE = ROOT / "tools" / "ingredients_edible.txt"
PUBLISHED = ROOT / "tools" / "ingredients_published.txt"
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


def _data_lines(path: Path) -> list[tuple[int, list[str]]]:
    """The ``|``-separated fields of each line of ``path`` that is not blank or a comment."""
    out: list[tuple[int, list[str]]] = []
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip() and not line.lstrip().startswith("#"):
            out.append((line_no, [part.strip() for part in line.split("|")]))
    return out


def read_edible(path: Path = EDIBLE) -> dict[str, tuple[bool, str, str | None]]:
    """key -> (weighed as bought?, refuse description, approximation override or None; "" = none)."""
    out: dict[str, tuple[bool, str, str | None]] = {}
    for line_no, fields in _data_lines(path):
        where = f"{path.name}:{line_no}"
        if len(fields) not in (3, 4) or fields[1] not in ("bought", "eaten") or not fields[2]:
            expected = "'key | bought | refuse [| approximation]' or 'key | eaten | refuse'"
            raise SystemExit(f"{where}: expected {expected}")
        if fields[1] == "eaten" and len(fields) == 4:
            raise SystemExit(f"{where}: only a row weighed as bought may change its approximation")
        override = None if len(fields) == 3 else ("" if fields[3] == "-" else fields[3])
        out[fields[0]] = (fields[1] == "bought", fields[2], override)
    return out


def read_published(path: Path = PUBLISHED) -> dict[str, tuple[dict[str, float], str, str]]:
    """key -> (nutrient values per 100 g, source with its date, what remains approximate).

    A line ``key | - | - | text`` found no published figure: the row keeps SR28's and says ``text``.
    """
    out: dict[str, tuple[dict[str, float], str, str]] = {}
    for line_no, fields in _data_lines(path):
        where = f"{path.name}:{line_no}"
        if len(fields) != 4 or not all(fields):
            raise SystemExit(f"{where}: expected 'key | nutrient=value; ... | source | approximation'")
        key, values_text, source, remains = fields
        values: dict[str, float] = {}
        if values_text == "-" and source == "-":  # no published figure found: only say what stays approximate
            out[key] = (values, source, remains)
            continue
        if not re.search(r"\b(19|20)\d\d\b", source):
            raise SystemExit(f"{where}: the source must carry its date")
        for item in _split(values_text, ";"):
            name, _, value = (part.strip() for part in item.partition("="))
            if name not in NUTRIENT_COLUMNS:
                raise SystemExit(f"{where}: nutrient {name!r} not one of {sorted(NUTRIENT_COLUMNS)}")
            values[name] = float(value)
        out[key] = (values, source, remains)
    return out


def build_row(
    fields: list[str],
    sr28: dict[str, dict[str, str]],
    line_no: int,
    edible: dict[str, tuple[bool, str, str | None]] | None = None,
    published: dict[str, tuple[dict[str, float], str, str]] | None = None,
) -> dict[str, Any]:
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
    source = f"USDA SR28 NDB_No {ndb}"
    if published and key in published and not published[key][0]:
        reason = published[key][2]
    elif published and key in published:
        values, named, remains = published[key]
        per_100g.update(values)
        missing = [name for name in missing if name not in values]
        # Sugars are part of carbohydrate: a published sugar above the proxy's carbohydrate is a floor.
        per_100g["carbohydrate_g"] = max(per_100g["carbohydrate_g"], per_100g["sugar_g"])
        source = f"{', '.join(sorted(values))}: {named}; other figures: {source}"
        reason = remains
    refuse_pct = _number(row["Refuse_Pct"])
    refuse_desc: str | None = None
    bought_with_refuse = False
    if edible and key in edible:
        bought_with_refuse, refuse_desc, override = edible[key]
        if override is not None:
            reason = override or None
        if bought_with_refuse and refuse_pct == 0:
            # SR28 describes the meat only: it cannot say how much of a whole fish or shell is eaten.
            note = (
                "edible portion unknown: SR28 gives no refuse for this meat-only row,"
                " so bones or shell count as food"
            )
            reason = f"{reason}; {note}" if reason else note
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
        "refuse_pct": refuse_pct,
        "refuse_desc": refuse_desc,
        "bought_with_refuse": bought_with_refuse,
        "source": source,
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
    edible, published = read_edible(), read_published()
    for line_no, fields in _data_lines(CURATED):
        row = build_row(fields, sr28, line_no, edible, published)
        for name in [row["key"], row["name_ko"], row["name_en"], *row["aliases"]]:
            owner = names.setdefault(normalise_name(name), row["key"])
            if owner != row["key"]:
                clashes.append(f"line {line_no}: name {name!r} of {row['key']} already names {owner}")
        rows.append(row)
    if clashes:
        raise SystemExit("\n".join(clashes))
    keys = [row["key"] for row in rows]
    unknown = sorted((set(edible) | set(published)) - set(keys))
    if unknown:
        raise SystemExit(f"{EDIBLE.name} / {PUBLISHED.name} name unknown keys: {', '.join(unknown)}")
    if len(keys) != len(set(keys)):
        raise SystemExit("duplicate keys: " + ", ".join(sorted({k for k in keys if keys.count(k) > 1})))
    body = ",\n".join(json.dumps(row, ensure_ascii=False, sort_keys=True) for row in rows)
    header = json.dumps(
        {
            "source": "USDA National Nutrient Database for Standard Reference, Release 28 (public domain)",
            "note": "Figures per 100 g are SR28's except where a row's source names a published Korean"
            " table or test; refuse is SR28's Refuse_Pct;"
            " selection, names, tags and unit weights are AI Chef's.",
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
