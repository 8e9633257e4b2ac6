"""The diet rule table: every rule's id, thresholds, source and how its value is measured."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
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
# A third of the day's sodium, rounded to the mg shown to users (2,000 / 3 = 666.7 -> 667).
MEAL_SODIUM_MG = float(round(DAILY_SODIUM_MG / MEALS_PER_DAY))


@dataclass(frozen=True)
class BabyStage:
    """A feeding stage from 6 to 36 months: the textures that fit it and the size of one meal.

    ``meal_kcal`` is the most energy one meal of the stage should bring (more displaces breast milk or
    formula, or overfeeds); ``portion_ko``/``portion_en`` say the same in spoons and cups.
    """

    key: str
    name_ko: str
    name_en: str
    first_month: int
    last_month: int
    textures: frozenset[str]
    meal_kcal: float
    portion_ko: str
    portion_en: str


# Textures by stage: WHO Guideline for complementary feeding of infants and young children 6-23 months
# (2023) and 대한소아청소년과학회 이유식 단계 (초기·중기 미음·죽, 후기 진밥, 완료기 무른 밥).
# Meal energy: what complementary food brings a day (about 200 kcal at 6-8 months, 300 at 9-11 and
# 550 at 12-23; WHO/PAHO Guiding Principles for Complementary Feeding of the Breastfed Child, 2003)
# over 2, 3 and 3 meals; at 24-36 months a quarter of the 900 kcal a day of 2020 한국인 영양소
# 섭취기준 for 1-2 years (three meals and snacks).
BABY_STAGES: tuple[BabyStage, ...] = (
    BabyStage(
        "early", "초기·중기", "early and middle (purées and mashes)", 6, 8,
        frozenset({"puree", "mashed"}), 100.0,
        "한 끼 2–3큰술에서 시작해 반 컵(125 ml)까지",
        "2-3 tablespoons a meal, growing to half a cup (125 ml)",
    ),
    BabyStage(
        "late", "후기", "late (minced, soft lumps)", 9, 11, frozenset({"mashed", "soft_chunks"}), 100.0,
        "한 끼 반 컵(125 ml)", "half a cup (125 ml) a meal",
    ),
    BabyStage(
        "complete", "완료기", "completion (chopped soft family food)", 12, 23,
        frozenset({"soft_chunks", "finger_food"}), 185.0,
        "한 끼 ¾–1컵(190–250 ml)", "¾ to 1 cup (190-250 ml) a meal",
    ),
    BabyStage(
        "toddler", "유아식", "toddler (bite-sized family food)", 24, 36,
        frozenset({"soft_chunks", "finger_food", "regular"}), 225.0,
        "한 끼 밥 ½공기와 반찬, 한입 크기로", "half a bowl of rice with side dishes, in bite-sized pieces",
    ),
)  # fmt: skip


def baby_stage(age_months: int) -> BabyStage:
    """The stage for an age in months (6..36); ValueError naming the allowed range otherwise."""
    for stage in BABY_STAGES:
        if stage.first_month <= age_months <= stage.last_month:
            return stage
    first, last = BABY_STAGES[0].first_month, BABY_STAGES[-1].last_month
    raise ValueError(f"babyAgeMonths: {age_months} is outside {first}..{last} (months)")


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
    source_ko: str = ""

    def in_language(self, language: str) -> Rule:
        """The rule with its source in the reader's language: a Korean reader sees a guideline's name as
        published and the explanation in Korean (``source`` holds the English)."""
        return replace(self, source=self.source_ko) if language == "ko" and self.source_ko else self


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


def _texture_misfit(ctx: Context) -> tuple[float, tuple[str, ...]]:
    return (0.0 if ctx.texture in baby_stage(ctx.baby_age).textures else 1.0), ()


def _under_12_months(ctx: Context) -> bool:
    return ctx.baby_age < 12


def _from_12_months(ctx: Context) -> bool:
    return ctx.baby_age >= 12


def _keyed(keys: frozenset[str]) -> Measure:
    """Count of the recipe's foods among ``keys``."""

    def measure(ctx: Context) -> tuple[float, tuple[str, ...]]:
        found = tuple(dict.fromkeys(i.key for i, grams in ctx.lines if grams > 0 and i.key in keys))
        return float(len(found)), found

    return measure


