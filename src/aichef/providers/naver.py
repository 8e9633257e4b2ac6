"""Naver Shopping search client (GET /v1/search/shop.json) with a transport seam for tests."""

from __future__ import annotations

import http.client
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from aichef.errors import ProviderError
from aichef.knowledge.packages import clean_title, parse_package
from aichef.knowledge.prices import PriceQuote, ReferencePriceSource

if TYPE_CHECKING:
    from aichef.knowledge.ingredients import Ingredient
    from aichef.providers._price_cache import PriceCache

__all__ = [
    "DEFAULT_BASE_URL",
    "HttpResponse",
    "NaverItem",
    "NaverPriceSource",
    "NaverShoppingClient",
    "Transport",
    "urllib_transport",
]

DEFAULT_BASE_URL = "https://openapi.naver.com"
SEARCH_PATH = "/v1/search/shop.json"
Sort = Literal["sim", "date", "asc", "dsc"]
_SORTS = ("sim", "date", "asc", "dsc")
_PROVIDER = "naver"


@dataclass(frozen=True)
class HttpResponse:
    """What a transport hands back: status, headers and the raw body (error statuses included)."""

    status: int
    headers: Mapping[str, str]
    body: bytes


# A transport performs one GET: (url, headers, timeout seconds) -> HttpResponse.
# It raises ProviderError(code="timeout" | "network") when no HTTP answer arrives.
Transport = Callable[[str, Mapping[str, str], float], HttpResponse]


def urllib_transport(url: str, headers: Mapping[str, str], timeout: float) -> HttpResponse:
    """The default transport: the standard library, no extra dependency."""
    request = urllib.request.Request(url, headers=dict(headers), method="GET")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            return HttpResponse(reply.status, dict(reply.headers.items()), reply.read())
    except urllib.error.HTTPError as exc:
        # 4xx/5xx still carry Naver's JSON error body; hand it back rather than losing it.
        with exc:
            return HttpResponse(exc.code, dict(exc.headers.items()), exc.read())
    except TimeoutError as exc:
        raise ProviderError(_PROVIDER, "timeout", f"no answer within {timeout:g} s") from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise ProviderError(_PROVIDER, "timeout", f"no answer within {timeout:g} s") from exc
        raise ProviderError(_PROVIDER, "network", f"cannot reach Naver: {exc.reason}") from exc
    except (OSError, http.client.HTTPException) as exc:  # reset mid-body, bad status line, short read
        raise ProviderError(_PROVIDER, "network", f"connection failed: {exc!r}") from exc


@dataclass(frozen=True)
class NaverItem:
    """One product listing; `title` has the <b> tags removed, `raw_title` keeps them."""

    title: str
    raw_title: str
    link: str
    image: str
    lprice: int
    hprice: int | None
    mall_name: str
    product_id: str
    product_type: str
    brand: str
    maker: str
    categories: tuple[str, ...]

    @classmethod
    def from_wire(cls, raw: Mapping[str, Any]) -> NaverItem | None:
        """Build from one `items[]` entry; None when it has no usable price (lprice is a string)."""
        try:
            lprice = int(str(raw.get("lprice", "")).strip() or "0")
        except ValueError:
            return None
        if lprice <= 0:
            return None
        hprice_text = str(raw.get("hprice", "")).strip()
        hprice = int(hprice_text) if hprice_text.isdigit() and int(hprice_text) > 0 else None
        raw_title = str(raw.get("title", ""))
        return cls(
            title=clean_title(raw_title),
            raw_title=raw_title,
            link=str(raw.get("link", "")),
            image=str(raw.get("image", "")),
            lprice=lprice,
            hprice=hprice,
            mall_name=clean_title(str(raw.get("mallName", ""))) or "네이버",
            product_id=str(raw.get("productId", "")),
            product_type=str(raw.get("productType", "")),
            brand=str(raw.get("brand", "")),
            maker=str(raw.get("maker", "")),
            categories=tuple(
                str(raw[f"category{i}"]) for i in range(1, 5) if str(raw.get(f"category{i}", "")).strip()
            ),
        )


