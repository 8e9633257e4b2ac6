"""The diet rule table: every rule's id, thresholds, source and how its value is measured."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Literal

from aichef.knowledge.ingredients import Nutrients
from aichef.knowledge.nutrition import energy_share

if TYPE_CHECKING:
    from aichef.knowledge.ingredients import Ingredient
    from aichef.models import Profile

Direction = Literal["max", "min"]

# A meal is a third of the day: the daily references below are divided by three per serving.
MEALS_PER_DAY = 3
DAILY_KCAL_REFERENCE = 2000.0  # 식품의약품안전처 영양성분 기준치
DAILY_SODIUM_MG = 2000.0  # WHO 2012 sodium guideline; 대한고혈압학회
MEAL_KCAL = DAILY_KCAL_REFERENCE / MEALS_PER_DAY
MEAL_SODIUM_MG = DAILY_SODIUM_MG / MEALS_PER_DAY


@dataclass(frozen=True)
class BabyStage:
    """A Korean baby-food stage and the textures that fit it."""

    key: str
    name_ko: str
    name_en: str
    first_month: int
    last_month: int
    textures: frozenset[str]


BABY_STAGES: tuple[BabyStage, ...] = (
    BabyStage("early", "초기", "early (purees)", 4, 6, frozenset({"puree"})),
    BabyStage("middle", "중기", "middle (mashed)", 7, 8, frozenset({"puree", "mashed"})),
    BabyStage("late", "후기", "late (soft chunks)", 9, 11, frozenset({"mashed", "soft_chunks"})),
    BabyStage(
        "complete", "완료기", "completion (finger food)", 12, 18, frozenset({"soft_chunks", "finger_food"})
    ),
)


def baby_stage(age_months: int) -> BabyStage:
    """The stage for an age in months (4..18); ValueError naming the allowed range otherwise."""
    for stage in BABY_STAGES:
        if stage.first_month <= age_months <= stage.last_month:
            return stage
    raise ValueError(f"babyAgeMonths: {age_months} is outside 4..18")


@dataclass(frozen=True)
class Context:
    """Everything a rule may look at, computed once per check."""

    profile: Profile
    max_calories: int | None
    max_cooking_time: int | None
    lines: tuple[tuple[Ingredient, float], ...]
    per_serving: Nutrients
    cooking_time: int
    on_hand: frozenset[str]
    texture: str | None
    avoid: frozenset[str]  # the profile's allergen keys, expanded once per profile

    def tagged(self, *tags: str) -> tuple[str, ...]:
        """Keys of the recipe's ingredients (with a positive amount) carrying any of `tags`."""
        wanted = set(tags)
        return tuple(dict.fromkeys(i.key for i, grams in self.lines if grams > 0 and i.tags & wanted))

    def grams_per_serving(self, keys: tuple[str, ...]) -> float:
        servings = max(1, self.profile.servings)
        return sum(grams for i, grams in self.lines if i.key in keys) / servings

    @property
    def baby_age(self) -> int:
        return self.profile.babyAgeMonths or 0


# How a rule reads its value: (value, ingredient keys responsible).
Measure = Callable[[Context], tuple[float, tuple[str, ...]]]


@dataclass(frozen=True)
class Rule:
    """One machine-checkable rule. `direction` "max": above `fail` fails, above `warn` warns;
    "min": below. `hard` rules block a recipe when they fail. `applies` gates age-specific rules; it
    may look at the profile and constraints only, since the rule list is worked out once per profile.
    `fixed` rules measure only the recipe's cooking time or texture, which adapting never changes."""

    id: str
    title_ko: str
    title_en: str
    unit: str
    direction: Direction
    warn: float | None
    fail: float | None
    hard: bool
    source: str
    measure: Measure
    applies: Callable[[Context], bool] = lambda _ctx: True
    fixed: bool = False


def _energy_share(n: Nutrients, macro: str) -> float:
    """Percent of energy from one macro, as the nutrition report computes it (FAO/Atwater factors)."""
    return energy_share(n)[macro]


def _presence(*tags: str) -> Measure:
    def measure(ctx: Context) -> tuple[float, tuple[str, ...]]:
        keys = ctx.tagged(*tags)
        return float(len(keys)), keys

    return measure