# Iron-rich foods for babies: meat, poultry, fish and shellfish, egg, pulses and tofu (WHO 2023: meat,
# fish or eggs daily, pulses often). Broths and sauces are other categories and do not count.
IRON_RICH_CATEGORIES = frozenset({"meat", "poultry", "seafood", "egg", "legume", "tofu"})


def _iron_rich(ctx: Context) -> tuple[float, tuple[str, ...]]:
    keys = tuple(
        dict.fromkeys(i.key for i, grams in ctx.lines if grams > 0 and i.category in IRON_RICH_CATEGORIES)
    )
    return float(len(keys)), keys


# Cow's milk (whole or low-fat): before 12 months a baby's milk is breast milk or formula.
COW_MILK_KEYS = frozenset({"milk", "low_fat_milk"})
# Glutinous rice and what is made of it: starch almost all amylopectin, digested fastest of the rices.
GLUTINOUS_KEYS = frozenset(
    {"glutinous_rice", "glutinous_rice_cooked", "glutinous_rice_flour", "chapssal_tteok"}
)
# Whole grains among the starch staples (the bran and germ kept).
WHOLE_GRAIN_KEYS = frozenset({
    "brown_rice", "brown_rice_cooked", "barley", "barley_cooked", "oats", "oatmeal", "millet", "quinoa",
    "buckwheat", "buckwheat_flour", "buckwheat_noodles", "whole_wheat_flour", "whole_wheat_bread",
})  # fmt: skip
_GRAIN_CATEGORIES = frozenset({"grain", "noodle", "bread"})
# Potassium-rich vegetables, pulses, mushrooms and fruit eaten by the portion: USDA SR28 potassium at
# least 300 mg per 100 g (herbs, garlic and dried fruit are used by the pinch or are sugary: not counted).
POTASSIUM_RICH_KEYS = frozenset({
    "potato", "sweet_potato", "carrot", "spinach", "kabocha", "pumpkin", "broccoli", "soybean_sprouts",
    "water_dropwort", "garland_chrysanthemum", "bracken", "bellflower_root", "lotus_root", "kale",
    "mustard_greens", "beet", "arugula", "kohlrabi", "taro", "yam", "swiss_chard", "brussels_sprouts",
    "taro_stems", "avocado", "shiitake", "oyster_mushroom", "king_oyster_mushroom", "enoki",
    "button_mushroom", "cremini", "portabella", "banana", "kiwi", "soybeans", "black_soybeans",
    "adzuki_beans", "mung_beans", "chickpeas", "kidney_beans", "black_beans", "lentils", "edamame", "natto",
})  # fmt: skip


def _whole_grain_share(ctx: Context) -> tuple[float, tuple[str, ...]]:
    """Percent of the grain, noodle and bread grams that are whole grain (100 with none); the refined
    ones are named."""
    grains = [(i, grams) for i, grams in ctx.lines if grams > 0 and i.category in _GRAIN_CATEGORIES]
    total = sum(grams for _, grams in grains)
    if total <= 0:
        return 100.0, ()
    whole = sum(grams for i, grams in grains if i.key in WHOLE_GRAIN_KEYS)
    refined = tuple(dict.fromkeys(i.key for i, _ in grains if i.key not in WHOLE_GRAIN_KEYS))
    return 100.0 * whole / total, refined


def _fiber_density(ctx: Context) -> tuple[float, tuple[str, ...]]:
    """Grams of fibre per 1,000 kcal (ADA's measure); a dish with no energy is not judged."""
    n = ctx.per_serving
    return (1000.0 * n.fiber_g / n.kcal if n.kcal > 0 else 14.0), ()


def _potassium_grams(ctx: Context) -> tuple[float, tuple[str, ...]]:
    keys = tuple(dict.fromkeys(i.key for i, grams in ctx.lines if grams > 0 and i.key in POTASSIUM_RICH_KEYS))
    return ctx.grams_per_serving(keys), keys