def _error_from_body(status: int, payload: Any) -> ProviderError | None:
    if isinstance(payload, Mapping) and ("errorCode" in payload or "errorMessage" in payload):
        code = str(payload.get("errorCode", status))
        message = str(payload.get("errorMessage", "")) or "error"
        if status == 429:
            return ProviderError(_PROVIDER, "429", f"daily quota spent ({code}: {message})")
        return ProviderError(_PROVIDER, code, f"HTTP {status}: {message}")
    return None


@dataclass(frozen=True)
class NaverShoppingClient:
    """Searches Naver Shopping. Keys never appear in repr, errors or logs.

    >>> empty = lambda url, headers, timeout: HttpResponse(200, {}, b'{"items": []}')
    >>> NaverShoppingClient("id", "secret", transport=empty).search("양파")
    []
    """

    client_id: str = field(repr=False)
    client_secret: str = field(repr=False)
    base_url: str = DEFAULT_BASE_URL
    timeout: float = 5.0
    transport: Transport = field(default=urllib_transport, repr=False)

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, transport: Transport | None = None
    ) -> NaverShoppingClient | None:
        """Keys from NAVER_CLIENT_ID / NAVER_CLIENT_SECRET (NAVER_API_BASE_URL optional); None if unset."""
        env = os.environ if env is None else env
        client_id = env.get("NAVER_CLIENT_ID", "").strip()
        secret = env.get("NAVER_CLIENT_SECRET", "").strip()
        if not client_id or not secret:
            return None
        base = env.get("NAVER_API_BASE_URL", "").strip() or DEFAULT_BASE_URL
        return cls(client_id, secret, base_url=base, transport=transport or urllib_transport)

    def search_url(self, query: str, display: int = 20, start: int = 1, sort: Sort = "sim") -> str:
        if not query.strip():
            raise ValueError("query must not be empty")
        if not 1 <= display <= 100:
            raise ValueError(f"display must be 1..100, got {display}")
        if not 1 <= start <= 1000:
            raise ValueError(f"start must be 1..1000, got {start}")
        if sort not in _SORTS:
            raise ValueError(f"sort must be one of {', '.join(_SORTS)}, got {sort!r}")
        params = urllib.parse.urlencode({"query": query, "display": display, "start": start, "sort": sort})
        return f"{self.base_url.rstrip('/')}{SEARCH_PATH}?{params}"

    def search(self, query: str, display: int = 20, start: int = 1, sort: Sort = "sim") -> list[NaverItem]:
        """Items with a price, in Naver's order; raises ProviderError on any failure (code names it)."""
        url = self.search_url(query, display, start, sort)
        headers = {
            "X-Naver-Client-Id": self.client_id,
            "X-Naver-Client-Secret": self.client_secret,
            "Accept": "application/json",
        }
        reply = self.transport(url, headers, self.timeout)
        try:
            payload: Any = json.loads(reply.body.decode("utf-8")) if reply.body else None
        except (UnicodeDecodeError, json.JSONDecodeError):
            payload = None
        # Naver sometimes reports errors under HTTP 200, so the body is checked before the status.
        error = _error_from_body(reply.status, payload)
        if error is not None:
            raise error
        if reply.status == 429:
            raise ProviderError(_PROVIDER, "429", "daily quota spent (HTTP 429)")
        if reply.status != 200:
            raise ProviderError(_PROVIDER, f"http_{reply.status}", f"unexpected HTTP {reply.status}")
        if not isinstance(payload, Mapping) or not isinstance(payload.get("items"), list):
            raise ProviderError(_PROVIDER, "bad_response", "response is not a shop.json result")
        items = (NaverItem.from_wire(raw) for raw in payload["items"] if isinstance(raw, Mapping))
        return [item for item in items if item is not None]


# Listings that mention the food but are not it (seeds, seedlings, juices, extracts).
_NOT_THE_FOOD = ("씨앗", "모종", "종자", "즙", "엑기스", "진액", "주스", "분말", "영양제", "화분")


def _mentions(title: str, ingredient: Ingredient) -> bool:
    flat = title.replace(" ", "")
    names = [ingredient.name_ko, *(a for a in ingredient.aliases if not a.isascii())]
    return any(name.replace(" ", "") in flat for name in names if name)


def _is_the_food(item: NaverItem, ingredient: Ingredient) -> bool:
    if item.categories and item.categories[0] != "식품":
        return False
    flat_name = ingredient.name_ko.replace(" ", "")
    if any(word in item.title and word not in flat_name for word in _NOT_THE_FOOD):
        return False
    return _mentions(item.title, ingredient)


