"""The offline recipe generator: the library dish that fits a profile best, adapted, checked and served.

A pipeline whose stages each live in one module and are called in one direction:
:mod:`.needs` (the profile, read once) -> :mod:`.candidates` -> :mod:`.adapt` (with :mod:`.substitute`)
-> :mod:`.steps` (the served texts) -> :mod:`.checks` (the safety gate) -> :mod:`.rank` -> served here.
Dishes are put through the gate in rank order and the first that passes is served, which is the
best-ranked of those that pass; when none passes, :class:`Unmet` names the constraint.

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

from aichef.knowledge.diets import RuleResult
from aichef.knowledge.generate.adapt import Attempt, adapt, explained
from aichef.knowledge.generate.candidates import Candidate, candidate
from aichef.knowledge.generate.checks import Checked, check
from aichef.knowledge.generate.lines import Change, Line, english_name, particle
from aichef.knowledge.generate.memo import Memo, memo_for
from aichef.knowledge.generate.needs import Needs, needs_for
from aichef.knowledge.generate.rank import Assessed, order
from aichef.knowledge.ingredients import Ingredient, get
from aichef.knowledge.nutrition import NutritionReport
from aichef.knowledge.recipes import LibraryRecipe, get_recipe
from aichef.knowledge.shopping import estimate_purchase
from aichef.models import Constraints, Profile, Recipe, SessionRequest

__all__ = ["Change", "GeneratedRecipe", "Line", "Unmet", "adapt_recipe", "generate"]

_TARGET_NAMES = {
    "keto": ("키토", "Keto"), "diabetes": ("당뇨", "Diabetes"), "diet": ("다이어트", "Diet"),
    "baby_food": ("이유식", "Baby food"), "fridge": ("냉장고 파먹기", "Fridge"),
}  # fmt: skip
_ADJUSTABLE = ("constraint.", "diet.kcal", "fridge.")


@dataclass(frozen=True)
class GeneratedRecipe:
    """A served recipe: the seeds' ``recipe`` plus what proves it fits.

    ``lines`` are the resolved ingredients served (grams for the whole recipe), ``rules`` every rule
    result (none blocking), ``changes`` what was adapted, ``on_hand_share`` the percent of the dish's
    foods from the fridge or pantry (fridge mode), ``to_buy`` the lines still to be bought,
    ``purchase`` their estimated price (KRW) and ``notes`` what the user should know about the choice
    (over budget by how much and why; minor items fridge mode buys).
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
    purchase: int | None = None
    notes: tuple[str, ...] = ()

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
                {
                    "key": i.key,
                    "name": i.name_ko if language == "ko" else english_name(i.name_en),
                    "grams": round(g, 1),
                }
                for i, g in self.to_buy
            ],
            "estimatedPurchase": self.purchase,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Unmet:
    """No recipe meets every constraint. ``constraints`` are rule ids (e.g. ``constraint.max_cooking_time``,
    ``allergy.declared``, ``gate.sodium``, ``fridge.on_hand_share``); ``explanation`` says which in plain
    words; ``closest`` is kept for callers that show a near miss (none today)."""

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


def _name(item: Ingredient, ko: bool) -> str:
    return item.name_ko if ko else english_name(item.name_en)


def _target_note(attempt: Attempt, needs: Needs) -> str:
    profile = needs.profile
    title = _TARGET_NAMES[profile.target][0 if needs.ko else 1]
    own = (profile.target.split("_")[0], "condition")
    picked = [
        r for r in attempt.results if r.id.split(".")[0] in own and (r.unit != "count" or r.verdict != "pass")
    ]
    picked += [r for r in attempt.results if r.verdict == "warn" and r not in picked]
    parts = [r.explanation for r in picked]
    if attempt.changes:
        label = "조정" if needs.ko else "Adjusted"
        parts.append(
            f"{label}: " + ", ".join(dict.fromkeys(c.describe(profile.language) for c in attempt.changes))
        )
    return f"[{title}] " + " / ".join(parts)


def _won(amount: int, ko: bool) -> str:
    return f"{amount:,}원" if ko else f"{amount:,} KRW"


def _budget_note(chosen: Assessed, needs: Needs) -> str | None:
    """When the dish's purchase is over budget: by how much and the dearest items."""
    if chosen.fits_budget:
        return None
    ko, budget = needs.ko, needs.profile.budget
    costs = [
        (estimate_purchase([(x.ingredient, x.grams)], needs.owned), x.ingredient)
        for x in chosen.attempt.served_lines
    ]
    dearest = sorted((c for c in costs if c[0] > 0), key=lambda c: -c[0])[:2]
    drivers = ", ".join(f"{_name(i, ko)} {_won(c, ko)}" for c, i in dearest)
    over = _won(chosen.purchase - budget, ko)
    if ko:
        return (
            f"예산 {_won(budget, ko)} 안에 맞는 요리가 없어 가장 가까운 요리를 골랐습니다: 예상 구매액 "
            f"{_won(chosen.purchase, ko)}, 예산보다 {over} 많습니다 (주요 비용: {drivers})."
        )
    return (
        f"No dish fits the budget of {_won(budget, ko)}; this is the closest: an estimated purchase of "
        f"{_won(chosen.purchase, ko)}, {over} over (mostly {drivers})."
    )


