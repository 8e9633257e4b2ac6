"""Every ingredient's Korean and English name, so the English page can show the Korean name beside."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from aichef.knowledge.ingredients import all_ingredients

__all__ = ["glossary_router"]


@cache
def _names() -> list[dict[str, Any]]:
    return [{"key": i.key, "ko": i.name_ko, "en": i.name_en} for i in all_ingredients()]


def glossary_router() -> APIRouter:
    router = APIRouter(prefix="/api")

    @router.get("/ingredients", summary="Ingredient names in Korean and English")
    async def ingredients() -> JSONResponse:
        # The table changes only with a release: a day in the browser's cache is safe.
        return JSONResponse({"ingredients": _names()}, headers={"Cache-Control": "public, max-age=86400"})

    return router
