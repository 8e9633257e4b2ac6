"""The offline recipe generator: pick the library recipe that fits a profile best, adapted and checked.

Every candidate is scaled to the profile's servings, its allergens substituted, and repaired
where a hard diet rule rejects it (sugar left out, rice reduced ...); only candidates that
``diets.check`` then passes are served. When none passes, :class:`Unmet` names the constraints.

>>> from aichef.models import SessionRequest
>>> request = SessionRequest.model_validate(
...     {"sessionId": "s1", "profile": {"target": "keto", "allergies": ["돼지고기"], "servings": 2}})
>>> result = generate(request)
>>> isinstance(result, GeneratedRecipe) and result.recipe.servings
2
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from aichef.knowledge._adapt import (
    Attempt,
    Change,
    Line,
    Needs,
    adapt,
    explained,
    is_title,
    needs_for,
)
from aichef.knowledge._ranking import DIFFICULTY_RANK, FRIDGE_GOAL, by_ceiling, on_hand_share, rank, score
from aichef.knowledge.diets import RuleResult
from aichef.knowledge.ingredients import Ingredient, lookup
from aichef.knowledge.nutrition import NutritionReport
from aichef.knowledge.recipes import LibraryRecipe, get_recipe, load_library
from aichef.models import DIFFICULTIES, Constraints, Profile, Recipe, RecipeIngredient, SessionRequest

__all__ = ["FRIDGE_GOAL", "Change", "GeneratedRecipe", "Line", "Unmet", "adapt_recipe", "generate"]

_UNITS_EN = {
    "큰술": "Tbsp", "작은술": "tsp", "컵": "cup", "개": "piece", "모": "block", "쪽": "clove",
    "줌": "handful", "뿌리": "stalk", "장": "sheet", "마리": "whole", "봉": "pack", "캔": "can",
    "포기": "head", "줄기": "sprig",
}  # fmt: skip
_SPOONS = frozenset({"큰술", "작은술"})
_ADJUSTABLE = ("constraint.", "diet.kcal", "fridge.")
_TARGET_NAMES = {
    "keto": ("키토", "Keto"), "diabetes": ("당뇨", "Diabetes"), "diet": ("다이어트", "Diet"),
    "baby_food": ("이유식", "Baby food"), "fridge": ("냉장고 파먹기", "Fridge"),
}  # fmt: skip


@dataclass(frozen=True)
class GeneratedRecipe:
    """A served recipe: the seeds' ``recipe`` plus what proves it fits.

    ``lines`` are the resolved ingredients (grams for the whole recipe), ``rules`` every rule
    result (none blocking), ``changes`` what was adapted, ``on_hand_share`` the percent of
    non-staple ingredients already owned (fridge mode), ``to_buy`` the lines still to be bought.
    """

    recipe: Recipe
    source_id: str
    texture: str
    lines: tuple[Line, ...]
    nutrition: NutritionReport
    rules: tuple[RuleResult, ...]
    changes: tuple[Change, ...]
    on_hand_share: float | None
    to_buy: tuple[tuple[Ingredient, float], ...]
    language: str = "ko"

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view for workflow handlers: the seeds' recipe plus its evidence."""
        language = self.language
        return {
            "recipe": self.recipe.model_dump(),
            "sourceId": self.source_id,
            "texture": self.texture,
            "nutrition": self.nutrition.as_dict(),
            "rules": [r.as_dict() for r in self.rules],
            "changes": [{**asdict(c), "text": c.describe(language)} for c in self.changes],
            "onHandShare": None if self.on_hand_share is None else round(self.on_hand_share, 1),
            "toBuy": [
                {"key": i.key, "name": i.name_ko if language == "ko" else i.name_en, "grams": round(g, 1)}
                for i, g in self.to_buy
            ],
        }