def _to_buy(attempt: Attempt, needs: Needs) -> tuple[tuple[Ingredient, float], ...]:
    return tuple(
        (x.ingredient, x.grams)
        for x in attempt.served_lines
        if x.ingredient.key != "water" and x.ingredient.key not in needs.owned
    )


def _serve(checked: Checked, needs: Needs, chosen: Assessed | None) -> GeneratedRecipe:
    attempt = explained(checked.attempt, needs)
    profile = needs.profile
    share: float | None = None
    notes: list[str] = []
    if profile.target == "fridge":
        needed = {x.ingredient.key for x in attempt.served_lines if "staple" not in x.ingredient.tags}
        needed.discard("water")
        share = 100.0 * len(needed & needs.owned) / len(needed) if needed else 100.0
        if chosen is not None and chosen.missing:
            names = ", ".join(dict.fromkeys(_name(x.ingredient, needs.ko) for x in chosen.missing))
            notes.append(f"사야 할 재료: {names}" if needs.ko else f"To buy: {names}")
    if chosen is not None:
        note = _budget_note(chosen, needs)
        if note:
            notes.append(note)
    recipe = checked.recipe.model_copy(update={"targetNote": _target_note(attempt, needs)})
    assert attempt.report is not None  # a served attempt always has its nutrition
    return GeneratedRecipe(
        recipe=recipe,
        source_id=attempt.recipe.id,
        texture=attempt.recipe.texture,
        lines=attempt.served_lines,
        nutrition=attempt.report,
        rules=attempt.results,
        changes=attempt.changes,
        on_hand_share=share,
        to_buy=_to_buy(attempt, needs),
        language=profile.language,
        purchase=None if chosen is None else chosen.purchase,
        notes=tuple(notes),
    )


def _refusal(attempts: list[Attempt], gated: list[Checked], needs: Needs, chosen: bool = False) -> Unmet:
    """Name the fewest constraints that block the closest dish, in the profile's language."""
    ko = needs.ko
    if gated:
        # Dishes passed the diet rules but not the gate: name the gate's reasons for the best of them.
        first = gated[0]
        ids = tuple(dict.fromkeys(v.rule for v in first.violations))
        details = "; ".join(dict.fromkeys(v.detail for v in first.violations))
        name = first.recipe.recipeName
    elif not attempts:
        text = "레시피 라이브러리가 비어 있습니다" if ko else "The recipe library is empty"
        return Unmet(("recipe.library",), text)
    else:
        closest = min(
            attempts,
            key=lambda a: (
                len(a.blocking),
                sum(1 for rule in a.blocking if not rule.startswith(_ADJUSTABLE)),
                needs.profile.target not in a.recipe.targets,
            ),
        )
        closest = explained(closest, needs)
        ids = closest.blocking
        titles = {r.id: (r.title_ko if ko else r.title_en) for r in closest.results}
        parts = [r.explanation for r in closest.results if r.id in ids]
        if closest.lacking:
            names = ", ".join(dict.fromkeys(_name(get(k), ko) for k in closest.lacking))
            parts.append(f"{names} 없이는 만들 수 없는 요리" if ko else f"cannot be made without {names}")
            titles["allergy.declared"] = "알레르기" if ko else "allergies"
        name = closest.recipe.name(needs.language)
        listed = ", ".join(titles.get(rule, rule) for rule in ids)
        joined = "; ".join(parts)
        # A rule's explanation starts with its title: naming the titles first would say them twice.
        told = parts and all(any(part.startswith(t) for t in titles.values()) for part in parts)
        details = joined if told else f"{listed}: " + (joined or ", ".join(ids))
    if chosen:
        text = (
            f"'{name}'{particle(name, '은')} 이 조건에 맞출 수 없습니다: {details}"
            if ko
            else f"'{name}' cannot meet: {details}"
        )
    elif ko:
        text = f"모든 조건을 만족하는 레시피가 없습니다 (가장 가까운 '{name}': {details})"
    else:
        text = f"No recipe meets every constraint (closest, '{name}': {details})"
    return Unmet(ids, text)


