"""Naver Shopping client and price source against a local server speaking the real wire format."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from types import MappingProxyType

import pytest
from naver_server import CLIENT_ID, CLIENT_SECRET, FakeNaver, item, running

from aichef.errors import ProviderError
from aichef.knowledge.ingredients import Ingredient, Nutrients
from aichef.knowledge.prices import ReferencePriceSource, table_from_json
from aichef.knowledge.shopping import build_plan
from aichef.providers import NaverPriceSource, NaverShoppingClient
from aichef.providers._price_cache import PriceCache

ONION = Ingredient(
    key="onion",
    name_ko="양파",
    name_en="onion",
    aliases=("onion", "햇양파"),
    category="vegetable",
    ndb_no="11282",
    usda_description="Onions, raw",
    approximation=None,
    per_100g=Nutrients(kcal=40),
    allergens=frozenset(),
    tags=frozenset(),
    unit_grams=MappingProxyType({"개": 150.0}),
)
REFERENCE = ReferencePriceSource(
    table_from_json(
        {
            "as_of": "2026-11-01",
            "currency": "KRW",
            "label_ko": "참고 가격(추정치)",
            "label_en": "reference estimate",
            "items": {"onion": {"price_krw": 4980, "package_grams": 1500, "package": "1.5kg"}},
            "categories": {"other": {"price_krw": 1000, "package_grams": 100, "package": "100g"}},
        }
    )
)
CATALOG = {
    "양파": [
        item("국산 <b>양파</b> 3kg 특품", 8900, "농협몰", "1001"),
        item("<b>양파</b> 1.5kg 망", 3900, "이마트몰", "1002"),
        item("무안 <b>양파</b> 10kg", 21000, "산지직송", "1003"),
        item("<b>양파</b> 모종 100개", 5000, "화원", "1004"),  # seedlings, not food
        item("<b>양파</b>즙 30포", 15000, "건강원", "1005"),  # juice
        item("<b>양파</b> 망 (크기 랜덤)", 2000, "시장", "1006"),  # no size in the title
        item("<b>양파</b> 3kg", 100, "잡화", "1007", category1="생활/건강"),  # not a food category
        item("<b>양파</b> 2kg", "", "품절몰", "1008"),  # sold out: no price
    ]
}


@pytest.fixture
def fake() -> Iterator[FakeNaver]:
    with running(FakeNaver(catalog=dict(CATALOG))) as server:  # a test may change its copy
        yield server


def client_for(fake: FakeNaver, timeout: float = 2.0, secret: str = CLIENT_SECRET) -> NaverShoppingClient:
    return NaverShoppingClient(CLIENT_ID, secret, base_url=fake.base_url, timeout=timeout)


def source_for(client: NaverShoppingClient | None) -> NaverPriceSource:
    return NaverPriceSource(client, REFERENCE, today=lambda: date(2026, 11, 22))


def test_search_sends_the_real_request_and_parses_items(fake: FakeNaver) -> None:
    items = client_for(fake).search("양파", display=8, sort="asc")
    sent = fake.requests[-1]
    assert sent["path"] == "/v1/search/shop.json"
    assert sent["params"] == {"query": "양파", "display": "8", "start": "1", "sort": "asc"}
    assert sent["headers"]["x-naver-client-id"] == CLIENT_ID
    assert sent["headers"]["x-naver-client-secret"] == CLIENT_SECRET
    assert [i.product_id for i in items] == ["1001", "1002", "1003", "1004", "1005", "1006", "1007"]
    first = items[0]
    assert first.title == "국산 양파 3kg 특품"
    assert first.raw_title.startswith("국산 <b>양파</b>")
    assert (first.lprice, first.hprice, first.mall_name) == (8900, None, "농협몰")
    assert first.categories == ("식품", "농산물", "채소", "양파")


def test_secrets_stay_out_of_repr_and_errors(fake: FakeNaver) -> None:
    client = client_for(fake, secret="wrong-secret")
    assert "wrong-secret" not in repr(client) and CLIENT_ID not in repr(client)
    with pytest.raises(ProviderError) as info:
        client.search("양파")
    assert info.value.code == "024"
    assert "wrong-secret" not in str(info.value)


@pytest.mark.parametrize(
    ("mode", "code"),
    [("quota", "429"), ("error_200", "SE99"), ("server_error", "http_500"), ("garbage", "bad_response")],
)
def test_error_answers_raise_named_provider_errors(fake: FakeNaver, mode: str, code: str) -> None:
    fake.mode = mode
    with pytest.raises(ProviderError) as info:
        client_for(fake).search("양파")
    assert info.value.code == code
    assert info.value.provider == "naver"


def test_timeout_is_a_provider_error(fake: FakeNaver) -> None:
    fake.mode = "slow"
    with pytest.raises(ProviderError) as info:
        client_for(fake, timeout=0.2).search("양파")
    assert info.value.code == "timeout"


def test_hang_up_and_refused_connection_are_network_errors(fake: FakeNaver) -> None:
    fake.mode = "drop"
    with pytest.raises(ProviderError) as info:
        client_for(fake).search("양파")
    assert info.value.code == "network"
    with socket.socket() as probe:  # a port nobody listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    closed = NaverShoppingClient(CLIENT_ID, CLIENT_SECRET, base_url=f"http://127.0.0.1:{port}", timeout=1)
    with pytest.raises(ProviderError) as info:
        closed.search("양파")
    assert info.value.code == "network"


def test_bad_arguments_are_refused_before_any_request(fake: FakeNaver) -> None:
    client = client_for(fake)
    for kwargs in ({"display": 0}, {"display": 101}, {"start": 0}, {"sort": "price"}):
        with pytest.raises(ValueError):
            client.search("양파", **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        client.search("  ")
    assert fake.requests == []


def test_server_side_validation_errors_surface(fake: FakeNaver) -> None:
    client = client_for(fake)
    object.__setattr__(
        client, "search_url", lambda *a, **k: f"{fake.base_url}/v1/search/shop.json?query=x&display=500"
    )
    with pytest.raises(ProviderError) as info:
        client.search("양파")
    assert info.value.code == "SE02"


def test_from_env_needs_both_keys() -> None:
    assert NaverShoppingClient.from_env({}) is None
    assert NaverShoppingClient.from_env({"NAVER_CLIENT_ID": "a"}) is None
    client = NaverShoppingClient.from_env(
        {"NAVER_CLIENT_ID": "a", "NAVER_CLIENT_SECRET": "b", "NAVER_API_BASE_URL": "http://127.0.0.1:1"}
    )
    assert client is not None
    assert client.search_url("양파").startswith("http://127.0.0.1:1/v1/search/shop.json?query=")


def test_price_source_keeps_food_listings_with_sizes_cheapest_per_100g_first(fake: FakeNaver) -> None:
    quotes = source_for(client_for(fake)).quotes(ONION)
    assert [q.product_id for q in quotes] == ["1003", "1002", "1001"]  # 210, 260, 297 원/100g
    best = quotes[0]
    assert (best.source, best.is_estimate, best.as_of) == ("naver", False, "2026-11-22")
    assert (best.price_krw, best.package_grams, best.package_label, best.vendor) == (
        21000,
        10000,
        "10kg",
        "산지직송",
    )
    assert best.link == "https://search.shopping.naver.com/catalog/1003"


def test_price_source_caches_per_ingredient(fake: FakeNaver) -> None:
    source = source_for(client_for(fake))
    assert source.quotes(ONION) == source.quotes(ONION)
    assert len(fake.requests) == 1


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("quota", "429"),
        ("error_200", "SE99"),
        ("server_error", "http_500"),
        ("garbage", "bad_response"),
        ("slow", "timeout"),
        ("drop", "network"),
        ("truncated", "network"),
    ],
)
def test_every_failure_ends_in_a_labelled_reference_price(fake: FakeNaver, mode: str, reason: str) -> None:
    fake.mode = mode
    quotes = source_for(client_for(fake, timeout=0.2)).quotes(ONION)
    assert len(quotes) == 1
    quote = quotes[0]
    assert (quote.source, quote.is_estimate, quote.price_krw, quote.as_of) == (
        "reference",
        True,
        4980,
        "2026-11-01",
    )
    assert reason in quote.note
    assert "참고 가격(추정치)" in quote.note


def test_quota_stops_asking_for_the_rest_of_the_session(fake: FakeNaver) -> None:
    fake.mode = "quota"
    source = source_for(client_for(fake))
    source.quotes(ONION)
    garlic = Ingredient(**{**ONION.__dict__, "key": "garlic", "name_ko": "마늘", "aliases": ()})
    assert source.quotes(garlic)[0].source == "reference"
    assert len(fake.requests) == 1


def test_transient_errors_do_not_stop_later_lookups(fake: FakeNaver) -> None:
    fake.mode = "error_200"
    source = source_for(client_for(fake))
    source.quotes(ONION)
    fake.mode = "ok"
    garlic = Ingredient(**{**ONION.__dict__, "key": "garlic", "name_ko": "마늘", "aliases": ()})
    source.quotes(garlic)
    assert len(fake.requests) == 2


def test_no_usable_listing_falls_back_with_reason(fake: FakeNaver) -> None:
    fake.catalog["양파"] = [item("<b>양파</b> 산지직송", 3000, "시장", "2001")]
    quote = source_for(client_for(fake)).quotes(ONION)[0]
    assert quote.source == "reference"
    assert "포장 단위" in quote.note


def test_without_keys_the_reference_price_says_so() -> None:
    quote = source_for(NaverShoppingClient.from_env({})).quotes(ONION)[0]
    assert quote.source == "reference" and quote.is_estimate
    assert "NAVER_CLIENT_ID" in quote.note


def test_live_prices_are_kept_for_the_next_session_within_the_ttl(fake: FakeNaver, tmp_path: Path) -> None:
    now = [1_000_000.0]
    cache = PriceCache(tmp_path / "live.sqlite", ttl=timedelta(hours=12), clock=lambda: now[0])
    first = NaverPriceSource(client_for(fake), REFERENCE, today=lambda: date(2026, 11, 22), cache=cache)
    live = first.quotes(ONION)
    assert live[0].source == "naver" and len(fake.requests) == 1
    # A second session (a new source, as a new process would build) asks Naver nothing.
    now[0] += 3 * 3600
    second = NaverPriceSource(client_for(fake), REFERENCE, today=lambda: date(2026, 11, 22), cache=cache)
    assert second.quotes(ONION) == live
    assert len(fake.requests) == 1
    # After the TTL the day's prices are fetched again.
    now[0] += 10 * 3600
    third = NaverPriceSource(client_for(fake), REFERENCE, today=lambda: date(2026, 11, 22), cache=cache)
    assert third.quotes(ONION)[0].source == "naver"
    assert len(fake.requests) == 2
    assert cache.purge() == 0


def test_a_fallback_is_not_kept_so_the_next_session_tries_again(fake: FakeNaver, tmp_path: Path) -> None:
    cache = PriceCache(tmp_path / "live.sqlite")
    fake.mode = "server_error"
    assert source_for_cached(fake, cache).quotes(ONION)[0].source == "reference"
    fake.mode = "ok"
    assert source_for_cached(fake, cache).quotes(ONION)[0].source == "naver"
    assert len(fake.requests) == 2


def test_live_offers_give_the_cheapest_covering_packages_of_one_shop(fake: FakeNaver) -> None:
    # 4 kg of onions: 산지직송 10 kg 21,000 vs 이마트몰 3 × 1.5 kg 11,700 vs 농협몰 2 × 3 kg 17,800.
    plan = build_plan([(ONION, 4000)], source_for(client_for(fake)), servings=2, shipping_fee=0)
    item = plan.items[0]
    assert (item.quote.vendor, item.packages, item.purchase_cost) == ("이마트몰", 3, 11700)
    assert item.purchase.leftover_grams == 500


def source_for_cached(fake: FakeNaver, cache: PriceCache) -> NaverPriceSource:
    return NaverPriceSource(client_for(fake), REFERENCE, today=lambda: date(2026, 11, 22), cache=cache)
