"""The recipe workflow on the local runtime: every branch of the definition, run for real."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import Any

import pytest

from aichef.handlers import local_handlers
from aichef.sessions import create_session
from aichef.tables import sessions_table, use_store
from aichef.workflows import load_definition, local_substitutions
from asl import StateMachine, iter_errors
from asl.dynamodb import TableStore

KETO = {
    "sessionId": "s-keto",
    "profile": {"target": "keto", "allergies": ["nuts"], "budget": 30000, "servings": 2},
}


def _machine(store: TableStore, **replace: Any) -> StateMachine:
    handlers = local_handlers()
    handlers.update(replace)
    return StateMachine(
        load_definition(), handlers, local_substitutions(), name="aichef-recipe", tables=store
    )


def _run(body: dict[str, Any], **replace: Any) -> tuple[Any, dict[str, Any], TableStore]:
    store = TableStore(":memory:")
    use_store(store)
    from aichef.models import parse_session

    try:
        create_session(sessions_table(), parse_session(body))
    except Exception:  # an invalid body has no session to create; the workflow must still cope
        sessions_table().put_item(Item={"sessionId": body.get("sessionId", "bad"), "status": "processing"})
    execution = _machine(store, **replace).run(body, name=str(body.get("sessionId", "bad")))
    item = sessions_table().get_item(Key={"sessionId": body.get("sessionId", "bad")})["Item"]
    return execution, item, store


def _updates(execution: Any) -> list[tuple[str, int]]:
    """The (phase, progress) pairs the workflow wrote, in order."""
    out = []
    for event in execution.history:
        details = event.get("taskScheduledEventDetails")
        if details and details["resource"] == "updateItem":
            values = json.loads(details["parameters"])["ExpressionAttributeValues"]
            out.append((values[":phase"]["S"], int(values[":progress"]["N"])))
    return out


def test_the_definition_validates_and_keeps_its_placeholders() -> None:
    definition = load_definition()
    assert list(iter_errors(definition)) == []
    text = json.dumps(definition)
    for name in (
        "${ValidatorFunction}",
        "${RecipeFunction}",
        "${PriceFunction}",
        "${SessionsTable}",
        "${ResultsTable}",
    ):
        assert name in text


def test_happy_path_reports_progress_saves_the_result_for_seven_days() -> None:
    execution, item, store = _run(KETO)
    assert execution.status == "SUCCEEDED", execution.cause
    assert item["status"] == "completed" and item["progress"] == 100 and "notifiedAt" in item
    assert _updates(execution) == [
        ("recipe_generation", 10),
        ("recipe_completed", 50),
        ("price_lookup", 60),
        ("price_completed", 80),
        ("combining_results", 90),
        ("finished", 100),
    ]
    saved = store.table("aichef-results").get_item(Key={"sessionId": "s-keto"})["Item"]
    result = json.loads(saved["result"])
    generated = datetime.fromisoformat(result["generatedAt"].replace("Z", "+00:00"))
    assert int(saved["expiresAt"]) == int(generated.timestamp()) + 7 * 86400
    # the execution's output points at the stored result instead of carrying it
    assert execution.output == {
        "sessionId": "s-keto",
        "summary": result["summary"],
        "result": {"table": "aichef-results", "savedAt": saved["createdAt"]},
    }
    assert set(result) >= {
        "sessionId",
        "recipe",
        "pricing",
        "summary",
        "nutrition",
        "compliance",
        "generatedAt",
        "version",
    }
    assert result["summary"]["totalCost"] == result["pricing"]["totalEstimatedCost"] > 0
    types = [e["type"] for e in execution.history]
    assert types.count("MapIterationStarted") == len(result["pricing"]["items"]) >= 1


def test_every_state_of_the_success_path_is_visited() -> None:
    execution, _, _ = _run(KETO)
    entered = {
        e["stateEnteredEventDetails"]["name"] for e in execution.history if "stateEnteredEventDetails" in e
    }
    failure_states = {
        "HandleValidationError",
        "ValidationFailed",
        "HandleRecipeError",
        "RecipeFailed",
        "HandleFailure",
        "SessionFailed",
        "ReferencePrice",
    }
    assert entered == set(load_definition()["States"]) - failure_states | {"FetchPrice"}


def test_invalid_input_fails_the_session_through_handle_validation_error() -> None:
    body = {"sessionId": "s-bad", "profile": {"target": "ketoo", "servings": 2}}
    execution, item, _ = _run(body)
    assert execution.status == "FAILED" and execution.error == "InvalidInput"
    assert item["status"] == "failed" and item["phase"] == "finished"
    error = json.loads(item["error"])
    assert error["Error"] == "InvalidInput"
    assert "profile.target" in json.loads(error["Cause"])["errorMessage"]


def test_a_recipe_no_profile_can_have_fails_the_session_naming_the_constraint() -> None:
    body = {
        "sessionId": "s-none",
        "profile": {"target": "diet", "servings": 2},
        "constraints": {"maxCookingTime": 1},
    }
    execution, item, _ = _run(body)
    assert execution.error == "RecipeFailed"
    assert item["phase"] == "finished"
    message = json.loads(json.loads(item["error"])["Cause"])["errorMessage"]
    assert "최대 조리 시간" in message  # the constraint, named as the profile's language names it


def test_a_failed_price_lookup_falls_back_to_a_labelled_reference_price() -> None:
    real_price = local_handlers()["aichef-price"]

    def flaky_price(event: dict[str, Any], context: Any) -> Any:
        if event.get("mode") == "live":
            raise TimeoutError("shopping search did not answer")
        return real_price(event, context)

    execution, item, store = _run(KETO, **{"aichef-price": flaky_price})
    assert execution.status == "SUCCEEDED" and item["status"] == "completed"
    saved = store.table("aichef-results").get_item(Key={"sessionId": "s-keto"})["Item"]
    items = json.loads(saved["result"])["pricing"]["items"]
    assert items and all(i["isEstimate"] and "TimeoutError" in i["note"] for i in items)


def test_throttled_lambda_is_retried_and_a_failed_notification_does_not_fail_the_session() -> None:
    real_recipe = local_handlers()["aichef-recipe"]
    calls = {"n": 0}

    class TooManyRequestsException(Exception):
        pass

    def throttled_once(event: dict[str, Any], context: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise TooManyRequestsException("Rate exceeded")
        return real_recipe(event, context)

    def broken_notification(event: dict[str, Any], context: Any) -> Any:
        raise ConnectionError("notification service down")

    # Lambda reports throttling as Lambda.TooManyRequestsException; the runtime names errors by class
    throttled_once.__name__ = "throttled_once"
    definition = load_definition()
    definition["States"]["GenerateRecipe"]["Retry"][0]["ErrorEquals"].append("TooManyRequestsException")
    store = TableStore(":memory:")
    use_store(store)
    from aichef.models import parse_session

    create_session(sessions_table(), parse_session(KETO))
    handlers = local_handlers()
    handlers.update({"aichef-recipe": throttled_once, "aichef-notification": broken_notification})
    from asl import VirtualClock

    machine = StateMachine(definition, handlers, local_substitutions(), tables=store, clock=VirtualClock())
    execution = machine.run(KETO, name="s-keto")
    assert calls["n"] == 2
    assert execution.status == "SUCCEEDED"
    assert sessions_table().get_item(Key={"sessionId": "s-keto"})["Item"]["status"] == "completed"


def test_price_iterations_run_concurrently() -> None:
    body = {"sessionId": "s-many", "profile": {"target": "diet", "servings": 4}}
    execution, _, _ = _run(body)
    assert execution.status == "SUCCEEDED"
    types = [e["type"] for e in execution.history if e["type"].startswith("MapIteration")]
    # with MaxConcurrency 5 a second iteration starts before the first has finished
    assert types[:2] == ["MapIterationStarted", "MapIterationStarted"]


@pytest.mark.parametrize("target", ["keto", "diabetes", "diet"])
def test_kitchen_runs_a_session_to_completion(target: str) -> None:
    from aichef.service import Kitchen

    async def cook() -> tuple[dict[str, Any], list[dict[str, Any]], Any]:
        kitchen = Kitchen(in_memory=True)
        session = await kitchen.start_session({"profile": {"target": target, "servings": 2}})
        seen = [s async for s in kitchen.subscribe(session["sessionId"])]
        result = kitchen.get_result(session["sessionId"])
        await kitchen.close()
        return session, seen, result

    session, seen, result = asyncio.run(cook())
    assert session["status"] == "processing"
    assert seen[-1]["status"] == "completed" and seen[-1]["progress"] == 100
    progress = [s["progress"] for s in seen]
    assert progress == sorted(progress)
    assert result is not None and result["target"] == target
