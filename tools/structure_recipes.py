"""Convert recipe files from the plain format (steps as strings) to the structured one.

Run: .venv/bin/python tools/structure_recipes.py src/aichef/knowledge/data/recipes/baby_more.json [...]
(each file is rewritten in place; ``--check`` only reports what it would do).

The structured format adds three things the generator needs to adapt a recipe truthfully:
- every ingredient line gets an ``id`` (the food's table key, ``_2`` for a second line of it);
- every mention of a line in a step becomes a placeholder ``{ids|original words}``: the ids of the
  lines named there (adjacent names in a list form one placeholder, e.g. ``{tofu,green_onion|두부와
  대파를}``) and the words as written, with the Korean particle that follows them, so that the
  generator can print the original words while the lines are unchanged and re-render them (new
  name, the right 을/를) when a line is swapped or dropped;
- ``identity``: the lines the dish is named after (the 콩나물 of 콩나물국).

Mentions are found by the names the ingredient table knows (Korean and English names, aliases) and a
few step words (``_STEP_WORDS``); the tool prints every food name left outside a placeholder so that
a person can check it. Review the output by eye before committing it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from aichef.knowledge.ingredients import Ingredient, all_ingredients, lookup

# Words steps use for a line's food that the table does not list (key -> words).
_STEP_WORDS: dict[str, tuple[str, ...]] = {
    "anchovy_dried": ("anchovies", "anchovy"),
    "cheongyang_chili": ("고추", "chili", "chilies", "chillies", "chile"),
    "green_onion": ("green onions",),
    "shiitake": ("mushrooms",),
    "gochujang": ("gochujang",),
    "cooked_rice": ("rice", "밥"),
    "brown_rice_cooked": ("rice", "현미"),
    "egg": ("eggs", "계란"),
    "chicken_breast": ("닭고기", "chicken"),
    "chicken_thigh": ("닭고기", "chicken"),
    "doenjang": ("doenjang", "miso", "미소"),
    "vegetable_oil": ("oil",),
}
# Korean particles whose form follows the last syllable's final consonant, longest first.
_PARTICLES = ("으로", "로", "을", "를", "이", "가", "은", "는", "와", "과")
# Joiners between names of one list ("물과 멸치", "a, b and c").
_JOIN_KO = re.compile(r"^(?:,\s*|와\s+|과\s+|\s*및\s+|\s+)")
_JOIN_EN = re.compile(r"^(?:,\s*and\s+|,\s*|\s+and\s+|\s+or\s+|\s*&\s*)")
# English words that, as the last word of a longer name, would name the wrong food.
_GENERIC_EN = frozenset({"sauce", "oil", "powder", "paste", "seeds", "seed", "flour", "milk",
                         "cheese", "stock", "broth", "juice", "water", "cream",
                         "leaves", "noodles", "rice"})  # fmt: skip


def _generic_words(item: Ingredient) -> tuple[str, ...]:
    """Words a step uses for a kind of food: 버섯 for any mushroom, 고기 for any meat."""
    words: tuple[str, ...] = ()
    if item.category == "mushroom":
        words += ("버섯", "mushrooms", "mushroom")
    if item.category in ("meat", "poultry"):
        words += ("고기", "meat")
    if item.category == "noodle":
        words += ("noodles",)
    kinds = (("pork", "돼지고기", "pork"), ("beef", "소고기", "beef"), ("chicken", "닭고기", "chicken"),
             ("duck", "오리고기", "duck"))  # fmt: skip
    for prefix, ko, en in kinds:
        if item.key.startswith(prefix) or item.key.endswith(prefix):
            words += (ko, en)
    if item.key == "chicken_whole":
        words += ("닭",)
    if item.category == "grain" and "rice" in item.name_en.lower():
        words += ("rice",)
    return words


def _line_ids(rows: list[dict[str, Any]], where: str) -> list[tuple[str, Ingredient]]:
    seen: dict[str, int] = {}
    out: list[tuple[str, Ingredient]] = []
    for row in rows:
        item = lookup(row["item"])
        if item is None:
            raise SystemExit(f"{where}: unknown ingredient {row['item']!r}")
        seen[item.key] = seen.get(item.key, 0) + 1
        out.append((item.key if seen[item.key] == 1 else f"{item.key}_{seen[item.key]}", item))
    return out


def _surfaces(written: str, item: Ingredient, english: bool, derived: bool = True) -> set[str]:
    """The words a step may use for this line in one language; ``derived`` adds the last word of a
    longer name ("다진 마늘" -> "마늘"), which yields to another line's own name."""
    names = {item.name_en, *item.aliases} if english else {written, item.name_ko, *item.aliases}
    names = {n for n in names if n.isascii() == english and len(n) >= 2}
    names |= {w for w in _STEP_WORDS.get(item.key, ()) if w.isascii() == english}
    names |= {w for w in _generic_words(item) if w.isascii() == english}
    if english:
        for name in list(names):
            names.add(name + "s")
    if not derived:
        return {n.lower() if english else n for n in names}
    if english:
        for name in list(names):
            words = name.split()
            if len(words) > 1 and len(words[-1]) >= 4 and words[-1] not in _GENERIC_EN:
                names.add(words[-1])
    else:
        words = written.split()
        if len(words) > 1 and len(words[-1]) >= 2:
            names.add(words[-1])  # "국물용 멸치" -> "멸치", "다진 마늘" -> "마늘"
    return {n.lower() if english else n for n in names}


