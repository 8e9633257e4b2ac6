"""Stage 4 of the generator: the dish as served (texts and lines), from structured steps and adapted lines.

A mention of lines that are all unchanged reads as the recipe writes it. When a line is swapped the
mention names the stand-in (with the right Korean particle: 을/를, 이/가, 은/는, 와/과, 으로/로);
when a line is dropped its name leaves the mention, and a sentence whose mentions are all gone
leaves the step (a step with nothing left is left out). When a line the dish is named after is
swapped, the title says so ("닭갈비 (닭고기 대신 돼지고기)").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aichef.knowledge import ingredients
from aichef.knowledge.generate.lines import PARTICLE_FORMS, Line, english_name, particle
from aichef.knowledge.recipes import LibraryRecipe, Mention, Segment
from aichef.models import DIFFICULTIES, Recipe, RecipeIngredient

__all__ = ["Texts", "build", "ingredient_line", "render", "render_text"]

_GONE = "\x00"  # where a mention with nothing left stood
_KEPT = "\x01"  # next to a mention that still names something


@dataclass(frozen=True)
class Texts:
    title: str
    description: str
    steps: tuple[str, ...]


def _split_particle(words: str) -> tuple[str, str]:
    for form in sorted(PARTICLE_FORMS, key=len, reverse=True):
        if words.endswith(form) and len(words) > len(form):
            return words[: -len(form)], form
    return words, ""


def _name(line: Line, ko: bool) -> str:
    if ko:
        return line.written if line.replaces is None else line.ingredient.name_ko
    return english_name(line.ingredient.name_en)


def _join(names: Sequence[str], ko: bool) -> str:
    if len(names) == 1:
        return names[0]
    if ko:
        if len(names) == 2:
            return f"{names[0]}{particle(names[0], '과')} {names[1]}"
        return ", ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _mention(mention: Mention, lines: Mapping[str, Line], ko: bool) -> str:
    chosen = [lines[x] for x in mention.ids if x in lines]
    if all(x.replaces is None and not x.dropped for x in chosen):
        return _KEPT + mention.words + _KEPT
    names = list(dict.fromkeys(_name(x, ko) for x in chosen if not x.dropped))
    if not names:
        return _GONE
    text = _join(names, ko)
    if ko:
        _, form = _split_particle(mention.words)
        if form:
            text += particle(text, form)
    return _KEPT + text + _KEPT


_SENTENCE = re.compile(r"(?<=[.!?])\s+")
# Where a Korean sentence joins its clauses ("굽고 ", "넣은 뒤 ", "끓인 뒤 "); in English ", ", " and ".
_CLAUSE_KO = re.compile(r"(고|은 뒤|[가-힣] 뒤),? ")
_CLAUSE_EN = re.compile(r",\s+(?:then\s+)?|\s+and\s+(?:then\s+)?|;\s+")


def _final_form(head: str, joint: str) -> str:
    """The end of a sentence from a clause that joined the next one: the plain present of the same
    verb ("굽고" -> "굽는다", "끓이고" -> "끓인다", "만들고" -> "만든다", "넣은 뒤" -> "넣는다",
    "끓인 뒤" -> "끓인다"). ``head`` is the sentence up to the joint."""
    if joint == "은 뒤":
        return head + "는다."
    if joint.endswith("뒤"):
        return head + joint[0] + "다."  # the syllable already ends in ㄴ
    last = head[-1:]
    if not ("가" <= last <= "힣"):
        return head + "다."
    final = (ord(last) - 0xAC00) % 28
    if final == 0:  # a vowel: add ㄴ
        return head[:-1] + chr(ord(last) + 4) + "다."
    if final == 8:  # ㄹ becomes ㄴ
        return head[:-1] + chr(ord(last) - 4) + "다."
    return head + "는다."


def _without_last_clause(sentence: str, ko: bool) -> str:
    """The sentence without its last clause when that clause names only foods that are gone ("뒤집어
    4분 더 굽고 레몬을 곁들인다." -> "뒤집어 4분 더 굽는다."); unchanged otherwise."""
    gone = sentence.rfind(_GONE)
    joints = list((_CLAUSE_KO if ko else _CLAUSE_EN).finditer(sentence, 0, gone))
    if not joints or _KEPT in sentence[joints[-1].end() :]:
        return sentence
    joint = joints[-1]
    head = sentence[: joint.start()]
    if not head.strip() or (_GONE in head and _KEPT not in head):
        return sentence
    if not ko:
        return head.rstrip(" ,;") + "."
    return _final_form(head, joint.group(1))


# An amount written right after a food ("간장 1큰술"): it was the old food's amount, so it leaves
# with it.
_AMOUNT_AFTER = re.compile(r"^\s*[\d½⅓⅔¼¾.,/]+\s*(?:큰술|작은술|컵|g|ml|Tbsp|tsp|cups?)(?![A-Za-z])")


def render_text(segments: Sequence[Segment], lines: Mapping[str, Line], ko: bool) -> str:
    """One step (or description) as served; empty when nothing of it is left."""
    parts: list[str] = []
    changed = False
    for part in segments:
        if isinstance(part, str):
            parts.append(_AMOUNT_AFTER.sub("", part) if changed else part)
            changed = False
        else:
            text = _mention(part, lines, ko)
            changed = text != _KEPT + part.words + _KEPT
            parts.append(text)
    raw = "".join(parts)
    kept: list[str] = []
    for sentence in _SENTENCE.split(raw):
        if _GONE in sentence:
            sentence = _without_last_clause(sentence, ko)
        if _GONE in sentence and _KEPT not in sentence:
            continue  # every food it named is gone: so is the sentence
        kept.append(sentence)
    text = " ".join(kept).replace(_KEPT, "")
    text = text.replace(_GONE, "")
    # Tidy what a removed name leaves: doubled spaces, a comma with nothing before or after it.
    text = re.sub(r"\s+([,.;])", r"\1", text)
    text = re.sub(r",\s*,", ",", text)
    text = re.sub(r"(^|[.;]\s)\s*,\s*", r"\1", text)
    text = re.sub(r"\s{2,}", " ", text).strip()
    return text if any(ch.isalnum() for ch in text) else ""


def _title(recipe: LibraryRecipe, lines: Mapping[str, Line], language: str) -> str:
    ko = language == "ko"
    title = recipe.name(language)
    swapped = [lines[x] for x in recipe.identity if x in lines and lines[x].replaces is not None]
    if not swapped:
        return title
    parts = []
    for line in swapped:
        old = ingredients.get(line.replaces or "")
        parts.append(
            f"{old.name_ko} 대신 {line.ingredient.name_ko}"
            if ko
            else f"{english_name(line.ingredient.name_en)} for {english_name(old.name_en)}"
        )
    return f"{title} ({', '.join(parts)})"


def render(recipe: LibraryRecipe, lines: Sequence[Line], language: str) -> Texts:
    """The title, description and steps of ``recipe`` for its adapted ``lines``."""
    ko = language == "ko"
    by_id = {x.id: x for x in lines}
    steps = (render_text(step, by_id, ko) for step in recipe.structured_steps(language))
    return Texts(
        title=_title(recipe, by_id, language),
        description=render_text(recipe.structured_description(language), by_id, ko),
        steps=tuple(step for step in steps if step),
    )


_UNITS_EN = {
    "큰술": "Tbsp", "작은술": "tsp", "컵": "cup", "개": "piece", "모": "block", "쪽": "clove",
    "줌": "handful", "뿌리": "stalk", "장": "sheet", "마리": "whole", "봉": "pack", "캔": "can",
    "포기": "head", "줄기": "sprig", "알": "piece", "송이": "floret", "봉지": "bag", "공기": "bowl",
    "팩": "pack", "토막": "piece", "꼬집": "pinch", "통": "bulb", "대": "stalk", "잎": "leaf",
    "조각": "piece", "줄": "strip",
}  # fmt: skip
# 장 counts anything flat: leaves of lettuce or cabbage, sheets of laver or kelp, rashers, slices.
_SHEETS_EN = {"bacon": "strip", "whole_wheat_bread": "slice", "laver": "sheet", "kelp": "piece"}
# 개 of a vegetable that grows in a head is a head ("broccoli ¼ head"), not a piece.
_HEADS = frozenset({"broccoli", "cauliflower", "cabbage", "napa_cabbage", "iceberg_lettuce", "lettuce"})


def _unit_en(unit: str, item: ingredients.Ingredient) -> str:
    if unit in ("개", "통") and item.key in _HEADS:
        return "head"
    if unit == "장":
        return _SHEETS_EN.get(item.key, "leaf" if item.category == "vegetable" else "sheet")
    return _UNITS_EN.get(unit, unit)


def _rounded(amount: float, unit: str) -> float:
    if unit in ("g", "ml"):
        return float(max(1, round(amount)))
    return max(0.25, round(amount * 4) / 4)  # cooks measure in quarters of a spoon or a piece


def ingredient_line(line: Line, language: str) -> RecipeIngredient:
    """One served ingredient line: small volumes in the next smaller spoon, many pinches in teaspoons,
    a sliver of a piece or
    less than a quarter teaspoon weighed in grams (never "0.12 작은술 (0 g)"), at least 1 g."""
    item = line.ingredient
    name = (
        (line.written if line.replaces is None else item.name_ko)
        if language == "ko"
        else english_name(item.name_en)
    )
    amount, unit = line.amount, line.unit
    if unit == "꼬집" and amount >= 8:  # nobody counts nine pinches: 16 pinches make a teaspoon
        amount, unit = amount / 16, "작은술"
    if unit == "컵" and amount < 0.25:
        amount, unit = amount * 200 / 15, "큰술"
    if unit == "큰술" and amount < 0.5:
        amount, unit = amount * 3, "작은술"
    if amount < 0.125 and unit not in ("g", "ml"):
        amount, unit = line.grams, "g"
    grams = float(max(1, round(line.grams)))
    shown_unit = unit if language == "ko" else _unit_en(unit, item)
    return RecipeIngredient(name=name, amount=_rounded(amount, unit), unit=shown_unit, grams=grams)


def build(recipe: LibraryRecipe, lines: Sequence[Line], servings: int, language: str) -> Recipe:
    """The recipe as the user will see it (the target note is added once it is chosen)."""
    texts = render(recipe, lines, language)
    served = [x for x in lines if not x.dropped]
    return Recipe(
        recipeName=texts.title,
        description=texts.description,
        cookingTime=recipe.cooking_time,
        difficulty=DIFFICULTIES[language][_DIFFICULTY_RANK[recipe.difficulty]],  # type: ignore[arg-type]
        servings=servings,
        ingredients=[ingredient_line(x, language) for x in served],
        instructions=list(texts.steps) or [recipe.name(language)],
    )


_DIFFICULTY_RANK = {"easy": 0, "medium": 1, "hard": 2}
