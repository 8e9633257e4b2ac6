"""Pydantic models at AI Chef's boundary: the session request (profile, constraints) and the recipe."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from aichef import session_ids
from aichef.errors import FieldProblem, InvalidInput
from aichef.money import MAX_KRW, parse_krw

__all__ = [
    "BABY_MONTHS",
    "COOKING_LEVELS",
    "CUISINES",
    "DIFFICULTIES",
    "HEALTH_CONDITIONS",
    "TARGETS",
    "Constraints",
    "Preferences",
    "Profile",
    "Recipe",
    "RecipeIngredient",
    "SessionRequest",
    "parse_profile",
    "parse_session",
]

Target = Literal["keto", "baby_food", "diabetes", "diet", "fridge"]
CookingLevel = Literal["beginner", "intermediate", "advanced"]
Cuisine = Literal["korean", "western", "chinese", "japanese", "any"]
Language = Literal["ko", "en"]
Difficulty = Literal["쉬움", "보통", "어려움", "easy", "medium", "hard"]

# Baby and toddler meals: from the start of complementary feeding (6 months, WHO 2023) to 3 years.
BABY_MONTHS: tuple[int, int] = (6, 36)
TARGETS: tuple[str, ...] = ("keto", "baby_food", "diabetes", "diet", "fridge")
COOKING_LEVELS: tuple[str, ...] = ("beginner", "intermediate", "advanced")
CUISINES: tuple[str, ...] = ("korean", "western", "chinese", "japanese", "any")
DIFFICULTIES: dict[str, tuple[str, ...]] = {
    "ko": ("쉬움", "보통", "어려움"),
    "en": ("easy", "medium", "hard"),
}

# Canonical health-condition keys, each with the words people type for it (Korean first).
HEALTH_CONDITIONS: dict[str, tuple[str, ...]] = {
    "hypertension": ("고혈압", "high blood pressure", "hypertension"),
    "diabetes": ("당뇨", "당뇨병", "diabetes", "type 2 diabetes"),
    "kidney_disease": ("신장질환", "신장병", "콩팥병", "kidney disease", "ckd", "kidney_disease"),
    "high_cholesterol": ("고지혈증", "이상지질혈증", "고콜레스테롤", "high cholesterol", "high_cholesterol"),
    "obesity": ("비만", "obesity", "overweight"),
}
_CONDITION_WORDS: dict[str, str] = {
    _word.replace(" ", "").replace("_", "").lower(): _key
    for _key, _words in HEALTH_CONDITIONS.items()
    for _word in (_key, *_words)
}


def _condition_key(word: str) -> str | None:
    return _CONDITION_WORDS.get(word.replace(" ", "").replace("_", "").lower())


# Bounds on the lists a profile may carry: enough for any kitchen, and bounded work per request.
_MAX_WORDS = 64  # every allergen the page offers (32) with room for foods named by name
_MAX_FRIDGE = 500  # more than the ingredient table knows (460)
_Word = Annotated[str, StringConstraints(max_length=100)]


class _Wire(BaseModel):
    """camelCase on the wire (as the seeds), snake_case never needed: field names already match."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)


class Preferences(_Wire):
    cuisine: Cuisine = "any"
    spicyLevel: int = Field(default=2, ge=0, le=5, strict=True)


class Constraints(_Wire):
    maxCalories: int | None = Field(default=None, gt=0, le=5000, strict=True)
    maxCookingTime: int | None = Field(default=None, gt=0, le=24 * 60, strict=True)