def _find(text: str, table: dict[str, list[str]], english: bool) -> list[tuple[int, int, list[str]]]:
    """Non-overlapping mentions (start, end, ids), longest names first."""
    lowered = text.lower() if english else text
    taken = [False] * len(text)
    found: list[tuple[int, int, list[str]]] = []
    for name in sorted(table, key=len, reverse=True):
        start = lowered.find(name)
        while start >= 0:
            end = start + len(name)
            before = lowered[start - 1] if start else " "
            if english:
                whole = not before.isalpha() and (end == len(text) or not lowered[end].isalpha())
            else:  # Korean attaches particles after a name, but a syllable before it makes another word
                whole = not ("가" <= before <= "힣")
            if whole and not any(taken[start:end]):
                found.append((start, end, table[name]))
                for i in range(start, end):
                    taken[i] = True
            start = lowered.find(name, start + 1)
    return sorted(found)


def _structure_step(text: str, table: dict[str, list[str]], english: bool) -> str:
    mentions = _find(text, table, english)
    out: list[str] = []
    pos = 0
    i = 0
    joiner = _JOIN_EN if english else _JOIN_KO
    while i < len(mentions):
        start, end, ids = mentions[i]
        group = list(ids)
        # Gather a list of names: "물과 멸치", "zucchini, onion, shiitake and garlic".
        while i + 1 < len(mentions):
            gap = text[end : mentions[i + 1][0]]
            joined = joiner.match(gap)
            if joined is None or joined.end() != len(gap):
                break
            i += 1
            end = mentions[i][1]
            group += [x for x in mentions[i][2] if x not in group]
        if not english:
            for particle in _PARTICLES:
                if text.startswith(particle, end):
                    following = text[end + len(particle) : end + len(particle) + 1]
                    if not following or not ("가" <= following <= "힣"):
                        end += len(particle)
                    break
        out.append(text[pos:start])
        out.append("{" + ",".join(group) + "|" + text[start:end] + "}")
        pos = end
        i += 1
    out.append(text[pos:])
    return "".join(out)


def _identity(recipe: dict[str, Any], lines: list[tuple[str, Ingredient]]) -> list[str]:
    title_ko = recipe["name_ko"].replace(" ", "")
    title_en = recipe["name_en"].lower()
    ids: list[str] = []
    for (line_id, item), row in zip(lines, recipe["ingredients"], strict=True):
        if item.key == "water":
            continue
        korean = {w.replace(" ", "") for w in _surfaces(row["item"], item, False)}
        english = _surfaces(row["item"], item, True)
        if any(len(w) >= 2 and w in title_ko for w in korean) or any(
            re.search(rf"\b{re.escape(w)}\b", title_en) for w in english if len(w) > 2
        ):
            ids.append(line_id)
    return ids


def _unplaced(text: str, english: bool) -> list[str]:
    """Table food names still in a step outside its placeholders: for the person reviewing."""
    bare = re.sub(r"\{[^}]*\}", " ", text)
    lowered = bare.lower()
    hits = []
    for item in all_ingredients():
        names = (item.name_en, *item.aliases) if english else (item.name_ko, *item.aliases)
        for name in names:
            if len(name) < (3 if english else 2) or name.isascii() != english:
                continue
            pattern = rf"\b{re.escape(name.lower())}\b" if english else rf"(?<![가-힣]){re.escape(name)}"
            if re.search(pattern, lowered):
                hits.append(name)
    return hits


def convert(recipe: dict[str, Any], where: str) -> tuple[dict[str, Any], list[str]]:
    """The recipe in the structured format and the notes for the reviewer."""
    if "identity" in recipe:
        return recipe, []  # already structured
    lines = _line_ids(recipe["ingredients"], where)
    tables: dict[bool, dict[str, list[str]]] = {False: {}, True: {}}
    for derived in (False, True):
        for english in (False, True):
            own = set(tables[english])
            for (line_id, item), row in zip(lines, recipe["ingredients"], strict=True):
                for name in _surfaces(row["item"], item, english, derived) - own:
                    ids = tables[english].setdefault(name, [])
                    if line_id not in ids:
                        ids.append(line_id)
    notes: list[str] = []
    steps: dict[str, list[str]] = {}
    for language, english in (("ko", False), ("en", True)):
        steps[language] = [_structure_step(s, tables[english], english) for s in recipe["steps"][language]]
        for text in steps[language]:
            left = _unplaced(text, english)
            if left:
                notes.append(f"{where} [{language}] names {', '.join(left)} outside a line: {text}")
    description = {
        language: _structure_step(recipe["description"][language], tables[english], english)
        for language, english in (("ko", False), ("en", True))
    }
    out = dict(recipe)
    out["description"] = description
    out["ingredients"] = [
        {"id": line_id, **row} for (line_id, _), row in zip(lines, recipe["ingredients"], strict=True)
    ]
    out["identity"] = _identity(recipe, lines)
    out["steps"] = steps
    return out, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="report only; do not rewrite the files")
    args = parser.parse_args(argv)
    for path in args.files:
        data = json.loads(path.read_text("utf-8"))
        converted = []
        for recipe in data["recipes"]:
            new, notes = convert(recipe, f"{path.name} [{recipe['id']}]")
            converted.append(new)
            for note in notes:
                print(note)
        if not args.check:
            data["recipes"] = converted
            path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
