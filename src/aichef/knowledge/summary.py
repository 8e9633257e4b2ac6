"""The money summary of a plan, in one place and the same words everywhere (CLI, page and API).

Budget, what is bought, the value the recipe uses, the cost per serving, what is left over and,
when over budget, by how much and which items drive the cost. Built from the plan's dict (the
stored ``pricing``), so a stored result can be summarised again without the tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["purchase_summary", "won"]

# How many of the dearest items are named as what drives the cost.
_DRIVERS = 3


def won(amount: int, language: str = "ko") -> str:
    """30000 -> '30,000원' (Korean) or '30,000 KRW' (English)."""
    return f"{amount:,}원" if language == "ko" else f"{amount:,} KRW"


def purchase_summary(pricing: Mapping[str, Any], language: str = "ko") -> dict[str, Any]:
    """Fields and display lines for the plan dict `pricing` (see ShoppingPlan.to_dict).

    ``lines`` are the sentences every surface shows as they are; the fields carry the numbers.
    """
    ko = language == "ko"
    items = list(pricing.get("items", []))
    budget = pricing.get("budget")
    goods = int(pricing.get("totalEstimatedCost", 0))
    total = int(pricing.get("bestTotal", goods + int(pricing.get("estimatedShipping", 0))))
    shipping = max(0, total - goods)
    used = int(pricing.get("costOfAmountsUsed", 0))
    per_serving = int(pricing.get("costPerServing", 0))
    left = int(pricing.get("valueLeftover", max(0, goods - used)))
    leftovers = [x for x in pricing.get("leftovers", []) if x.get("leftoverGrams", 0) > 0]
    estimate = bool(pricing.get("isEstimate"))
    over = None if budget is None else max(0, total - int(budget))
    dearest = sorted(items, key=lambda i: -int(i.get("purchaseCost", 0)))[:_DRIVERS]
    drivers = [{"ingredient": i["ingredient"], "purchaseCost": int(i["purchaseCost"])} for i in dearest]

    def w(amount: int) -> str:
        return won(amount, language)

    lines: list[str] = []
    head = (
        f"구매 {w(total)}" + (f" (배송비 {w(shipping)} 포함)" if shipping else "")
        if ko
        else f"Purchase {w(total)}" + (f" (incl. {w(shipping)} delivery)" if shipping else "")
    )
    if budget is not None:
        head = (f"예산 {w(int(budget))} · " if ko else f"Budget {w(int(budget))} · ") + head
    if estimate:
        head += " · 참고 가격(추정치)" if ko else " · reference estimate"
    lines.append(head)
    lines.append(
        f"이번 요리에 쓰는 양의 값 {w(used)} · 1인분 비용 {w(per_serving)}"
        if ko
        else f"Value used by this recipe {w(used)} · cost per serving {w(per_serving)}"
    )
    if leftovers:
        shown = ", ".join(
            f"{x['ingredient']} {x['leftoverGrams']:,.0f} g ({w(int(x['valueLeftover']))})" for x in leftovers
        )
        lines.append(f"남는 재료 (값 {w(left)}): {shown}" if ko else f"Left over (worth {w(left)}): {shown}")
    if over is not None:
        if over > 0:
            named = ", ".join(f"{d['ingredient']} {w(d['purchaseCost'])}" for d in drivers)
            lines.append(
                f"예산보다 {w(over)} 많습니다. 비용이 큰 재료: {named}"
                if ko
                else f"Over budget by {w(over)}. The largest costs: {named}"
            )
        else:
            spare = int(budget) - total  # type: ignore[arg-type]
            lines.append(f"예산 안입니다 ({w(spare)} 남음)" if ko else f"Within budget ({w(spare)} to spare)")
    assumed = list(pricing.get("assumedInPantry", []))
    if assumed:
        names = ", ".join(assumed)
        lines.append(f"집에 있다고 가정한 재료: {names}" if ko else f"Assumed in your pantry: {names}")
    return {
        "budget": budget,
        "purchase": total,
        "shipping": shipping,
        "valueUsed": used,
        "costPerServing": per_serving,
        "valueLeftover": left,
        "withinBudget": None if over is None else over == 0,
        "overBudgetBy": over,
        "costDrivers": drivers,
        "assumedInPantry": assumed,
        "isEstimate": estimate,
        "lines": lines,
    }