@dataclass(frozen=True)
class PerServing:
    """The measure of a rule that reads one per-serving figure (``attr`` of Nutrients) and nothing else:
    the generator bounds what adapting can do to such a rule's value."""

    attr: str

    def __call__(self, ctx: Context) -> tuple[float, tuple[str, ...]]:
        return float(getattr(ctx.per_serving, self.attr)), ()

    @property
    def summed(self) -> bool:
        """Whether nutrition sums the figure line by line (all but net carbs): it never grows then when
        a line is cut down or left out."""
        return self.attr in _SUMMED


_SUMMED = frozenset(field.name for field in fields(Nutrients))


def _nutrient(attr: str) -> Measure:
    return PerServing(attr)


def _added_sugar(ctx: Context) -> tuple[float, tuple[str, ...]]:
    keys = ctx.tagged("added_sugar", "honey")
    return ctx.grams_per_serving(keys), keys


def _fridge_share(ctx: Context) -> tuple[float, tuple[str, ...]]:
    needed = tuple(dict.fromkeys(i.key for i, grams in ctx.lines if grams > 0 and "staple" not in i.tags))
    if not needed:
        return 100.0, ()
    missing = tuple(key for key in needed if key not in ctx.on_hand)
    return 100.0 * (len(needed) - len(missing)) / len(needed), missing


def _declared_allergens(ctx: Context) -> tuple[float, tuple[str, ...]]:
    avoid = ctx.avoid
    keys = tuple(dict.fromkeys(i.key for i, grams in ctx.lines if grams > 0 and i.allergens & avoid))
    return float(len(keys)), keys


def _recipe_allergens(ctx: Context) -> tuple[float, tuple[str, ...]]:
    keys = tuple(dict.fromkeys(i.key for i, grams in ctx.lines if grams > 0 and i.allergens))
    return float(len(keys)), keys


def _texture_misfit(ctx: Context) -> tuple[float, tuple[str, ...]]:
    return (0.0 if ctx.texture in baby_stage(ctx.baby_age).textures else 1.0), ()


def _under_12_months(ctx: Context) -> bool:
    return ctx.baby_age < 12


_KETO_SOURCE = (
    "Harvard T.H. Chan School of Public Health, 'Diet Review: Ketogenic Diet for Weight Loss': "
    "ketogenic diets keep net carbohydrate near 20–50 g/day"
)
_WHO_SODIUM = (
    "WHO Guideline: Sodium intake for adults and children (2012): < 2,000 mg/day; 식약처 기준치 2,000 mg"
)
_BABY_SOURCE = "대한소아청소년과학회 이유식 지침; WHO/UNICEF complementary feeding guidance"
_LABELLING = "식품의약품안전처 식품 등의 표시기준: 알레르기 유발물질"


def _rule(
    rule_id: str,
    titles: tuple[str, str],
    unit: str,
    limits: tuple[Direction, float | None, float | None],
    hard: bool,
    source: str,
    measure: Measure,
    applies: Callable[[Context], bool] | None = None,
    fixed: bool = False,
) -> Rule:
    """Compact constructor so the tables below read one rule per block: titles (ko, en), limits
    (direction, warn, fail)."""
    direction, warn, fail = limits
    return Rule(
        rule_id, titles[0], titles[1], unit, direction, warn, fail, hard, source, measure,
        applies or (lambda _ctx: True), fixed,
    )  # fmt: skip


_PRESENT: tuple[Direction, float | None, float | None] = ("max", None, 0)  # any such ingredient fails

KETO: tuple[Rule, ...] = (
    _rule("keto.net_carbs", ("순탄수화물(1인분)", "Net carbs per serving"), "g", ("max", 10, 17), True,
          _KETO_SOURCE, _nutrient("net_carbs_g")),
    _rule("keto.fat_share", ("지방 에너지 비율", "Fat share of energy"), "%", ("min", None, 60), True,
          _KETO_SOURCE, lambda ctx: (_energy_share(ctx.per_serving, "fat"), ())),
    _rule("keto.no_sugar_or_starch", ("설탕·전분 주식 없음", "No sugar or starch staples"), "count", _PRESENT,
          True, _KETO_SOURCE, _presence("added_sugar", "honey", "starch_staple")),
)  # fmt: skip

