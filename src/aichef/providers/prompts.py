"""Prompts for the language-model providers: one voice per target in Korean (as the seeds write them)
or English, the rules written out from the diet rule table, and the recipe tool's JSON schema.

>>> from aichef.models import SessionRequest
>>> request = SessionRequest.model_validate({"sessionId": "s", "profile": {"target": "keto"}})
>>> "키토" in system_prompt(request)
True
>>> recipe_schema(request)["properties"]["servings"]["const"]
2
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

from aichef.knowledge import allergens, diets
from aichef.knowledge.generator import GeneratedRecipe
from aichef.knowledge.generator import generate as offline_generate
from aichef.knowledge.ingredients import all_ingredients, lookup
from aichef.knowledge.recipes import load_library
from aichef.models import DIFFICULTIES, HEALTH_CONDITIONS, SessionRequest

__all__ = [
    "TEXTURES",
    "TOOL_DESCRIPTION",
    "TOOL_NAME",
    "allowed_names",
    "compact_names",
    "compact_schema",
    "compact_system_prompt",
    "compact_user_prompt",
    "example_recipe",
    "recipe_schema",
    "strict_schema",
    "system_prompt",
    "user_prompt",
]

TOOL_NAME = "submit_recipe"
TOOL_DESCRIPTION = (
    "Submit the one recipe for this request. Ingredient names must come from the allowed list; "
    "amounts are numbers with a unit. Do not include nutrition figures: AI Chef computes them."
)
TEXTURES: tuple[str, ...] = ("puree", "mashed", "soft_chunks", "finger_food", "regular")

# The voice of each target, in the words the seeds use (Korean first, English on request).
_PERSONAS: dict[str, tuple[str, str]] = {
    "keto": (
        "당신은 한국 가정식을 저탄수화물·고지방 키토 식단으로 바꾸는 전문 셰프입니다. 밥, 면, 빵, 감자 같은 "
        "전분 주식과 설탕·꿀·물엿을 쓰지 않고, 고기·생선·달걀·두부·채소와 좋은 기름으로 "
        "포만감 있는 한 끼를 만듭니다.",
        "You are a chef who turns Korean home cooking into low-carb, high-fat keto meals. You never use "
        "starch staples (rice, noodles, bread, potato) or sugar, honey and syrups; you build a filling meal "
        "from meat, fish, eggs, tofu, vegetables and good fats.",
    ),
    "baby_food": (
        "당신은 소아영양을 잘 아는 이유식 전문가입니다. 아기의 개월 수에 맞는 질감으로, 간을 하지 않고 "
        "자극 없는 재료만 써서 안전하고 부드러운 이유식을 만듭니다. "
        "새 알레르기 식품은 한 번에 하나씩만 씁니다.",
        "You are a baby-food specialist who knows infant nutrition. You make safe, gentle food in the "
        "texture that fits the baby's age in months, without seasoning or anything spicy, and introduce "
        "at most one new allergen at a time.",
    ),
    "diabetes": (
        "당신은 당뇨병 환자의 식사를 돕는 임상영양사 겸 요리사입니다. "
        "혈당을 천천히 올리는 통곡물·채소·단백질 위주로 탄수화물 양을 지키고, "
        "설탕과 물엿 대신 재료 본연의 맛을 살린 한식 한 끼를 만듭니다.",
        "You are a clinical dietitian and cook for people with diabetes. You keep the carbohydrate of a "
        "meal within limits with whole grains, vegetables and protein, and season without sugar or syrup.",
    ),
    "diet": (
        "당신은 다이어트 식단을 만드는 요리사입니다. 열량은 낮추되 단백질과 채소로 배부르고 맛있는 한 끼를 "
        "만들며, 기름과 정제 탄수화물을 줄이고 굽기·찌기·데치기를 즐겨 씁니다.",
        "You are a cook for people losing weight. You keep the energy of a meal low while making it "
        "filling with protein and vegetables, using less oil and refined carbohydrate, and prefer "
        "grilling, steaming and blanching.",
    ),
    "fridge": (
        "당신은 냉장고 파먹기의 달인입니다. 냉장고에 있는 재료를 최대한 활용해 새로 살 재료가 거의 없는 "
        "집밥 한 끼를 만듭니다. 소금, 간장, 기름, 설탕 같은 기본 양념은 집에 있다고 봅니다.",
        "You are a master of cooking from the fridge. You use what is already in the fridge so that "
        "almost nothing has to be bought; basic seasonings (salt, soy sauce, oil, sugar) "
        "are assumed at home.",
    ),
}

# Hard presence rules and the ingredient tags they forbid: such ingredients are left off the list
# the model may choose from, so it is never offered what a rule would reject.
_FORBIDDEN_TAGS: dict[str, tuple[str, ...]] = {
    "keto.no_sugar_or_starch": ("added_sugar", "honey", "starch_staple"),
    "baby.no_honey": ("honey",),
    "baby.no_added_salt": ("salty_seasoning",),
    "baby.no_added_sugar": ("added_sugar",),
    "baby.choking": ("whole_nut", "whole_grape"),
    "baby.not_spicy": ("spicy",),
}
_LEVEL_DIFFICULTY = {"beginner": 0, "intermediate": 1, "advanced": 2}
_TEXTURE_WORDS = {
    "puree": "퓌레(미음)",
    "mashed": "으깬 것(죽)",
    "soft_chunks": "무른 덩어리(진밥)",
    "finger_food": "핑거푸드",
    "regular": "일반 식감",
}
_CUISINES = {"korean": ("한식", "Korean"), "western": ("양식", "Western"), "chinese": ("중식", "Chinese"),
             "japanese": ("일식", "Japanese"), "any": ("상관없음", "any")}  # fmt: skip


def recipe_schema(request: SessionRequest) -> dict[str, Any]:
    """The JSON schema of the recipe tool's input for this request (difficulty words in its language,
    servings fixed to the profile's). Nutrition is deliberately absent: AI Chef computes it."""
    language = request.profile.language
    line = {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "amount", "unit"],
        "properties": {
            "name": {"type": "string", "minLength": 1, "description": "an ingredient from the allowed list"},
            "amount": {"type": "number", "exclusiveMinimum": 0},
            "unit": {
                "type": "string",
                "minLength": 1,
                "description": "g, ml, 컵, 큰술, 작은술, 개, 모, 쪽 ...",
            },
        },
    }
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [
            "recipeName", "description", "cookingTime", "difficulty", "servings", "texture", "ingredients",
            "instructions",
        ],
        "properties": {
            "recipeName": {"type": "string", "minLength": 1, "maxLength": 80},
            "description": {"type": "string", "minLength": 1, "maxLength": 400},
            "cookingTime": {"type": "integer", "minimum": 1, "maximum": 1440, "description": "minutes"},
            "difficulty": {"type": "string", "enum": list(DIFFICULTIES[language])},
            "servings": {"type": "integer", "const": request.profile.servings},
            "texture": {"type": "string", "enum": list(TEXTURES)},
            "ingredients": {"type": "array", "minItems": 1, "maxItems": 30, "items": line},
            "instructions": {
                "type": "array", "minItems": 1, "maxItems": 20, "items": {"type": "string", "minLength": 1},
            },
        },
    }  # fmt: skip


