"""aichef.secrets: Naver keys from the environment, else fetched once from the secret it names."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from aichef import secrets
from aichef.errors import ProviderError
from aichef.providers.naver import NaverShoppingClient


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    secrets.clear_cache()
    yield
    secrets.clear_cache()


class FakeSecretsManager:
    def __init__(self, value: str) -> None:
        self.value = value
        self.calls: list[str] = []

    def __call__(self, secret_id: str) -> str:
        self.calls.append(secret_id)
        return self.value


def test_environment_keys_win_and_nothing_is_fetched() -> None:
    fetch = FakeSecretsManager("{}")
    env = {"NAVER_CLIENT_ID": "id", "NAVER_CLIENT_SECRET": "s", "AICHEF_NAVER_SECRET_ID": "aichef/naver"}
    assert secrets.naver_keys(env, fetch) == ("id", "s")
    assert fetch.calls == []


def test_secret_is_fetched_once_and_kept() -> None:
    fetch = FakeSecretsManager(json.dumps({"NAVER_CLIENT_ID": "cid", "NAVER_CLIENT_SECRET": "csecret"}))
    env = {"AICHEF_NAVER_SECRET_ID": "aichef/naver"}
    assert secrets.naver_keys(env, fetch) == ("cid", "csecret")
    assert secrets.naver_keys(env, fetch) == ("cid", "csecret")
    assert fetch.calls == ["aichef/naver"]
    assert secrets.naver_configured(env) and not secrets.naver_configured({})


@pytest.mark.parametrize("value", ["not json", "[1, 2]", json.dumps({"NAVER_CLIENT_ID": "only-id"})])
def test_a_malformed_secret_is_named_without_its_value(value: str) -> None:
    with pytest.raises(ProviderError) as caught:
        secrets.naver_keys({"AICHEF_NAVER_SECRET_ID": "aichef/naver"}, FakeSecretsManager(value))
    assert "aichef/naver" in str(caught.value) and "AICHEF_NAVER_SECRET_ID" in str(caught.value)
    assert "only-id" not in str(caught.value)


def test_no_keys_and_no_secret_means_no_live_prices() -> None:
    assert secrets.naver_keys({}) is None
    assert NaverShoppingClient.from_env({}) is None


def test_the_secret_reaches_the_client_through_secrets_manager_on_moto(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The real GetSecretValue call, against moto standing in for Secrets Manager."""
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-northeast-2")
    with moto.mock_aws():
        boto3.client("secretsmanager").create_secret(
            Name="aichef/naver",
            SecretString=json.dumps({"NAVER_CLIENT_ID": "cid", "NAVER_CLIENT_SECRET": "csecret"}),
        )
        client = NaverShoppingClient.from_env({"AICHEF_NAVER_SECRET_ID": "aichef/naver"})
    assert client is not None
    assert (client.client_id, client.client_secret) == ("cid", "csecret")
    assert "csecret" not in repr(client)
