"""Diet rules per target, health condition and constraint, checked into pass / warn / fail results.

>>> from aichef.knowledge.ingredients import Nutrients
>>> from aichef.models import Profile
>>> class Report:  # stands in for nutrition.NutritionReport
...     per_serving = Nutrients(kcal=520, protein_g=30, fat_g=40, carbohydrate_g=8, fiber_g=3)
>>> [r.verdict for r in check(Profile(target="keto", servings=1), [], Report(), 20)]
['pass', 'pass', 'pass', 'pass', 'pass']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from aichef.knowledge._diet_rules import (
    ALLERGY,
    BABY_FOOD,
    BABY_STAGES,
    CONDITIONS,
    DIABETES,
    DIET,
    FRIDGE,
    KETO,
    KETO_DAY_NET_CARBS,
    MEALS_PER_DAY,
    SPICY_PREFERENCE,
    BabyStage,
    Context,
    PerServing,
    Rule,
    baby_portion_rule,
    baby_stage,
    constraint_rules,
    diet_kcal_rule,
)
from aichef.knowledge.ingredients import Nutrients
from aichef.korean import object_particle
from aichef.models import Constraints, Profile, SessionRequest

if TYPE_CHECKING:
    from aichef.knowledge.ingredients import Ingredient

__all__ = [
    "BABY_STAGES",
    "BabyStage",
    "Checker",
    "Rule",
    "RuleResult",
    "Verdict",
    "baby_stage",
    "banned_tags",
    "check",
    "checker",
    "hard_failures",
    "on_hand_keys",
    "rules_for",
]

Verdict = Literal["pass", "warn", "fail"]


class _HasPerServing(Protocol):
    @property
    def per_serving(self) -> Nutrients: ...


@dataclass(frozen=True)
class RuleResult:
    """The outcome of one rule. `items` are the ingredient keys responsible (for swapping)."""

    id: str
    title_ko: str
    title_en: str
    value: float
    threshold: float | None
    unit: str
    verdict: Verdict
    hard: bool
    explanation: str
    source: str
    items: tuple[str, ...] = ()

    @property
    def blocking(self) -> bool:
        """A failed hard rule: the recipe must not be returned as is."""
        return self.hard and self.verdict == "fail"

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": {"ko": self.title_ko, "en": self.title_en},
            "value": round(self.value, 1),
            "threshold": None if self.threshold is None else round(self.threshold, 1),
            "unit": self.unit,
            "verdict": self.verdict,
            "hard": self.hard,
            "explanation": self.explanation,
            "source": self.source,
            "items": list(self.items),
        }


def on_hand_keys(profile: Profile) -> frozenset[str]:
    """Ingredient keys of the profile's fridge words (words the table does not know are skipped)."""
    from aichef.knowledge.ingredients import lookup

    found = (lookup(word) for word in profile.fridgeIngredients)
    return frozenset(item.key for item in found if item is not None)


def banned_tags(profile: Profile) -> frozenset[str]:
    """Ingredient tags the profile never eats: lines carrying them are left out of a dish before its
    rules are checked (a diabetic's bulgogi without its sugar, a baby's porridge without soy sauce).

    >>> sorted(banned_tags(Profile(target="baby_food", babyAgeMonths=18)))
    ['added_sugar', 'honey', 'spicy', 'whole_grape', 'whole_nut']
    """
    banned: set[str] = set()
    if profile.target == "keto":
        banned |= {"added_sugar", "honey", "starch_staple"}
    if profile.target == "baby_food":
        age = profile.babyAgeMonths or 0
        # Choking hazards under 4 years (AAP), nothing spicy at any age of the target.
        banned |= {"spicy", "whole_nut", "whole_grape"}
        if age < 12:  # no honey (botulism), no salt or sugar before the first birthday (WHO 2023)
            banned |= {"salty_seasoning", "added_sugar", "honey"}
        if age < 24:  # no added sugars before age 2 (Dietary Guidelines for Americans 2020-2025)
            banned |= {"added_sugar", "honey"}
    if profile.target == "diabetes" or "diabetes" in profile.healthConditions:
        banned |= {"added_sugar", "honey"}
    return frozenset(banned)


def rules_for(profile: Profile, constraints: Constraints | None = None) -> list[Rule]:
    """The rules that apply to this profile, in reporting order, each id once."""
    return list(checker(profile, constraints, frozenset()).rules)