@dataclass(frozen=True)
class Unmet:
    """No recipe meets every constraint. ``constraints`` are rule ids (e.g. ``constraint.max_cooking_time``,
    ``allergy.declared``, ``fridge.on_hand_share``); ``closest`` is the best recipe that passes the hard
    rules when only the fridge goal was missed."""

    constraints: tuple[str, ...]
    explanation: str
    closest: GeneratedRecipe | None = None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view: the constraints, the explanation and the closest dish if any."""
        return {
            "unmet": list(self.constraints),
            "explanation": self.explanation,
            "closest": None if self.closest is None else self.closest.as_dict(),
        }


def _candidates(profile: Profile) -> list[LibraryRecipe]:
    baby = profile.target == "baby_food"
    return [r for r in load_library() if ("baby_food" in r.targets) == baby]


def _round_amount(amount: float, unit: str) -> float:
    if unit in ("g", "ml", "kg", "L"):
        return float(max(1, round(amount))) if unit in ("g", "ml") else round(amount, 2)
    if amount >= 1:
        return round(amount * 4) / 4  # cooks measure in quarters of a spoon or a piece
    return round(amount, 2)


def _ingredient_line(line: Line, language: str) -> RecipeIngredient:
    item = line.ingredient
    if language == "ko":
        name = line.written
    else:
        found = lookup(item.name_en)
        name = item.name_en if found is not None and found.key == item.key else item.key
    amount, unit = line.amount, line.unit
    # Small volumes read better in the next smaller measure: 컵 200 ml, 큰술 15 ml, 작은술 5 ml.
    if unit == "컵" and amount < 0.25:
        amount, unit = amount * 200 / 15, "큰술"
    if unit == "큰술" and amount < 0.5:
        amount, unit = amount * 3, "작은술"
    if amount < 0.25 and unit not in _SPOONS and unit not in ("g", "ml"):
        amount, unit = line.grams, "g"  # "0.12 개" helps no one; a small piece is weighed
    shown_unit = unit if language == "ko" else _UNITS_EN.get(unit, unit)
    return RecipeIngredient(
        name=name, amount=_round_amount(amount, unit), unit=shown_unit, grams=round(line.grams, 1)
    )


def _target_note(attempt: Attempt, needs: Needs) -> str:
    profile = needs.profile
    ko = profile.language == "ko"
    title = _TARGET_NAMES[profile.target][0 if ko else 1]
    own = (profile.target.split("_")[0], "condition")
    # Measured figures of the target's own rules, then anything that warns; passed "none found"
    # checks would only make the note long.
    picked = [
        r for r in attempt.results if r.id.split(".")[0] in own and (r.unit != "count" or r.verdict != "pass")
    ]
    picked += [r for r in attempt.results if r.verdict == "warn" and r not in picked]
    parts = [r.explanation for r in picked]
    if attempt.changes:
        label = "조정" if ko else "Adjusted"
        parts.append(
            f"{label}: " + ", ".join(dict.fromkeys(c.describe(profile.language) for c in attempt.changes))
        )
    return f"[{title}] " + " / ".join(parts)


def _serve(attempt: Attempt, needs: Needs) -> GeneratedRecipe:
    profile, recipe = needs.profile, attempt.recipe
    language = profile.language
    lines = tuple(x for x in attempt.lines if x.grams > 0)
    share = on_hand_share(attempt, needs) if profile.target == "fridge" else None
    steps = list(recipe.steps(language))
    if attempt.changes:
        head = "재료 조정: " if language == "ko" else "Adjusted ingredients: "
        described = dict.fromkeys(c.describe(language) for c in attempt.changes)
        steps.insert(0, head + ", ".join(described))
    served = Recipe(
        recipeName=recipe.name(language),
        description=recipe.description(language),
        cookingTime=recipe.cooking_time,
        difficulty=DIFFICULTIES[language][DIFFICULTY_RANK[recipe.difficulty]],  # type: ignore[arg-type]
        servings=profile.servings,
        ingredients=[_ingredient_line(x, language) for x in lines],
        instructions=steps,
        targetNote=_target_note(attempt, needs),
    )
    owned = needs.on_hand if profile.target == "fridge" else frozenset()
    to_buy = tuple(
        (x.ingredient, x.grams)
        for x in lines
        if x.ingredient.key != "water"
        and not (profile.target == "fridge" and "staple" in x.ingredient.tags)
        and x.ingredient.key not in owned
    )
    assert attempt.report is not None  # a served attempt always has its nutrition
    return GeneratedRecipe(
        recipe=served,
        source_id=recipe.id,
        texture=recipe.texture,
        lines=lines,
        nutrition=attempt.report,
        rules=attempt.results,
        changes=attempt.changes,
        on_hand_share=share,
        to_buy=to_buy,
        language=language,
    )


def _explain(failed: list[Attempt], needs: Needs, chosen: bool = False) -> tuple[tuple[str, ...], str]:
    """Name the fewest constraints that block the closest recipe, in the profile's language."""
    ko = needs.profile.language == "ko"
    if not failed:
        return ("recipe.library",), (
            "레시피 라이브러리가 비어 있습니다" if ko else "The recipe library is empty"
        )
    # Prefer naming what the user can change (a time or calorie limit) over the target's own rules.
    closest = min(
        failed,
        key=lambda a: (
            len(a.blocking),
            sum(1 for rule in a.blocking if not rule.startswith(_ADJUSTABLE)),
            needs.profile.target not in a.recipe.targets,
        ),
    )
    closest = explained(closest, needs)
    ids = closest.blocking
    language = needs.profile.language
    titles = {r.id: (r.title_ko if ko else r.title_en) for r in closest.results}
    details = [r.explanation for r in closest.results if r.id in ids]
    if "allergy.declared" in ids and not closest.results:
        # Rejected before any rule ran: an allergen with no stand-in, or the dish is named after it.
        found = [x for x in closest.lines if x.grams > 0 and x.ingredient.allergens & needs.avoid]
        named = [x for x in found if is_title(x, closest.recipe)]
        names = ", ".join(
            dict.fromkeys(x.ingredient.name_ko if ko else x.ingredient.name_en for x in named or found)
        )
        titles["allergy.declared"] = "알레르기" if ko else "allergies"
        if named:
            details.append(f"{names} 없이는 만들 수 없는 요리" if ko else f"cannot be made without {names}")
        else:
            details.append(f"{names}: 대체할 재료 없음" if ko else f"{names}: no substitute")
    name = closest.recipe.name(language)
    listed = ", ".join(titles.get(rule, rule) for rule in ids)
    why = "; ".join(details) or ", ".join(ids)
    if ko:
        if chosen:
            text = f"'{name}'은(는) 이 조건에 맞출 수 없습니다: {listed} ({why})"
        else:
            text = (
                f"모든 조건을 만족하는 레시피가 없습니다. 맞출 수 없는 조건: {listed} "
                f"(가장 가까운 '{name}': {why})"
            )
    else:
        if chosen:
            text = f"'{name}' cannot meet: {listed} ({why})"
        else:
            text = f"No recipe meets every constraint. Cannot meet: {listed} (closest, '{name}': {why})"
    return ids, text