class Profile(_Wire):
    """Who we cook for. `allergies` keep the user's words; `allergen_keys()` gives canonical keys."""

    target: Target
    healthConditions: list[_Word] = Field(default_factory=list, max_length=_MAX_WORDS)
    allergies: list[_Word] = Field(default_factory=list, max_length=_MAX_WORDS)
    cookingLevel: CookingLevel = "beginner"
    budget: int = Field(default=30000, gt=0, le=MAX_KRW, description="KRW; 30000, 30,000, 3만원 ... are read")
    servings: int = Field(default=2, ge=1, le=12, strict=True)
    preferences: Preferences = Field(default_factory=Preferences)
    babyAgeMonths: int | None = Field(default=None, ge=BABY_MONTHS[0], le=BABY_MONTHS[1], strict=True)
    fridgeIngredients: list[_Word] = Field(default_factory=list, max_length=_MAX_FRIDGE)
    pantry: Literal["none", "default"] | list[str] = "default"
    language: Language = "ko"

    @field_validator("babyAgeMonths", mode="before")
    @classmethod
    def _baby_months(cls, value: object) -> object:
        # Checked before the bounds so the message says the whole allowed range, not one side of it.
        low, high = BABY_MONTHS
        if isinstance(value, int) and not isinstance(value, bool) and not low <= value <= high:
            raise ValueError(f"must be a whole number of months from {low} to {high}; allowed: {low}..{high}")
        return value

    @field_validator("healthConditions")
    @classmethod
    def _known_conditions(cls, words: list[str]) -> list[str]:
        keys: dict[str, None] = {}  # a dict keeps the first order and dedupes in linear time
        for word in words:
            key = _condition_key(word)
            if key is None:
                allowed = ", ".join(f"{k} ({v[0]})" for k, v in HEALTH_CONDITIONS.items())
                raise ValueError(f"unknown health condition {word!r}; allowed: {allowed}")
            keys[key] = None
        return list(keys)

    @field_validator("allergies")
    @classmethod
    def _known_allergens(cls, words: list[str]) -> list[str]:
        from aichef.knowledge import allergens  # import here: the knowledge package imports models

        cleaned = [w.strip() for w in words if w.strip()]
        try:
            allergens.expand(cleaned)
        except allergens.UnknownAllergen as exc:
            raise ValueError(f"unknown allergen {exc.word!r}; allowed: {', '.join(exc.allowed)}") from None
        return cleaned

    @field_validator("fridgeIngredients")
    @classmethod
    def _dedupe_fridge(cls, words: list[str]) -> list[str]:
        # a dict, not a list scan: a long list costs linear time, not quadratic (the loop's time)
        return list(dict.fromkeys(w.strip() for w in words if w.strip()))

    @field_validator("budget", mode="before")
    @classmethod
    def _korean_money(cls, value: Any) -> int:
        return parse_krw(value)  # MoneyError is a ValueError: reported under profile.budget

    @field_validator("pantry", mode="before")
    @classmethod
    def _pantry_words(cls, value: Any) -> Any:
        # The page and the CLI send one text: "default", "none" (or 기본/없음) or a comma list.
        if isinstance(value, str):
            word = value.strip()
            named = {"default": "default", "기본": "default", "none": "none", "없음": "none"}
            if word.lower() in named:
                return named[word.lower()]
            return word.split(",")
        if not isinstance(value, list):
            raise ValueError(
                "must be default, none or a list of ingredient names; allowed: default, none, 소금, 간장 ..."
            )
        return value

    @field_validator("pantry")
    @classmethod
    def _known_pantry(
        cls, value: Literal["none", "default"] | list[str]
    ) -> Literal["none", "default"] | list[str]:
        if not isinstance(value, list):
            return value
        from aichef.knowledge.pantry import unknown_words

        words = list(dict.fromkeys(w.strip() for w in value if w.strip()))
        unknown = unknown_words(words)
        if unknown:
            raise ValueError(
                f"unknown ingredient {unknown[0]!r}; allowed: default, none, "
                "or a comma list of ingredient names such as 소금, 간장, 참기름"
            )
        return words

    @model_validator(mode="after")
    def _target_needs(self) -> Profile:
        if self.target == "baby_food" and self.babyAgeMonths is None:
            low, high = BABY_MONTHS
            raise ValueError(
                f"babyAgeMonths: is required when target is baby_food; allowed: {low}..{high} (months)"
            )
        if self.target != "baby_food" and self.babyAgeMonths is not None:
            raise ValueError("babyAgeMonths: is only used when target is baby_food")
        if self.target == "fridge" and not self.fridgeIngredients:
            raise ValueError("fridgeIngredients: must list at least one ingredient when target is fridge")
        return self

    def allergen_keys(self) -> frozenset[str]:
        """Canonical allergen keys (group words expanded), e.g. ["견과류"] -> {"walnut", "peanut", ...}."""
        from aichef.knowledge import allergens

        return allergens.expand(self.allergies)