def _rules(ctx: Context) -> list[Rule]:
    profile = ctx.profile
    rules: list[Rule] = [ALLERGY]
    if profile.target == "keto":
        rules += KETO
    elif profile.target == "diabetes":
        rules += DIABETES
    elif profile.target == "baby_food":
        rules += BABY_FOOD
        rules.append(baby_portion_rule(baby_stage(ctx.baby_age)))
    elif profile.target == "fridge":
        rules += FRIDGE
    elif profile.target == "diet":
        limit = ctx.max_calories
        rules.append(diet_kcal_rule(float(limit) if limit else None))
        rules += DIET
    for condition in profile.healthConditions:
        rules += CONDITIONS.get(condition, ())
    rules += constraint_rules(ctx)
    rules.append(SPICY_PREFERENCE)
    unique: dict[str, Rule] = {}
    for rule in rules:
        unique.setdefault(rule.id, rule)  # e.g. hypertension and kidney disease share the sodium rule
    return [rule for rule in unique.values() if rule.applies(ctx)]


@dataclass(frozen=True)
class Checker:
    """The rules of one profile and its constraints, worked out once to check many recipes.

    The generator checks every candidate dish (and every repair of it) for one request: the rule
    list, the allergen expansion and the fridge keys depend on the profile only.

    >>> from aichef.knowledge.ingredients import Nutrients
    >>> class Report:  # stands in for nutrition.NutritionReport
    ...     per_serving = Nutrients(kcal=520, protein_g=30, fat_g=40, carbohydrate_g=8, fiber_g=3)
    >>> keto = checker(Profile(target="keto", servings=1))
    >>> [r.verdict for r in keto.check([], Report(), 20)]
    ['pass', 'pass', 'pass', 'pass', 'pass']
    >>> keto.screen([], Report(), 20)
    ([], 0)
    """

    profile: Profile
    max_calories: int | None
    max_cooking_time: int | None
    on_hand: frozenset[str]
    avoid: frozenset[str]
    rules: tuple[Rule, ...]
    fixed: tuple[Rule, ...] = ()  # the hard rules among them that adapting cannot change (Rule.fixed)
    floors: tuple[tuple[Rule, str], ...] = ()  # minimum rules on a summed figure, which warn until they block

    def _context(
        self,
        recipe_lines: Sequence[tuple[Ingredient, float]],
        per_serving: Nutrients | None,
        cooking_time: int,
        texture: str | None,
    ) -> Context:
        return Context(
            profile=self.profile,
            max_calories=self.max_calories,
            max_cooking_time=self.max_cooking_time,
            lines=tuple(recipe_lines),
            per_serving=per_serving or Nutrients(),
            cooking_time=cooking_time,
            on_hand=self.on_hand,
            texture=texture,
            avoid=self.avoid,
        )

    def check(
        self,
        recipe_lines: Sequence[tuple[Ingredient, float]],
        nutrition: _HasPerServing,
        cooking_time: int,
        texture: str | None = None,
    ) -> list[RuleResult]:
        """Every rule's result for one recipe, explained, as :func:`check` gives them."""
        ctx = self._context(recipe_lines, nutrition.per_serving, cooking_time, texture)
        results: list[RuleResult] = []
        for rule in self.rules:
            value, items = rule.measure(ctx)
            verdict, threshold = _verdict(rule, value)
            explanation = _explain(rule, verdict, value, threshold, ctx, items)
            results.append(_result(rule, value, threshold, verdict, explanation, items))
        return results

    def screen(
        self,
        recipe_lines: Sequence[tuple[Ingredient, float]],
        nutrition: _HasPerServing,
        cooking_time: int,
        texture: str | None = None,
    ) -> tuple[list[RuleResult], int]:
        """What choosing among candidates needs: the blocking results (as :func:`hard_failures` of
        :meth:`check` gives them, but with empty explanations) and how many rules warn.

        The generator screens every candidate and each repair of it, and shows the results of one:
        the explanation sentences and a result per passed rule would be built for nothing.
        """
        ctx = self._context(recipe_lines, nutrition.per_serving, cooking_time, texture)
        blocking: list[RuleResult] = []
        warnings = 0
        for rule in self.rules:
            value, items = rule.measure(ctx)
            verdict, threshold = _verdict(rule, value)
            if verdict == "warn":
                warnings += 1
            elif verdict == "fail" and rule.hard:
                blocking.append(_result(rule, value, threshold, verdict, "", items))
        return blocking, warnings

    def lasting_warnings(self, per_serving: Nutrients) -> int:
        """How many rules warn, if it is served, for any recipe with no summed per-serving figure above
        ``per_serving``'s (what adapting can only cut down gives, from its own): a minimum rule on such
        a figure that warns there goes on warning below it, or fails and blocks."""
        return sum(1 for rule, attr in self.floors if _verdict(rule, getattr(per_serving, attr))[0] == "warn")

    def fixed_failures(self, cooking_time: int, texture: str | None = None) -> list[str]:
        """Ids of the hard rules a recipe fails whatever its lines (too long to cook, the wrong
        texture for the baby's stage): no adaptation can serve it, so it need not be adapted to
        know that."""
        if not self.fixed:
            return []  # most profiles: no time limit, not baby food
        ctx = self._context((), None, cooking_time, texture)
        return [rule.id for rule in self.fixed if _verdict(rule, rule.measure(ctx)[0])[0] == "fail"]


