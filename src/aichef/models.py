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

__all__ = [
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
_MAX_WORDS = 30
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
    budget: int = Field(default=30000, gt=0)
    servings: int = Field(default=2, ge=1, le=12, strict=True)
    preferences: Preferences = Field(default_factory=Preferences)
    babyAgeMonths: int | None = Field(default=None, ge=4, le=18, strict=True)
    fridgeIngredients: list[_Word] = Field(default_factory=list, max_length=_MAX_FRIDGE)
    language: Language = "ko"

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

    @model_validator(mode="after")
    def _target_needs(self) -> Profile:
        if self.target == "baby_food" and self.babyAgeMonths is None:
            raise ValueError("babyAgeMonths: is required when target is baby_food; allowed: 4..18 (months)")
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
    name: str = Field(min_length=1)
    amount: float = Field(ge=0)
    unit: str
    grams: float | None = Field(default=None, ge=0)


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