_DIABETES_CARBS = _rule(
    "diabetes.carbohydrate", ("탄수화물(1인분)", "Carbohydrate per serving"), "g", ("max", 45, 60), True,
    "대한당뇨병학회 식사요법 / ADA carbohydrate counting: about 45–60 g carbohydrate per meal",
    _nutrient("carbohydrate_g"),
)  # fmt: skip
_DIABETES_SUGAR = _rule(
    "diabetes.added_sugar", ("첨가당(1인분)", "Added sugars per serving"), "g", ("max", 0, 10), True,
    "WHO Guideline: Sugars intake for adults and children (2015): free sugars < 10 % of energy; "
    "대한당뇨병학회 진료지침: 첨가당 제한",
    _added_sugar,
)  # fmt: skip
DIABETES: tuple[Rule, ...] = (
    _DIABETES_CARBS,
    _DIABETES_SUGAR,
    _rule("diabetes.fiber", ("식이섬유(1인분)", "Fiber per serving"), "g", ("min", 8, None), False,
          "대한당뇨병학회 진료지침: 식이섬유 하루 20–25 g (one meal ≈ 8 g)", _nutrient("fiber_g")),
    _rule("diabetes.sodium", ("나트륨(1인분)", "Sodium per serving"), "mg", ("max", MEAL_SODIUM_MG, None),
          False, _WHO_SODIUM + " (one meal = one third)", _nutrient("sodium_mg")),
)  # fmt: skip

BABY_FOOD: tuple[Rule, ...] = (
    _rule("baby.no_honey", ("꿀 금지(12개월 미만)", "No honey under 12 months"), "count", _PRESENT, True,
          "CDC: infant botulism; 대한소아청소년과학회: 12개월 미만 꿀 금지", _presence("honey"),
          _under_12_months),
    _rule("baby.no_added_salt", ("소금·간장·장류 금지(12개월 미만)", "No salty seasonings under 12 months"),
          "count", _PRESENT, True, _BABY_SOURCE + ": 12개월 미만 간을 하지 않음",
          _presence("salty_seasoning"), _under_12_months),
    _rule("baby.no_added_sugar", ("설탕 금지(12개월 미만)", "No added sugar under 12 months"), "count",
          _PRESENT, True, _BABY_SOURCE + ": 12개월 미만 설탕을 더하지 않음", _presence("added_sugar"),
          _under_12_months),
    _rule("baby.choking", ("통견과·통포도 금지", "No whole nuts or whole grapes"), "count", _PRESENT, True,
          "AAP choking prevention; 식품의약품안전처 영유아 질식 위험 식품",
          _presence("whole_nut", "whole_grape")),
    _rule("baby.not_spicy", ("매운 양념 금지", "No spicy seasoning"), "count", _PRESENT, True,
          _BABY_SOURCE + ": 영유아식은 자극적인 양념을 쓰지 않음", _presence("spicy")),
    _rule("baby.texture", ("단계에 맞는 질감", "Texture fits the stage"), "", ("max", None, 0), True,
          _BABY_SOURCE + ": 초기 4–6 퓌레, 중기 7–8 으깬 것, 후기 9–11 무른 덩어리, 완료기 12–18 핑거푸드",
          _texture_misfit, fixed=True),
    _rule("baby.allergens", ("알레르기 유발 식품 표시", "Allergens tagged"), "count", ("max", 0, None), False,
          _LABELLING + "; introduce one new allergen at a time", _recipe_allergens),
)  # fmt: skip

FRIDGE: tuple[Rule, ...] = (
    _rule("fridge.on_hand_share", ("냉장고 재료 활용률", "Share of ingredients on hand"), "%",
          ("min", 70, 30), True,
          "냉장고 파먹기 기준: 기본 양념(소금·기름·간장·설탕 등)을 뺀 재료 중 냉장고에 있는 재료의 비율 "
          "(staples such as salt, oil, soy sauce and sugar are assumed at home)", _fridge_share),
)  # fmt: skip