def _fridge_refusal(ranked: list[Assessed], needs: Needs) -> Unmet:
    """No dish cooks the fridge: the closest three and what each lacks."""
    ko = needs.ko
    # Dishes that use the fridge's protein first, then those that lack the fewest foods.
    near = sorted(ranked, key=lambda a: (not a.uses_fridge_protein, len(a.missing), -a.score))[:3]
    parts = []
    for item in near:
        lacks = ", ".join(dict.fromkeys(_name(x.ingredient, ko) for x in item.missing)) or "-"
        title = item.attempt.recipe.name(needs.language)
        parts.append(f"{title} ({lacks} 필요)" if ko else f"{title} (needs {lacks})")
    listed = "; ".join(parts)
    if ko:
        text = f"냉장고 재료로 만들 수 있는 요리가 없습니다. 가장 가까운 요리: {listed}"
    else:
        text = f"No dish can be cooked mostly from the fridge. The closest: {listed}"
    return Unmet(("fridge.on_hand_share",), text)


def _unpack(request: SessionRequest | Profile, constraints: Constraints | None) -> Needs:
    return needs_for(request, constraints)


def adapt_recipe(
    recipe: LibraryRecipe | str, request: SessionRequest | Profile, constraints: Constraints | None = None
) -> GeneratedRecipe | Unmet:
    """One chosen library recipe (or its id) adapted to the request, e.g. when the user picks a dish.

    The fridge goal and the budget do not apply (the user chose the dish); every hard rule and the gate do.
    """
    needs = _unpack(request, constraints)
    chosen = candidate(get_recipe(recipe) if isinstance(recipe, str) else recipe, needs)
    if chosen is None:
        return Unmet(
            ("recipe.unresolved",), "재료를 알 수 없는 레시피입니다" if needs.ko else "Unknown ingredients"
        )
    attempt = adapt(chosen, needs)
    if attempt.blocking:
        return _refusal([attempt], [], needs, chosen=True)
    checked = check(attempt, needs)
    if checked.violations:
        return _refusal([attempt], [checked], needs, chosen=True)
    return _serve(checked, needs, None)


def generate(
    request: SessionRequest | Profile, constraints: Constraints | None = None
) -> GeneratedRecipe | Unmet:
    """The best adapted library recipe for this request, or :class:`Unmet` naming what cannot be met.

    A SessionRequest brings its own constraints, and its ``sessionId`` varies the pick between equally
    good recipes; the same request always gets the same recipe.
    """
    needs = _unpack(request, constraints)
    memo = memo_for(needs)  # adapting and checking depend on the profile, not on the session
    attempts, assessed = _adapt_until_won(memo.candidates, needs, memo)
    ranked = order(assessed)
    gated: list[Checked] = []
    for item in ranked:
        if not item.cooks_fridge:
            break  # fridge mode: the rest would not cook the fridge
        checked = memo.check(item.attempt, needs)
        if not checked.violations:
            return _serve(checked, needs, item)
        gated.append(checked)
    if needs.profile.target == "fridge" and ranked and not gated:
        return _fridge_refusal(ranked, needs)
    return _refusal(attempts, gated, needs)


def _adapt_until_won(pool: list[Candidate], needs: Needs, memo: Memo) -> tuple[list[Attempt], list[Assessed]]:
    """Adapt the candidates, most promising first, until no dish left can beat one already safe to
    serve within the budget: a dish's :func:`.rank.ceiling` bounds its score from above, so once the best
    dish that fits the budget and passes the gate scores more than the next ceiling, adapting the rest
    would change nothing (they could at most fit the budget too, with a lower score). In fridge mode
    the fridge's own points come first, so every dish is adapted."""
    if needs.profile.target == "fridge":
        every = [memo.adapt(c, needs) for c in pool]
        return every, [memo.assess(a, needs) for a in every if not a.blocking]
    ceilings = {id(c): memo.ceiling(c.recipe, needs) for c in pool}
    attempts: list[Attempt] = []
    assessed: list[Assessed] = []
    won: float | None = None  # the best score of a dish that fits the budget and passes the gate
    for item in sorted(pool, key=lambda c: ceilings[id(c)], reverse=True):
        if won is not None and ceilings[id(item)] < won:
            break
        attempt = memo.adapt(item, needs)
        attempts.append(attempt)
        if attempt.blocking:
            continue
        graded = memo.assess(attempt, needs)
        assessed.append(graded)
        if (
            graded.fits_budget
            and (won is None or graded.score > won)
            and not memo.check(attempt, needs).violations
        ):
            won = graded.score
    # Library order among equals, as if every dish had been adapted.
    index = {c.recipe.id: n for n, c in enumerate(pool)}
    assessed.sort(key=lambda a: index[a.attempt.recipe.id])
    return attempts, assessed