def _result(
    rule: Rule,
    value: float,
    threshold: float | None,
    verdict: Verdict,
    explanation: str,
    items: tuple[str, ...],
) -> RuleResult:
    return RuleResult(
        id=rule.id,
        title_ko=rule.title_ko,
        title_en=rule.title_en,
        value=value,
        threshold=threshold,
        unit=rule.unit,
        verdict=verdict,
        hard=rule.hard,
        explanation=explanation,
        source=rule.source,
        items=items,
    )


def checker(
    profile: Profile, constraints: Constraints | None = None, on_hand: frozenset[str] | None = None
) -> Checker:
    """The :class:`Checker` for a profile; ``on_hand`` defaults to its fridge words resolved to keys."""
    max_calories = constraints.maxCalories if constraints else None
    max_cooking_time = constraints.maxCookingTime if constraints else None
    owned = on_hand_keys(profile) if on_hand is None else on_hand
    avoid = profile.allergen_keys()
    # Rules are chosen by the profile and constraints alone (see Rule.applies): no recipe needed.
    ctx = Context(profile, max_calories, max_cooking_time, (), Nutrients(), 0, owned, None, avoid)
    # Sources are shown with every result: in the reader's language (a guideline keeps its name).
    rules = tuple(rule.in_language(profile.language) for rule in _rules(ctx))
    fixed = tuple(rule for rule in rules if rule.fixed and rule.hard)
    floors = tuple(
        (rule, rule.measure.attr)
        for rule in rules
        if rule.direction == "min" and isinstance(rule.measure, PerServing) and rule.measure.summed
        and (rule.fail is None or rule.hard)
    )  # fmt: skip
    return Checker(profile, max_calories, max_cooking_time, owned, avoid, rules, fixed, floors)


def _verdict(rule: Rule, value: float) -> tuple[Verdict, float | None]:
    sign = 1.0 if rule.direction == "max" else -1.0
    # Round first so 17.04 g shown as "17.0 g" is not called a failure above 17 g.
    shown = round(value, 1)
    if rule.fail is not None and sign * (shown - rule.fail) > 0:
        return "fail", rule.fail
    if rule.warn is not None and sign * (shown - rule.warn) > 0:
        return "warn", rule.warn
    return "pass", rule.warn if rule.warn is not None else rule.fail


_TEXTURES_KO = {
    "puree": "퓌레(미음)",
    "mashed": "으깬 것(죽)",
    "soft_chunks": "무른 덩어리(진밥)",
    "finger_food": "핑거푸드",
    "regular": "한입 크기 일반식",
}
_TEXTURES_EN = {
    "puree": "purée",
    "mashed": "mashed",
    "soft_chunks": "soft lumps (soft rice)",
    "finger_food": "finger food",
    "regular": "bite-size family food",
}
_UNITS_KO = {"min": "분"}


def _names(items: Iterable[str], ctx: Context, with_allergens: bool = False) -> str:
    from aichef.knowledge.allergens import label
    from aichef.knowledge.generate.lines import english_name  # here: generate imports this module

    language = ctx.profile.language
    by_key = {ingredient.key: ingredient for ingredient, _ in ctx.lines}
    names: list[str] = []
    for key in items:
        item = by_key.get(key)
        if item is None:
            names.append(key)
            continue
        name = item.name_ko if language == "ko" else english_name(item.name_en)
        if with_allergens and item.allergens:
            name += "(" + "·".join(label(a, language) for a in sorted(item.allergens)) + ")"
        names.append(name)
    return ", ".join(names)


def _number(value: float, unit: str, ko: bool) -> str:
    shown = (
        f"{value:,.0f}"
        if float(value).is_integer() or unit in ("kcal", "mg", "%", "min")
        else f"{value:,.1f}"
    )
    unit = _UNITS_KO.get(unit, unit) if ko else unit
    return f"{shown} {unit}" if unit in ("kcal", "min") else f"{shown}{unit}"