# Sources are shown to users: a guideline keeps its published name, the explanation is in the
# reader's language (ko, en).
_KETO = "Harvard T.H. Chan School of Public Health, 'Diet Review: Ketogenic Diet for Weight Loss'"
_KETO_SOURCE = (
    _KETO + ": 순탄수화물 하루 약 20–50 g, 에너지의 70–80 %는 지방, 10–20 %는 단백질",
    _KETO + ": net carbohydrate about 20–50 g a day, 70–80 % of energy from fat, 10–20 % from protein",
)
_WHO_SODIUM_NAME = "WHO Guideline: Sodium intake for adults and children (2012)"
_WHO_SODIUM = (_WHO_SODIUM_NAME + ": 하루 2,000 mg 미만", _WHO_SODIUM_NAME + ": less than 2,000 mg a day")
_ADA = "American Diabetes Association, Standards of Care in Diabetes—2024, 5. Nutrition therapy"
_WHO_2023 = "WHO Guideline for complementary feeding of infants and young children 6–23 months of age (2023)"
_KPS = "대한소아청소년과학회 이유식 지침"
_AAP = "American Academy of Pediatrics"
_WHO_SUGARS = "WHO Guideline: Sugars intake for adults and children (2015)"
_PAHO = "WHO/PAHO Guiding Principles for Complementary Feeding of the Breastfed Child (2003)"
_YOUR_KCAL = ("입력하신 1인분 최대 열량", "your calorie limit per serving")
_AAP_CHOKING = "American Academy of Pediatrics policy statement 'Prevention of Choking Among Children' (2010)"
_KDRI = "2020 한국인 영양소 섭취기준 (보건복지부·한국영양학회)"
_LABELLING = "식품의약품안전처 식품 등의 표시기준: 알레르기 유발물질"


def _rule(
    rule_id: str,
    titles: tuple[str, str],
    unit: str,
    limits: tuple[Direction, float | None, float | None],
    hard: bool,
    source: str | tuple[str, str],
    measure: Measure,
    applies: Callable[[Context], bool] | None = None,
    fixed: bool = False,
) -> Rule:
    """Compact constructor so the tables below read one rule per block: titles (ko, en), limits
    (direction, warn, fail), the source as (ko, en) or one text for both."""
    direction, warn, fail = limits
    source_ko, source_en = (source, source) if isinstance(source, str) else source
    return Rule(
        rule_id, titles[0], titles[1], unit, direction, warn, fail, hard, source_en, measure,
        applies or (lambda _ctx: True), fixed, source_ko,
    )  # fmt: skip


_PRESENT: tuple[Direction, float | None, float | None] = ("max", None, 0)  # any such ingredient fails

# Keto: a day of three meals at the warning line (10 g) is 30 g of net carbohydrate, at the failing
# line (16 g) 48 g: both within the 20–50 g a day that keeps the body in ketosis.
KETO_DAY_NET_CARBS = (20.0, 50.0)
KETO: tuple[Rule, ...] = (
    _rule("keto.net_carbs", ("순탄수화물(1인분)", "Net carbs per serving"), "g", ("max", 10, 16), True,
          (_KETO_SOURCE[0] + "; 세 끼 중 한 끼: 10 g 넘으면 주의(하루 30 g), 16 g 넘으면 불합격(하루 48 g)",
           _KETO_SOURCE[1] + "; one meal of three: warn above 10 g (30 g a day), fail above 16 g "
           "(48 g a day)"),
          _nutrient("net_carbs_g")),
    _rule("keto.fat_share", ("지방 에너지 비율", "Fat share of energy"), "%", ("min", 70, 60), True,
          (_KETO_SOURCE[0] + "; 70 % 미만이면 주의, 60 % 미만이면 불합격",
           _KETO_SOURCE[1] + "; warn below 70 %, fail below 60 %"),
          lambda ctx: (_energy_share(ctx.per_serving, "fat"), ())),
    _rule("keto.protein_share", ("단백질 에너지 비율", "Protein share of energy"), "%", ("max", 30, None),
          False, (_KETO_SOURCE[0] + "; 30 %를 넘는 끼니는 키토가 아니라 고단백 식사 (필요 이상의 단백질은 "
          "포도당으로 바뀜)", _KETO_SOURCE[1] + "; above 30 % a meal is high-protein rather than ketogenic "
          "(protein beyond need is turned into glucose)"),
          lambda ctx: (_energy_share(ctx.per_serving, "protein"), ())),
    _rule("keto.no_sugar_or_starch", ("설탕·전분 주식 없음", "No sugar or starch staples"), "count", _PRESENT,
          True, _KETO_SOURCE, _presence("added_sugar", "honey", "starch_staple")),
)  # fmt: skip

