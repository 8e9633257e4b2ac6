"""Culinary roles: what an ingredient does in a dish (protein, vegetable, starch, sauce_seasoning,
fat, aromatic, garnish).

A substitute keeps the role of what it replaces (tofu for egg, salt for soy sauce, never salt for
bean sprouts). Roles are data (``data/roles.json``): a role per ingredient category, and overrides
by key where the category says too little (garlic is an aromatic, butter a fat, milk a liquid
seasoning, potato a starch).

>>> from aichef.knowledge.ingredients import get
>>> role_of(get("egg")), role_of(get("soy_sauce")), role_of(get("garlic"))
('protein', 'sauce_seasoning', 'aromatic')
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Literal, cast

from aichef.knowledge.ingredients import Ingredient

__all__ = ["ROLES", "Role", "role_of"]

Role = Literal["protein", "vegetable", "starch", "sauce_seasoning", "fat", "aromatic", "garnish"]
ROLES: tuple[Role, ...] = ("protein", "vegetable", "starch", "sauce_seasoning", "fat", "aromatic", "garnish")


@cache
def _table() -> tuple[dict[str, Role], dict[str, Role]]:
    text = resources.files("aichef.knowledge").joinpath("data/roles.json").read_text("utf-8")
    data = json.loads(text)
    by_category = {k: cast(Role, v) for k, v in data["by_category"].items()}
    overrides = {k: cast(Role, v) for k, v in data["overrides"].items()}
    for role in (*by_category.values(), *overrides.values()):
        if role not in ROLES:
            raise ValueError(f"roles.json: unknown role {role!r}; allowed: {', '.join(ROLES)}")
    return by_category, overrides


def role_of(item: Ingredient) -> Role:
    """The ingredient's culinary role; a starch staple (rice, noodles) is a starch whatever its category."""
    by_category, overrides = _table()
    if item.key in overrides:
        return overrides[item.key]
    if "starch_staple" in item.tags and item.category not in ("sweetener", "sauce", "seasoning"):
        return "starch"
    if "salty_seasoning" in item.tags or "added_sugar" in item.tags:
        return "sauce_seasoning"
    return by_category.get(item.category, "sauce_seasoning")
