"""The cheapest set of packages that covers a need: which sizes to buy, what is used and what is left.

Shops sell an ingredient in a few sizes (소포장 200 g, 600 g, 대용량 2 kg). Buying for a recipe is
an unbounded covering knapsack: whole packages, any number of each size, total weight at least
the need, least money. With a handful of sizes an exact search over counts is small and fast.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aichef.knowledge.prices import PriceQuote

__all__ = ["Purchase", "cheapest_cover", "cover_counts"]

# 1000.0000001 g of a 1 kg bag is still one bag (the same tolerance as PriceQuote.packages_for).
_SLACK = 1e-6


@dataclass(frozen=True)
class Purchase:
    """Packages bought for `needed_grams`: (quote, count) pairs, largest package first."""

    needed_grams: float
    packs: tuple[tuple[PriceQuote, int], ...]

    @property
    def cost(self) -> int:
        """What the shopper pays, in KRW."""
        return sum(quote.price_krw * count for quote, count in self.packs)

    @property
    def bought_grams(self) -> float:
        return sum(quote.package_grams * count for quote, count in self.packs)

    @property
    def leftover_grams(self) -> float:
        return max(0.0, self.bought_grams - self.needed_grams)

    @property
    def value_used(self) -> int:
        """The share of what was paid that the recipe uses (paid price × used / bought)."""
        bought = self.bought_grams
        return round(self.cost * min(1.0, self.needed_grams / bought)) if bought > 0 else 0

    @property
    def value_left(self) -> int:
        """What the leftovers are worth at the price paid; with `value_used` it adds up to `cost`."""
        return self.cost - self.value_used

    @property
    def count(self) -> int:
        return sum(count for _, count in self.packs)

    @property
    def main(self) -> PriceQuote:
        """The largest package bought (names the purchase in one line)."""
        return self.packs[0][0]


def _sort_key(quote: PriceQuote) -> tuple[float, int, str]:
    return (-quote.package_grams, quote.price_krw, quote.product_name)


@lru_cache(maxsize=65536)  # a session prices the same few lines many times while choosing a dish
def cover_counts(sizes: tuple[tuple[float, int], ...], need: float) -> tuple[int, ...]:
    """Counts per (grams, price) size, largest first, of the cheapest multiset weighing >= `need`.

    Ties go to less left over, then fewer packages. Exact: a depth-first search over the count of
    each size, largest size first, pruned by the best cost found so far. No size is ever bought more
    than ceil(need / size) times (one fewer would still cover), which bounds the search.
    """
    if not sizes:
        raise ValueError("no package size to buy from")
    best: list[tuple[int, float, int, tuple[int, ...]]] = []  # (cost, leftover, packages, counts)
    # The cheapest possible price per gram bounds what the rest of a need can cost at least.
    min_rate = min(price / grams for grams, price in sizes)
    n = len(sizes)
    counts = [0] * n

    def search(i: int, remaining: float, cost: int, packages: int) -> None:
        if best and cost + max(0.0, remaining) * min_rate > best[0][0] + 1e-9:
            return
        if remaining <= _SLACK * max(1.0, need):
            candidate = (cost, -remaining, packages, tuple(counts))
            if not best or candidate < best[0]:
                best[:] = [candidate]
            return
        if i == n:
            return
        grams, price = sizes[i]
        most = max(0, math.ceil(remaining / grams - _SLACK))
        for k in range(most, -1, -1):
            counts[i] = k
            search(i + 1, remaining - k * grams, cost + k * price, packages + k)
        counts[i] = 0

    search(0, need, 0, 0)
    if not best or best[0][2] == 0:  # a need within float noise of zero: the cheapest single package
        cheapest = min(range(n), key=lambda j: (sizes[j][1], -sizes[j][0]))
        return tuple(1 if j == cheapest else 0 for j in range(n))
    return best[0][3]


def cheapest_cover(quotes: Sequence[PriceQuote], grams: float) -> Purchase:
    """The cheapest set of these packages (any number of each) holding at least `grams`.

    `quotes` are the sizes one shop sells; at least one package is always bought.
    """
    if not quotes:
        raise ValueError("no package to buy from")
    ordered = sorted(quotes, key=_sort_key)
    counts = cover_counts(tuple((q.package_grams, q.price_krw) for q in ordered), max(grams, 0.0))
    packs = tuple((quote, count) for quote, count in zip(ordered, counts, strict=True) if count > 0)
    return Purchase(grams, packs)