_DIABETES_CARBS = _rule(
    "diabetes.carbohydrate", ("탄수화물(1인분)", "Carbohydrate per serving"), "g", ("max", 45, 60), True,
    (_ADA + ": 탄수화물 계산, 양은 사람마다 정함; 한 끼 45–60 g이 보통의 출발점 (대한당뇨병학회 식품교환표)",
     _ADA + ": carbohydrate counting, amounts set per person; 45–60 g a meal is the usual starting point "
     "(대한당뇨병학회 식품교환표)"),
    _nutrient("carbohydrate_g"),
)  # fmt: skip
_DIABETES_SUGAR = _rule(
    "diabetes.added_sugar", ("첨가당(1인분)", "Added sugars per serving"), "g", ("max", 0, 10), True,
    (_ADA + ": 첨가당은 최소로; " + _WHO_SUGARS + ": 유리당은 에너지의 10 % 미만 (하루 약 50 g, 한 끼 "
     "최대 10 g)",
     _ADA + ": minimise added sugars; " + _WHO_SUGARS + ": free sugars below 10 % of energy (about 50 g "
     "a day; one meal at most 10 g)"),
    _added_sugar,
)  # fmt: skip
_DIABETES_GLUTINOUS = _rule(
    "diabetes.glutinous_rice", ("찹쌀 없음", "No glutinous rice"), "count", _PRESENT, True,
    (_ADA + ": 덜 가공되고 천천히 소화되는 탄수화물을 고름; 찹쌀은 쌀 가운데 혈당을 가장 빨리 올림 "
     "(International Tables of Glycemic Index, 2021)",
     _ADA + ": choose minimally processed, slowly digested carbohydrate; glutinous rice raises blood "
     "glucose fastest of the rices (International Tables of Glycemic Index, 2021)"),
    _keyed(GLUTINOUS_KEYS),
)  # fmt: skip
DIABETES: tuple[Rule, ...] = (
    _DIABETES_CARBS,
    _DIABETES_GLUTINOUS,
    _rule("diabetes.whole_grain", ("통곡물 비율", "Whole-grain share of grains"), "%", ("min", 50, None),
          False, (_ADA + ": 정제 곡물보다 통곡물; 곡물의 절반 이상을 통곡물로 (Dietary Guidelines for "
          "Americans 2020–2025)", _ADA + ": whole grains over refined grains; at least half of the grains "
          "whole (Dietary Guidelines for Americans 2020–2025)"), _whole_grain_share),
    _rule("diabetes.fiber", ("식이섬유(1,000 kcal당)", "Fiber per 1,000 kcal"), "g", ("min", 14, None),
          False, (_ADA + ": 1,000 kcal당 식이섬유 14 g 이상",
                  _ADA + ": at least 14 g of fibre per 1,000 kcal"),
          _fiber_density),
    _DIABETES_SUGAR,
    _rule("diabetes.sodium", ("나트륨(1인분)", "Sodium per serving"), "mg",
          ("max", float(round(2300 / MEALS_PER_DAY)), None), False,
          (_ADA + ": 나트륨 하루 2,300 mg 미만 (한 끼는 3분의 1, 767 mg)",
           _ADA + ": sodium below 2,300 mg a day (one meal = a third, 767 mg)"), _nutrient("sodium_mg")),
)  # fmt: skip

