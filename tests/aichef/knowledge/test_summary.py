"""The purchase summary: budget, purchase, value used, per serving, leftovers, and what is over and why."""

from __future__ import annotations

from aichef.knowledge.ingredients import get
from aichef.knowledge.prices import ReferencePriceSource
from aichef.knowledge.shopping import build_plan
from aichef.knowledge.summary import purchase_summary

LINES = [(get("pork_belly"), 850.0), (get("onion"), 50.0), (get("salt"), 2.0), (get("water"), 500.0)]


def plan_dict(budget: int | None, language: str = "ko") -> dict[str, object]:
    plan = build_plan(
        LINES, ReferencePriceSource(language=language), servings=2, budget=budget,
        pantry=frozenset({"salt"}), language=language,
    )  # fmt: skip
    return plan.to_dict()


def test_over_budget_says_by_how_much_and_what_drives_the_cost() -> None:
    data = plan_dict(20000)
    summary = data["summary"]
    assert isinstance(summary, dict)
    purchase = summary["purchase"]
    # 850 g pork belly: 600 g (16,200) + 300 g (8,480); one onion (990): worked out by hand.
    assert purchase == 16200 + 8480 + 990
    assert summary["overBudgetBy"] == purchase - 20000 and summary["withinBudget"] is False
    assert summary["costDrivers"][0] == {"ingredient": "삼겹살", "purchaseCost": 24680}
    lines = summary["lines"]
    assert lines[0].startswith("예산 20,000원 · 구매 25,670원")
    assert f"예산보다 {purchase - 20000:,}원 많습니다. 비용이 큰 재료: 삼겹살 24,680원" in lines[-2]
    assert lines[-1] == "집에 있다고 가정한 재료: 소금"
    assert any(line.startswith("남는 재료") and "양파 200 g" in line for line in lines)
    assert summary["valueUsed"] + summary["valueLeftover"] == purchase


def test_within_budget_says_what_is_left_and_english_reads_the_same() -> None:
    summary = plan_dict(30000, "en")["summary"]
    assert isinstance(summary, dict)
    assert summary["withinBudget"] is True and summary["overBudgetBy"] == 0
    assert "Within budget (4,330 KRW to spare)" in summary["lines"]
    assert summary["lines"][-1] == "Assumed in your pantry: salt"
    assert "cost per serving" in summary["lines"][1]


def test_a_stored_plan_is_summarised_again_to_the_same_words() -> None:
    data = plan_dict(None)
    stored = {key: value for key, value in data.items() if key != "summary"}
    again = purchase_summary(stored, "ko")
    assert again == data["summary"]
    assert again["overBudgetBy"] is None and not any("예산" in line for line in again["lines"])