class SessionRequest(_Wire):
    """The seeds' input: {sessionId, profile, constraints}; a top-level `language` overrides the profile's."""

    sessionId: str = Field(min_length=1, max_length=session_ids.MAX_LENGTH)
    profile: Profile
    constraints: Constraints = Field(default_factory=Constraints)
    language: Language | None = None

    @field_validator("sessionId", mode="before")
    @classmethod
    def _execution_name(cls, value: Any) -> Any:
        # the session id is the workflow execution's name: Step Functions' rules, said in plain
        # words, on the id as sent (before whitespace would be stripped and the id changed)
        wrong = session_ids.problem(value) if isinstance(value, str) else None
        if wrong is not None:
            raise ValueError(wrong)
        return value

    @model_validator(mode="after")
    def _language_into_profile(self) -> SessionRequest:
        if self.language is not None:
            self.profile.language = self.language
        return self


class RecipeIngredient(_Wire):
    """One served line. ``grams`` are as bought; ``edibleGrams`` is set only when less is eaten
    (bones of a whole chicken, shells), and nutrition is computed on it."""

    name: str = Field(min_length=1)
    amount: float = Field(ge=0)
    unit: str
    grams: float | None = Field(default=None, ge=0)
    edibleGrams: float | None = Field(default=None, ge=0)


class Recipe(_Wire):
    """The seeds' recipe shape, as returned to the user."""

    recipeName: str = Field(min_length=1)
    description: str
    cookingTime: int = Field(gt=0, description="minutes")
    difficulty: Difficulty
    servings: int = Field(ge=1, le=12)
    ingredients: list[RecipeIngredient] = Field(min_length=1)
    instructions: list[str] = Field(min_length=1)
    targetNote: str = ""


def _field_name(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts[-1:] = [f"{parts[-1]}[{item}]"] if parts else [f"[{item}]"]
        else:
            parts.append(item)
    return ".".join(parts) or "(request)"


def _problems(exc: ValidationError, prefix: str) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    for err in exc.errors(include_url=False):
        name = _field_name(tuple(err["loc"]))
        if prefix:
            name = f"{prefix}.{name}" if name != "(request)" else prefix
        msg = str(err["msg"]).removeprefix("Value error, ")
        # Whole-model checks name their field as "field: problem" (pydantic gives them no location).
        head, sep, rest = msg.partition(": ")
        if sep and head.isidentifier() and err["type"] == "value_error" and err["loc"] == ():
            name, msg = (f"{name}.{head}" if name != "(request)" else head), rest
        elif sep and head.isidentifier() and err["type"] == "value_error" and err["loc"] == ("profile",):
            name, msg = f"{name}.{head}", rest
        allowed: tuple[str, ...] = ()
        ctx = err.get("ctx") or {}
        if err["type"] == "literal_error" and "expected" in ctx:
            allowed = tuple(
                part.strip().strip("'") for part in str(ctx["expected"]).replace(" or ", ",").split(",")
            )
            msg = f"got {err['input']!r}"
        elif "; allowed: " in msg:
            msg, _, listed = msg.partition("; allowed: ")
            allowed = tuple(part.strip() for part in listed.split(", "))
        elif err["type"] == "extra_forbidden":
            msg = "unknown field"
        elif err["type"] == "missing":
            msg = "is required"
        problems.append(FieldProblem(name, msg, tuple(a for a in allowed if a)))
    return problems


def parse_session(data: Mapping[str, Any]) -> SessionRequest:
    """Validate a session request; raise InvalidInput listing every bad field (no pydantic traceback)."""
    try:
        return SessionRequest.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(_problems(exc, "")) from None


def parse_profile(data: Mapping[str, Any]) -> Profile:
    """Validate a profile alone; field names in errors start with `profile.`."""
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(_problems(exc, "profile")) from None