BABY_FOOD: tuple[Rule, ...] = (
    _rule("baby.no_honey", ("꿀 금지(12개월 미만)", "No honey under 12 months"), "count", _PRESENT, True,
          (_AAP + ": 12개월 전에는 꿀을 주지 않음 (영아 보툴리누스증); " + _KPS,
           _AAP + ": no honey before 12 months (infant botulism); " + _KPS),
          _presence("honey"), _under_12_months),
    _rule("baby.no_added_salt", ("소금·간장·장류 금지(12개월 미만)", "No salty seasonings under 12 months"),
          "count", _PRESENT, True,
          (_WHO_2023 + ": 짠 음식을 주지 않음; " + _KPS + ": 돌 전에는 간을 하지 않음",
           _WHO_2023 + ": no foods high in salt; " + _KPS + ": no seasoning before the first birthday"),
          _presence("salty_seasoning"), _under_12_months),
    _rule("baby.no_added_sugar", ("설탕 금지(12개월 미만)", "No added sugar under 12 months"), "count",
          _PRESENT, True, (_WHO_2023 + ": 단 음식과 단 음료를 주지 않음; " + _KPS,
                           _WHO_2023 + ": no foods high in sugar, no sweetened drinks; " + _KPS),
          _presence("added_sugar"), _under_12_months),
    _rule("baby.no_cow_milk", ("생우유 금지(12개월 미만)", "No cow's milk under 12 months"), "count",
          _PRESENT, True, (_AAP + ": 12개월 전에는 생우유를 음료로 주지 않음; " + _KPS
          + ": 생우유는 돌 이후, 그 전에는 모유나 분유로",
          _AAP + ": no cow's milk as a drink before 12 months; "
          + _KPS + ": cow's milk after the first birthday, breast milk or formula before"),
          _keyed(COW_MILK_KEYS), _under_12_months),
    _rule("baby.sodium", ("나트륨(1회, 12–36개월)", "Sodium per meal (12-36 months)"), "mg",
          ("max", 400, None), False,
          (_KDRI + ": 1–2세 나트륨 만성질환위험감소섭취량 1,200 mg/일 (한 끼는 3분의 1, 400 mg)",
           _KDRI + ": sodium for ages 1–2 at most 1,200 mg a day to lower chronic-disease risk (a meal = a "
           "third, 400 mg)"),
          _nutrient("sodium_mg"), _from_12_months),
    _rule("baby.added_sugar", ("첨가당(1회, 12–36개월)", "Added sugar per meal (12-36 months)"), "g",
          ("max", 0, None), False,
          ("Dietary Guidelines for Americans 2020–2025: 2세 전에는 첨가당 없이, 그 뒤에도 조금만; "
           + _WHO_2023,
           "Dietary Guidelines for Americans 2020–2025: no added sugars before age 2, little after; "
           + _WHO_2023), _added_sugar, _from_12_months),
    _rule("baby.choking", ("통견과·통포도 등 질식 위험 없음", "No choking hazards"), "count", _PRESENT, True,
          (_AAP_CHOKING + ": 4세 미만에게 통견과, 통포도, 팝콘, 딱딱한 생채소를 주지 않음",
           _AAP_CHOKING + ": no whole nuts, whole grapes, popcorn or hard raw vegetables under 4 years"),
          _presence("whole_nut", "whole_grape")),
    _rule("baby.not_spicy", ("매운 양념 금지", "No spicy seasoning"), "count", _PRESENT, True,
          (_KPS + ": 영유아식은 자극적인 양념을 쓰지 않음",
           _KPS + ": no hot seasoning in food for babies and "
          "toddlers"), _presence("spicy")),
    _rule("baby.texture", ("단계에 맞는 질감", "Texture fits the stage"), "", ("max", None, 0), True,
          (_WHO_2023 + "; " + _KPS + ": 6–8개월 미음·죽(퓌레·으깬 것), 9–11개월 진밥(무른 덩어리), "
           "12–23개월 무른 밥·다진 가족식, 24–36개월 한입 크기 가족식",
           _WHO_2023 + "; " + _KPS + ": 6–8 months purée and mash, 9–11 months soft lumps (soft rice), "
           "12–23 months soft rice and chopped family food, 24–36 months bite-size family food"),
          _texture_misfit, fixed=True),
    _rule("baby.iron_rich", ("철분 풍부 식품", "Iron-rich food"), "count", ("min", 1, None), False,
          (_WHO_2023 + ": 6개월부터 고기·생선·달걀을 매일, 콩류도 자주; " + _KPS + ": 6개월부터 소고기 등 "
           "철분 식품", _WHO_2023 + ": meat, fish or eggs daily from 6 months, pulses often; " + _KPS
           + ": iron-rich foods such as beef from 6 months"), _iron_rich),
)  # fmt: skip


def baby_portion_rule(stage: BabyStage) -> Rule:
    """The energy of one meal for the baby's stage (soft: a bigger meal warns)."""
    return _rule(
        "baby.portion", ("1회 열량", "Energy per meal"), "kcal", ("max", stage.meal_kcal, None), False,
        (f"{_PAHO}: 나이별 이유식 열량; {_KDRI}: 1–2세 900 kcal/일; {stage.portion_ko}",
         f"{_PAHO}: energy from complementary food by age; {_KDRI}: ages 1–2, 900 kcal a day; "
         f"{stage.portion_en}"),
        _nutrient("kcal"),
    )  # fmt: skip