class NaverPriceSource:
    """PriceSource over Naver Shopping: cheapest listings per 100 g whose package size can be read.

    Every failure (no keys, timeout, quota, error body, nothing usable) ends in the reference
    price, labelled an estimate with the reason. After a quota or auth error Naver is not asked
    again for the life of this object; answers are cached per ingredient.
    """

    def __init__(
        self,
        client: NaverShoppingClient | None,
        fallback: ReferencePriceSource | None = None,
        *,
        display: int = 20,
        max_quotes: int = 5,
        language: str = "ko",
        today: Callable[[], date] = date.today,
        cache: PriceCache | None = None,
    ) -> None:
        self._client = client
        self._shared = cache
        self._language = language
        self._fallback = fallback or ReferencePriceSource(language=language)
        self._display = display
        self._max_quotes = max_quotes
        self._ko = language == "ko"
        self._today = today
        self._cache: dict[str, list[PriceQuote]] = {}
        self._stopped: str | None = (
            None
            if client is not None
            else self._say(
                "네이버 API 키 없음 (NAVER_CLIENT_ID / NAVER_CLIENT_SECRET)",
                "no Naver API keys (NAVER_CLIENT_ID / NAVER_CLIENT_SECRET)",
            )
        )

    @property
    def name(self) -> str:
        return "naver"

    def _say(self, ko: str, en: str) -> str:
        return ko if self._ko else en

    def quotes(self, ingredient: Ingredient) -> list[PriceQuote]:
        if ingredient.key not in self._cache:
            self._cache[ingredient.key] = self._cached_or_fetched(ingredient)
        return list(self._cache[ingredient.key])

    def _cached_or_fetched(self, ingredient: Ingredient) -> list[PriceQuote]:
        """The day's answer from the shared cache, else from Naver (kept when Naver answered)."""
        if self._shared is not None:
            kept = self._shared.get(ingredient.key, self._language)
            if kept:
                return kept
        quotes, answered = self._fetch(ingredient)
        if self._shared is not None and answered:
            self._shared.put(ingredient.key, self._language, quotes)
        return quotes

    def _fetch(self, ingredient: Ingredient) -> tuple[list[PriceQuote], bool]:
        """The quotes, and whether Naver answered (an answer with nothing usable is still the
        day's answer; a failure is not, and the next session asks again)."""
        if self._stopped is not None or self._client is None:
            return self._fallback.quotes(ingredient, reason=self._stopped or ""), False
        try:
            items = self._client.search(ingredient.name_ko, display=self._display, sort="sim")
        except ProviderError as exc:
            reason = self._say(
                f"네이버 가격 조회 실패 [{exc.code}]: {exc.reason}", f"Naver lookup failed: {exc}"
            )
            if exc.code in _STOP_CODES:
                self._stopped = reason
            return self._fallback.quotes(ingredient, reason=reason), False
        quotes = [q for q in (self._quote(item, ingredient) for item in items) if q is not None]
        if not quotes:
            reason = self._say("네이버 검색 결과에서 포장 단위를 읽을 수 있는 상품 없음",
                               "no Naver listing with a readable package size")  # fmt: skip
            return self._fallback.quotes(ingredient, reason=reason), True
        quotes.sort(key=lambda q: (q.krw_per_100g, q.price_krw))
        return quotes[: self._max_quotes], True

    def _quote(self, item: NaverItem, ingredient: Ingredient) -> PriceQuote | None:
        if not _is_the_food(item, ingredient):
            return None
        package = parse_package(item.title)
        grams = package.grams(ingredient) if package is not None else None
        if package is None or not grams:
            return None
        return PriceQuote(
            ingredient_key=ingredient.key,
            product_name=item.title,
            vendor=item.mall_name,
            price_krw=item.lprice,
            package_grams=grams,
            package_label=package.label(),
            source="naver",
            is_estimate=False,
            as_of=self._today().isoformat(),
            link=item.link or None,
            product_id=item.product_id or None,
        )


# Quota spent (HTTP 429 / 010) or keys refused (020, 021, 024, 401, 403): asking again today cannot succeed.
_STOP_CODES = frozenset({"429", "010", "020", "021", "024", "http_401", "http_403"})