def _unpack(
    request: SessionRequest | Profile, constraints: Constraints | None
) -> tuple[Profile, Constraints | None, str]:
    if isinstance(request, SessionRequest):
        return request.profile, constraints or request.constraints, request.sessionId
    return request, constraints, ""


def adapt_recipe(
    recipe: LibraryRecipe | str, request: SessionRequest | Profile, constraints: Constraints | None = None
) -> GeneratedRecipe | Unmet:
    """One chosen library recipe (or its id) adapted to the request, e.g. when the user picks a dish.

    The fridge goal is not applied (the user chose the dish); every hard rule still is.
    """
    chosen = get_recipe(recipe) if isinstance(recipe, str) else recipe
    profile, constraints, _ = _unpack(request, constraints)
    needs = needs_for(profile, constraints)
    attempt = adapt(chosen, needs)
    if attempt.blocking:
        ids, text = _explain([attempt], needs, chosen=True)
        return Unmet(ids, text)
    return _serve(explained(attempt, needs), needs)


def generate(
    request: SessionRequest | Profile, constraints: Constraints | None = None
) -> GeneratedRecipe | Unmet:
    """The best adapted library recipe for this request, or :class:`Unmet` naming what cannot be met.

    A SessionRequest brings its own constraints and its ``sessionId`` varies the pick between equally
    good recipes; the same request always gets the same recipe.
    """
    profile, constraints, seed = _unpack(request, constraints)
    needs = needs_for(profile, constraints)
    candidates = _candidates(profile)
    served: dict[int, tuple[float, Attempt]] = {}
    failed: dict[int, Attempt] = {}
    top: tuple[bool, float] | None = None
    # Most promising first: once a dish's ceiling is below the best rank found so far, neither it nor
    # any after it can win, and adapting them (most of the cost of a request) would be for nothing.
    for index, ceiling in by_ceiling(candidates, needs, seed):
        if top is not None and ceiling < top:
            break
        recipe = candidates[index]
        if needs.checker.fixed_failures(recipe.cooking_time, recipe.texture):
            continue  # never served whatever adapting does; adapted below only if it may explain an Unmet
        attempt = adapt(recipe, needs)
        if attempt.blocking:
            failed[index] = attempt
            continue
        value = score(attempt, needs, seed)
        served[index] = (value, attempt)
        reached = rank(attempt, value, needs)
        top = reached if top is None else max(top, reached)
    if not served:
        # Every candidate is blocked (none was skipped for its ceiling): the explanation weighs them
        # all, in library order.
        every = [failed.get(index) or adapt(recipe, needs) for index, recipe in enumerate(candidates)]
        ids, text = _explain(every, needs)
        return Unmet(ids, text)
    # In library order, as if every candidate had been adapted: between equals the first one wins.
    in_order = [served[index] for index in sorted(served)]
    best = max(in_order, key=lambda pair: rank(pair[1], pair[0], needs))[1]
    result = _serve(explained(best, needs), needs)
    if profile.target == "fridge" and (result.on_hand_share or 0.0) < FRIDGE_GOAL:
        ko = profile.language == "ko"
        share = result.on_hand_share or 0.0
        missing = ", ".join(i.name_ko if ko else i.name_en for i, _ in result.to_buy)
        name = result.recipe.recipeName
        if ko:
            text = (
                f"냉장고 재료로 {FRIDGE_GOAL:.0f}% 이상 만들 수 있는 레시피가 없습니다. "
                f"가장 가까운 '{name}'은(는) {share:.0f}%를 활용하며 {missing}이(가) 필요합니다."
            )
        else:
            text = (
                f"No recipe uses at least {FRIDGE_GOAL:.0f}% on-hand ingredients. "
                f"The closest, '{name}', uses {share:.0f}% and needs {missing}."
            )
        return Unmet(("fridge.on_hand_share",), text, closest=result)
    return result