FRIDGE: tuple[Rule, ...] = (
    _rule("fridge.on_hand_share", ("냉장고 재료 활용률", "Share of ingredients on hand"), "%",
          ("min", 70, 30), True,
          ("냉장고 파먹기 기준: 기본 양념(소금·기름·간장·설탕 등)을 뺀 재료 중 냉장고에 있는 재료의 비율",
           "Cooking from the fridge: the share of the dish's foods in the fridge, staples such as salt, oil, "
           "soy sauce and sugar (assumed at home) left out"), _fridge_share),
)  # fmt: skip

_LOW_SODIUM = _rule(
    "condition.sodium", ("나트륨(1인분, 저염)", "Sodium per serving (low salt)"), "mg",
    ("max", 500, MEAL_SODIUM_MG), True,
    (_WHO_SODIUM[0] + "; 대한고혈압학회 2022 진료지침; KDIGO 2012 CKD guideline: 하루 양의 3분의 1(667 mg)을 "
     "넘으면 불합격, 반찬 몫을 남기도록 4분의 1(500 mg)을 넘으면 주의",
     _WHO_SODIUM[1] + "; 대한고혈압학회 2022 진료지침; KDIGO 2012 CKD guideline: fail above a third of the "
     "day (667 mg), warn above a quarter (500 mg) to leave room for side dishes"),
    _nutrient("sodium_mg"),
)  # fmt: skip
_POTASSIUM = _rule(
    "condition.potassium_foods", ("칼륨 풍부 식품(1인분)", "Potassium-rich foods per serving"), "g",
    ("min", 70, None), False,
    ("WHO Guideline: Potassium intake for adults and children (2012): 음식으로 하루 3,510 mg 이상; "
     "100 g에 300 mg 이상 든 식품 (USDA SR28), 채소 1회 분량 70 g (" + _KDRI + ")",
     "WHO Guideline: Potassium intake for adults and children (2012): at least 3,510 mg a day from food; "
     "foods with at least 300 mg per 100 g (USDA SR28), one portion of vegetables 70 g (" + _KDRI + ")"),
    _potassium_grams,
)  # fmt: skip
CONDITIONS: dict[str, tuple[Rule, ...]] = {
    "hypertension": (_LOW_SODIUM, _POTASSIUM),
    "kidney_disease": (
        _LOW_SODIUM,
        _rule("condition.protein", ("단백질(1인분)", "Protein per serving"), "g", ("max", 25, None), False,
              ("KDIGO 2012: 만성콩팥병에서는 고단백 섭취(하루 체중 1 kg당 1.3 g 초과)를 피함",
               "KDIGO 2012: avoid high protein intake (> 1.3 g/kg/day) in CKD"), _nutrient("protein_g")),
    ),
    "diabetes": (_DIABETES_CARBS, _DIABETES_GLUTINOUS, _DIABETES_SUGAR),
    "high_cholesterol": (
        _rule("condition.fat_share", ("지방 에너지 비율", "Fat share of energy"), "%", ("max", 30, None),
              False, ("WHO Healthy diet fact sheet: 총 지방은 에너지의 30 % 이하",
                      "WHO Healthy diet fact sheet: total fat ≤ 30 % of energy"),
              lambda ctx: (_energy_share(ctx.per_serving, "fat"), ())),
    ),
}  # fmt: skip