_LOW_SODIUM = _rule(
    "condition.sodium", ("나트륨(1인분, 저염)", "Sodium per serving (low salt)"), "mg",
    ("max", MEAL_SODIUM_MG, DAILY_SODIUM_MG / 2), True,
    "대한고혈압학회 2022 진료지침 / KDIGO 2012 CKD guideline: sodium ≤ 2,000 mg/day (warn above a third, "
    "fail above half of the day's limit in one serving)",
    _nutrient("sodium_mg"),
)  # fmt: skip
CONDITIONS: dict[str, tuple[Rule, ...]] = {
    "hypertension": (_LOW_SODIUM,),
    "kidney_disease": (
        _LOW_SODIUM,
        _rule("condition.protein", ("단백질(1인분)", "Protein per serving"), "g", ("max", 25, None), False,
              "KDIGO 2012: avoid high protein intake (> 1.3 g/kg/day) in CKD", _nutrient("protein_g")),
    ),
    "diabetes": (_DIABETES_CARBS, _DIABETES_SUGAR),
    "high_cholesterol": (
        _rule("condition.fat_share", ("지방 에너지 비율", "Fat share of energy"), "%", ("max", 30, None),
              False, "WHO Healthy diet fact sheet: total fat ≤ 30 % of energy",
              lambda ctx: (_energy_share(ctx.per_serving, "fat"), ())),
    ),
    "obesity": (
        _rule("condition.kcal", ("열량(1인분)", "Energy per serving"), "kcal", ("max", MEAL_KCAL, None),
              False, "식품의약품안전처 영양성분 기준치 2,000 kcal/day (one meal = one third)",
              _nutrient("kcal")),
    ),
}  # fmt: skip


def diet_kcal_rule(limit: float, from_constraint: bool) -> Rule:
    """The diet target's energy rule: within maxCalories, else a third of the 2,000 kcal reference."""
    source = (
        "입력하신 1인분 최대 열량 (your calorie limit)"
        if from_constraint
        else "식품의약품안전처 영양성분 기준치 2,000 kcal/day; one meal = one third"
    )
    limits: tuple[Direction, float | None, float | None] = ("max", 0.9 * limit, limit)
    return _rule(
        "diet.kcal", ("열량(1인분)", "Energy per serving"), "kcal", limits, True, source, _nutrient("kcal")
    )


def _cooking_time(ctx: Context) -> tuple[float, tuple[str, ...]]:
    return float(ctx.cooking_time), ()


def constraint_rules(ctx: Context) -> tuple[Rule, ...]:
    """maxCalories (unless the diet target already enforces it) and maxCookingTime."""
    rules: list[Rule] = []
    if ctx.max_calories is not None and ctx.profile.target != "diet":
        titles = ("최대 열량(1인분)", "Max calories per serving")
        limits: tuple[Direction, float | None, float | None] = ("max", None, ctx.max_calories)
        rules.append(
            _rule("constraint.max_calories", titles, "kcal", limits, True,
                  "입력하신 1인분 최대 열량 (your calorie limit)", _nutrient("kcal"))
        )  # fmt: skip
    if ctx.max_cooking_time is not None:
        titles = ("최대 조리 시간", "Max cooking time")
        limits = ("max", None, ctx.max_cooking_time)
        rules.append(
            _rule("constraint.max_cooking_time", titles, "min", limits, True,
                  "입력하신 최대 조리 시간 (your cooking-time limit)", _cooking_time, fixed=True)
        )  # fmt: skip
    return tuple(rules)


ALLERGY = _rule(
    "allergy.declared", ("알레르기 식품 없음", "No declared allergens"), "count", _PRESENT, True,
    _LABELLING + "; 입력하신 알레르기 (your allergies)", _declared_allergens,
)  # fmt: skip
SPICY_PREFERENCE = _rule(
    "preference.spicy", ("맵지 않게", "Not spicy"), "count", ("max", 0, None), False,
    "입력하신 매운 정도 0 (your spiciness choice)", _presence("spicy"),
    lambda ctx: ctx.profile.preferences.spicyLevel == 0,
)  # fmt: skip