# Keywords the strictest structured-output modes (OpenAI strict json_schema) refuse; our own review
# enforces them after the answer, so leaving them out of the request loses nothing.
_STRICT_UNSUPPORTED = frozenset(
    {"minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "minItems", "maxItems"}
)


def strict_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """``schema`` inside the common strict subset: no numeric or length limits, ``const`` as a
    one-value ``enum``.

    >>> strict_schema({"type": "integer", "const": 2, "minimum": 1})
    {'type': 'integer', 'enum': [2]}
    """
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _STRICT_UNSUPPORTED:
            continue
        if key == "const":
            out["enum"] = [value]
        elif key == "properties":
            out[key] = {name: strict_schema(sub) for name, sub in value.items()}
        elif key == "items":
            out[key] = strict_schema(value)
        else:
            out[key] = value
    return out


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() or value >= 100 else f"{value:,.1f}"


def _rule_line(rule: diets.Rule, request: SessionRequest) -> str | None:
    profile = request.profile
    ko = profile.language == "ko"
    title = rule.title_ko if ko else rule.title_en
    must = ("필수" if ko else "must") if rule.hard else ("권장" if ko else "should")
    if rule.id == "baby.texture":
        stage = diets.baby_stage(profile.babyAgeMonths or 0)
        fits = ", ".join(f"{t} ({_TEXTURE_WORDS[t]})" if ko else t for t in sorted(stage.textures))
        return f"- [{must}] {title}: texture = {fits}"
    if rule.id == "allergy.declared":
        return None  # listed on its own below, with every expanded allergen
    if rule.unit == "count":
        return f"- [{must}] {title}"
    if rule.id == "fridge.on_hand_share":
        goal = _number(rule.warn or 70)
        text = (
            f"주식·기본양념을 뺀 재료의 {goal}% 이상을 냉장고 재료로"
            if ko
            else f"at least {goal}% of the non-staple ingredients from the fridge"
        )
        return f"- [{must}] {title}: {text}"
    if rule.id == "diabetes.added_sugar":
        return f"- [{must}] {title}: " + ("설탕·꿀·물엿을 쓰지 않음" if ko else "no sugar, honey or syrup")
    unit = {"min": "분" if ko else "min"}.get(rule.unit, rule.unit)
    aim = rule.warn if rule.warn is not None else rule.fail
    if aim is None:
        return None
    if rule.direction == "max":
        text = f"{_number(aim)}{unit} 이하" if ko else f"at most {_number(aim)} {unit}"
    else:
        text = f"{_number(aim)}{unit} 이상" if ko else f"at least {_number(aim)} {unit}"
    return f"- [{must}] {title}: {text}"


def _forbidden_tags(request: SessionRequest) -> frozenset[str]:
    rules = diets.rules_for(request.profile, request.constraints)
    return frozenset(tag for rule in rules if rule.hard for tag in _FORBIDDEN_TAGS.get(rule.id, ()))


def allowed_names(request: SessionRequest) -> list[str]:
    """Ingredient names the model may use: the table minus declared allergens and forbidden tags."""
    avoid = request.profile.allergen_keys()
    banned = _forbidden_tags(request)
    ko = request.profile.language == "ko"
    names = [
        item.name_ko if ko else item.name_en
        for item in all_ingredients()
        if not (item.allergens & avoid) and not (item.tags & banned)
    ]
    return list(dict.fromkeys(names))


def system_prompt(request: SessionRequest) -> str:
    """The target's voice and the tool discipline, in the profile's language."""
    ko = request.profile.language == "ko"
    persona = _PERSONAS[request.profile.target][0 if ko else 1]
    if ko:
        rules = (
            f"반드시 `{TOOL_NAME}` 도구로 레시피 하나만 제출하세요. "
            "재료 이름은 허용 목록에 있는 그대로 쓰고, "
            "양은 숫자와 단위(g, ml, 컵=200ml, 큰술=15ml, 작은술=5ml, 개, 모, 쪽 ...)로 적으세요. "
            "'약간' 대신 그램으로 적으세요. "
            "영양 성분은 AI Chef가 USDA 자료로 계산하므로 적지 마세요. 모든 글은 한국어로 씁니다."
        )
    else:
        rules = (
            f"Always submit exactly one recipe with the `{TOOL_NAME}` tool. Write ingredient names exactly "
            "as in the allowed list and amounts as a number and a unit (g, ml, cup = 200 ml, Tbsp = 15 ml, "
            "tsp = 5 ml, piece, clove ...); write grams instead of 'a little'. "
            "Do not give nutrition figures: AI Chef computes them from USDA data. "
            "Write everything in English."
        )
    return f"{persona}\n\n{rules}"


def user_prompt(request: SessionRequest) -> str:
    """The profile, constraints, rules and allowed ingredients, in the profile's language."""
    profile, constraints = request.profile, request.constraints
    ko = profile.language == "ko"
    difficulty = DIFFICULTIES[profile.language][_LEVEL_DIFFICULTY[profile.cookingLevel]]
    cuisine = _CUISINES[profile.preferences.cuisine][0 if ko else 1]
    lines: list[str] = []
    if ko:
        lines += [
            f"인분: {profile.servings}인분 (servings = {profile.servings})",
            f"요리 실력: {profile.cookingLevel} → 난이도 '{difficulty}' 이하",
            f"선호 요리: {cuisine}, 매운맛 {profile.preferences.spicyLevel}/5",
            f"예산: {profile.budget:,}원",
        ]
    else:
        lines += [
            f"Servings: {profile.servings}",
            f"Cooking level: {profile.cookingLevel} → difficulty '{difficulty}' or easier",
            f"Cuisine: {cuisine}, spiciness {profile.preferences.spicyLevel}/5",
            f"Budget: {profile.budget:,} KRW",
        ]
    if profile.babyAgeMonths is not None:
        lines.append(
            f"아기 개월 수: {profile.babyAgeMonths}개월"
            if ko
            else f"Baby age: {profile.babyAgeMonths} months"
        )
    if profile.fridgeIngredients:
        owned = ", ".join(profile.fridgeIngredients)
        lines.append(f"냉장고 재료: {owned}" if ko else f"In the fridge: {owned}")
    if profile.healthConditions:
        words = (
            HEALTH_CONDITIONS[key][0] if ko else key.replace("_", " ") for key in profile.healthConditions
        )
        lines.append(("건강 상태: " if ko else "Health conditions: ") + ", ".join(words))
    if constraints.maxCookingTime is not None:
        limit = constraints.maxCookingTime
        lines.append(f"조리 시간: {limit}분 이내" if ko else f"Cooking time: at most {limit} min")
    if constraints.maxCalories is not None:
        limit = constraints.maxCalories
        lines.append(f"열량: 1인분 {limit} kcal 이하" if ko else f"Energy: at most {limit} kcal per serving")
    avoid = sorted(profile.allergen_keys())
    if avoid:
        named = ", ".join(allergens.label(key, profile.language) for key in avoid)
        lines.append(f"알레르기(절대 사용 금지): {named}" if ko else f"Allergies (never use): {named}")
    rules = [text for rule in diets.rules_for(profile, constraints) if (text := _rule_line(rule, request))]
    head = "다음 조건에 맞는 레시피 하나를 만들어 주세요." if ko else "Create one recipe for this request."
    rule_head = "지켜야 할 규칙 (1인분 기준):" if ko else "Rules (per serving):"
    allowed_head = "허용 재료 목록 (이 이름만 사용):" if ko else "Allowed ingredients (use these names only):"
    return "\n".join(
        [head, *lines, "", rule_head, *rules, "", allowed_head, ", ".join(allowed_names(request))]
    )


# A small model (SmolLM2-135M serves 2,048 tokens by default) cannot read the whole ingredient table:
# the compact prompt offers a short list, shows one recipe from the library that already fits the
# profile as an example, and asks for grams only, so that its answer fits in what is left.
COMPACT_NAMES = 32


def example_recipe(request: SessionRequest) -> dict[str, Any] | None:
    """The library's recipe for this profile (the offline generator's choice) in the tool's shape,
    amounts in grams, or None when no recipe fits the profile."""
    served = offline_generate(request)
    if not isinstance(served, GeneratedRecipe):
        return None
    ko = request.profile.language == "ko"
    recipe = served.recipe
    return {
        "recipeName": recipe.recipeName,
        "description": recipe.description,
        "cookingTime": recipe.cookingTime,
        "difficulty": recipe.difficulty,
        "servings": recipe.servings,
        "texture": served.texture,
        "ingredients": [
            {
                "name": line.ingredient.name_ko if ko else line.ingredient.name_en,
                "amount": float(max(1, round(line.grams))),
                "unit": "g",
            }
            for line in served.lines
        ],
        "instructions": list(recipe.instructions[:3]),  # a short example keeps the answer short
    }


def compact_names(request: SessionRequest, example: Mapping[str, Any] | None) -> list[str]:
    """At most ``COMPACT_NAMES`` allowed names: the example's, the fridge's, then those the library's
    recipes for this target use most."""
    allowed = allowed_names(request)
    permitted = set(allowed)
    ko = request.profile.language == "ko"
    wanted: list[str] = [str(line["name"]) for line in (example or {}).get("ingredients", ())]
    for word in request.profile.fridgeIngredients:
        item = lookup(word)
        if item is not None:
            wanted.append(item.name_ko if ko else item.name_en)
    uses: Counter[str] = Counter()
    for library_recipe in load_library():
        if request.profile.target in library_recipe.targets:
            for line in library_recipe.lines:
                item = lookup(line.item)
                if item is not None:
                    uses[item.name_ko if ko else item.name_en] += 1
    wanted += [name for name, _ in uses.most_common()]
    return [name for name in dict.fromkeys(wanted) if name in permitted][:COMPACT_NAMES]


def compact_schema(request: SessionRequest, names: list[str]) -> dict[str, Any]:
    """The schema sent to a small model's server: the strict subset of :func:`recipe_schema` with the
    ingredient names limited to ``names`` and amounts in grams, so that a server that turns the
    schema into a grammar (llama.cpp) cannot even write an unknown name. The review still checks
    the answer against the full schema."""
    schema = strict_schema(recipe_schema(request))
    line = schema["properties"]["ingredients"]["items"]
    line["properties"]["name"] = {"type": "string", "enum": names}
    line["properties"]["unit"] = {"type": "string", "enum": ["g"]}
    return schema


def compact_system_prompt(request: SessionRequest) -> str:
    """The target's voice and the answer's form, in few words."""
    ko = request.profile.language == "ko"
    persona = _PERSONAS[request.profile.target][0 if ko else 1]
    if ko:
        rules = (
            "JSON 객체 하나로만 답하세요. 재료 이름은 목록의 이름 그대로, 양은 그램(g)으로 적습니다. "
            "영양 성분은 적지 마세요. 모든 글은 한국어로 씁니다."
        )
    else:
        rules = (
            "Answer with one JSON object only. Ingredient names exactly as listed, amounts in grams (g). "
            "No nutrition figures. Write everything in English."
        )
    return f"{persona}\n\n{rules}"


def compact_user_prompt(request: SessionRequest, example: Mapping[str, Any] | None, names: list[str]) -> str:
    """The request in short: profile, the hard rules, allergies, the short list and one example."""
    profile = request.profile
    ko = profile.language == "ko"
    lines = [
        "다음 조건에 맞는 레시피 하나를 JSON으로 만들어 주세요." if ko else "Write one recipe as JSON.",
        (f"인분: {profile.servings}" if ko else f"Servings: {profile.servings}"),
    ]
    if profile.babyAgeMonths is not None:
        lines.append(f"아기: {profile.babyAgeMonths}개월" if ko else f"Baby: {profile.babyAgeMonths} months")
    if profile.fridgeIngredients:
        owned = ", ".join(profile.fridgeIngredients)
        lines.append(f"냉장고 재료: {owned}" if ko else f"In the fridge: {owned}")
    avoid = sorted(profile.allergen_keys())
    if avoid:
        named = ", ".join(allergens.label(key, profile.language) for key in avoid)
        lines.append(f"알레르기(절대 사용 금지): {named}" if ko else f"Allergies (never use): {named}")
    rules = [
        text
        for rule in diets.rules_for(profile, request.constraints)
        if rule.hard and (text := _rule_line(rule, request))
    ]
    if rules:
        lines += ["규칙 (1인분 기준):" if ko else "Rules (per serving):", *rules]
    lines += [("재료 목록: " if ko else "Ingredients: ") + ", ".join(names)]
    if example is not None:
        shown = json.dumps(example, ensure_ascii=False, separators=(",", ":"))
        lines += ["규칙을 지키는 예:" if ko else "An example that keeps the rules:", shown]
    return "\n".join(lines)