# Weight loss: a deficit of about 500 kcal a day below a 2,000 kcal maintenance day (식품의약품안전처
# 영양성분 기준치) is 1,500 kcal, 500 kcal a meal; a meal may reach 550 kcal, and below 400 kcal it
# leaves the eater hungry for the next one.
DIET_MEAL_KCAL = (DAILY_KCAL_REFERENCE - 500.0) / MEALS_PER_DAY
_DEFICIT_SOURCE = (
    "대한비만학회 비만 진료지침 2022: 유지 열량보다 하루 500–1,000 kcal 적게; 2,000 kcal "
    "(식품의약품안전처 영양성분 기준치) − 500 = 하루 1,500 kcal, 한 끼 500 kcal",
    "대한비만학회 비만 진료지침 2022: eat 500–1,000 kcal a day below maintenance; 2,000 kcal "
    "(식품의약품안전처 영양성분 기준치) − 500 = 1,500 kcal a day, 500 kcal a meal",
)
_OBESITY_KCAL = _rule(
    "condition.kcal", ("열량(1인분)", "Energy per serving"), "kcal", ("max", DIET_MEAL_KCAL, None), False,
    _DEFICIT_SOURCE, _nutrient("kcal"),
)  # fmt: skip
CONDITIONS["obesity"] = (_OBESITY_KCAL,)
DIET: tuple[Rule, ...] = (
    _rule("diet.kcal_floor", ("열량 하한(1인분)", "Energy floor per serving"), "kcal", ("min", 400, None),
          False, (_DEFICIT_SOURCE[0] + "; 400 kcal에 못 미치는 끼니는 너무 적어 지키기 어려움",
                  _DEFICIT_SOURCE[1] + "; a meal below 400 kcal is too small to keep to"), _nutrient("kcal")),
    _rule("diet.protein", ("단백질(1인분)", "Protein per serving"), "g", ("min", 20, None), False,
          (_KDRI + ": 성인 단백질 권장섭취량 50–65 g/일 (한 끼는 3분의 1, 약 20 g); 체중을 줄이는 동안 "
           "근육을 지킴 (대한비만학회 비만 진료지침 2022)",
           _KDRI + ": adults' recommended protein 50–65 g a day (a meal = a third, about 20 g); keeps muscle "
           "while losing weight (대한비만학회 비만 진료지침 2022)"), _nutrient("protein_g")),
    _rule("diet.fiber", ("식이섬유(1인분)", "Fiber per serving"), "g", ("min", 7, None), False,
          (_KDRI + ": 식이섬유 충분섭취량 20–30 g/일 (한 끼는 20 g의 3분의 1, 약 7 g)",
           _KDRI + ": adequate fibre intake 20–30 g a day (a meal = a third of 20 g, about 7 g)"),
          _nutrient("fiber_g")),
    _rule("diet.sodium", ("나트륨(1인분)", "Sodium per serving"), "mg",
          ("max", MEAL_SODIUM_MG, None), False,
          (_WHO_SODIUM[0] + " (한 끼는 3분의 1, 667 mg)", _WHO_SODIUM[1] + " (a meal = a third, 667 mg)"),
          _nutrient("sodium_mg")),
)  # fmt: skip


def diet_kcal_rule(limit: float | None) -> Rule:
    """The diet target's energy rule: within the user's maxCalories if given, else the deficit meal
    (warn above 500 kcal, fail above 550 kcal)."""
    if limit is not None:
        limits: tuple[Direction, float | None, float | None] = ("max", 0.9 * limit, limit)
        source = _YOUR_KCAL
    else:
        limits = ("max", DIET_MEAL_KCAL, DIET_MEAL_KCAL + 50.0)
        source = (
            _DEFICIT_SOURCE[0] + "; 550 kcal을 넘으면 불합격",
            _DEFICIT_SOURCE[1] + "; fail above 550 kcal",
        )
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
                  _YOUR_KCAL, _nutrient("kcal"))
        )  # fmt: skip
    if ctx.max_cooking_time is not None:
        titles = ("최대 조리 시간", "Max cooking time")
        limits = ("max", None, ctx.max_cooking_time)
        rules.append(
            _rule("constraint.max_cooking_time", titles, "min", limits, True,
                  ("입력하신 최대 조리 시간", "your cooking-time limit"), _cooking_time, fixed=True)
        )  # fmt: skip
    return tuple(rules)


ALLERGY = _rule(
    "allergy.declared", ("알레르기 식품 없음", "No declared allergens"), "count", _PRESENT, True,
    (_LABELLING + "; 입력하신 알레르기", _LABELLING + "; your allergies"), _declared_allergens,
)  # fmt: skip
SPICY_PREFERENCE = _rule(
    "preference.spicy", ("맵지 않게", "Not spicy"), "count", ("max", 0, None), False,
    ("입력하신 매운 정도 0", "your spiciness choice: 0"), _presence("spicy"),
    lambda ctx: ctx.profile.preferences.spicyLevel == 0,
)  # fmt: skip