def _explain(
    rule: Rule, verdict: Verdict, value: float, threshold: float | None, ctx: Context, items: tuple[str, ...]
) -> str:
    ko = ctx.profile.language == "ko"
    title = rule.title_ko if ko else rule.title_en
    if rule.id == "baby.texture":
        stage = baby_stage(ctx.baby_age)
        words = _TEXTURES_KO if ko else _TEXTURES_EN  # never the data's codes (soft_chunks)
        fits = ", ".join(words.get(t, t) for t in sorted(stage.textures))
        months = f"{stage.first_month}–{stage.last_month}"
        mine = words.get(ctx.texture or "", ctx.texture)
        if ko:
            return f"{stage.name_ko}({months}개월)에 맞는 질감: {fits}; 이 레시피: {mine or '미표시'}"
        return f"{stage.name_en} ({months} months) needs {fits}; this recipe: {mine or 'not stated'}"
    if rule.id == "baby.iron_rich":
        if verdict == "pass":
            return f"{title}: {_names(items, ctx)}" + (" 포함" if ko else " included")
        if ko:
            return f"{title} 없음 (주의): 고기·생선·달걀·두부·콩 중 하나를 곁들이세요"
        return f"{title}: none (caution); add meat, fish, egg, tofu or pulses"
    if rule.id == "baby.portion":
        stage = baby_stage(ctx.baby_age)
        portion = stage.portion_ko if ko else stage.portion_en
        return f"{_plain(rule, verdict, value, threshold, ctx, items)}; {portion}"
    if rule.id == "keto.net_carbs":
        low, high = KETO_DAY_NET_CARBS
        day = value * MEALS_PER_DAY
        text = _plain(rule, verdict, value, threshold, ctx, items)
        if ko:
            return f"{text}; 하루 세 끼면 {day:.0f}g (키토 하루 {low:.0f}–{high:.0f}g)"
        return f"{text}; three such meals make {day:.0f} g a day (keto: {low:.0f}-{high:.0f} g a day)"
    return _plain(rule, verdict, value, threshold, ctx, items)


def _plain(
    rule: Rule, verdict: Verdict, value: float, threshold: float | None, ctx: Context, items: tuple[str, ...]
) -> str:
    """The explanation every rule without its own gets: the value against the threshold."""
    ko = ctx.profile.language == "ko"
    title = rule.title_ko if ko else rule.title_en
    if rule.unit == "count":  # presence rules: name what was found
        if verdict == "pass":
            return f"{title}: 해당 재료 없음" if ko else f"{title}: none found"
        names = _names(
            items, ctx, with_allergens=rule.id.endswith("allergens") or rule.id.startswith("allergy")
        )
        return f"{title}: {names}" + (" 포함" if ko else " found")
    limit = "" if threshold is None else _number(threshold, rule.unit, ko)
    op = (
        ("이하" if rule.direction == "max" else "이상")
        if ko
        else ("at most" if rule.direction == "max" else "at least")
    )
    shown = _number(value, rule.unit, ko)
    names = _names(items, ctx)
    # The fridge rule names what is not in the fridge; every other rule names the foods it counted
    # (칼륨 풍부 식품: 브로콜리), which are in the dish, not missing from it.
    missing = rule.id == "fridge.on_hand_share"
    label = ("없는 재료" if missing else "해당 재료") if ko else ("missing" if missing else "from")
    extra = f" ({label}: {names})" if names else ""
    if verdict == "pass":
        return (
            f"{title} {shown}: 기준 {limit} {op} 충족{extra}"
            if ko
            else f"{title} {shown}: {op} {limit}{extra}"
        )
    word = (
        {"warn": "주의", "fail": "불합격"}[verdict] if ko else {"warn": "caution", "fail": "fails"}[verdict]
    )
    if ko:
        return f"{title} {shown}: 기준 {limit} {op}{object_particle(op)} 벗어남 ({word}){extra}"
    return f"{title} {shown}: should be {op} {limit} ({word}){extra}"


def check(
    profile: Profile | SessionRequest,
    recipe_lines: Sequence[tuple[Ingredient, float]],
    nutrition: _HasPerServing,
    cooking_time: int,
    on_hand: frozenset[str] | None = None,
    *,
    constraints: Constraints | None = None,
    texture: str | None = None,
) -> list[RuleResult]:
    """Check a recipe (ingredient, grams for the whole recipe) against every rule that applies.

    A SessionRequest brings its own constraints; `on_hand` defaults to the profile's fridge words
    resolved to keys; `texture` (puree | mashed | soft_chunks | finger_food | regular) is needed
    for baby food, where a missing texture fails the texture rule.
    """
    if isinstance(profile, SessionRequest):
        constraints = constraints or profile.constraints
        profile = profile.profile
    return checker(profile, constraints, on_hand).check(recipe_lines, nutrition, cooking_time, texture)


def hard_failures(results: Iterable[RuleResult]) -> list[RuleResult]:
    """The results that block a recipe (hard rules that failed)."""
    return [result for result in results if result.blocking]
