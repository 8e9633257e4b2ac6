"""The durable runtime: Step Functions' execution API over an :class:`~asl.store.ExecutionStore`.

STANDARD executions write every history event to the store (group-committed) and a new
process resumes the ones that were running by replaying their events: recorded task
results are handed back instead of running the task again. EXPRESS executions stay in
memory. Method names follow the AWS API in snake_case; answers are shaped as boto3's.

What a STANDARD execution is promised, as on AWS:

* each state transition happens once: a replay hands back recorded events and never
  records them twice; Wait states and task timeouts keep their deadlines (they count from
  recorded timestamps); a stored heartbeat keeps HeartbeatSeconds counting from it;
* a task runs at least once: one whose result was recorded is not run again, one that was
  started but whose result was not recorded when the process died is run again, so task
  handlers should be idempotent (AWS documents the same for Standard workflows);
* what the API acknowledges is on disk: StartExecution, SendTask*, GetActivityTask,
  StopExecution and RedriveExecution return after the group commit holding their writes.
  Commits survive the process being killed (SQLite WAL, ``synchronous=NORMAL``); with
  ``ExecutionStore(..., synchronous="FULL")`` or ``ASL_SYNCHRONOUS=FULL`` a power cut too.

A DISTRIBUTED Map's iterations are child executions whose events the parent's history does
not show (only ``MapRun*``, as on AWS): each finished one is kept beside the history
(:mod:`asl.runtime.map_runs`), so a resumed or redriven Map runs only the iterations that
had not finished (a tolerated failure counts as finished). Not kept across restarts: tasks of
activities no worker had taken (they are queued again, which is harmless).

>>> runtime = Runtime(ExecutionStore("executions.sqlite"), handlers={...})  # doctest: +SKIP
>>> arn = runtime.create_state_machine("Orders", definition)["stateMachineArn"]  # doctest: +SKIP
>>> await runtime.resume()  # doctest: +SKIP
>>> started = await runtime.start_execution(arn, input='{"id": 1}', name="order-1")  # doctest: +SKIP
>>> await runtime.wait(started["executionArn"])  # doctest: +SKIP
>>> await runtime.close()  # doctest: +SKIP
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from asl.execution.activities import Activities
from asl.execution.callbacks import TaskTokens
from asl.execution.clock import Clock, RealClock
from asl.integrations.lambda_ import DEFAULT_ACCOUNT, DEFAULT_REGION
from asl.integrations.outbox import Outbox
from asl.integrations.stepfunctions import NestedExecutions
from asl.mocks import MockConfig, load_mock_config
from asl.runtime.api_activities import ActivityService
from asl.runtime.api_callbacks import Callbacks
from asl.runtime.api_errors import (
    MAX_TAGS,
    InvalidArn,
    ResourceNotFound,
    StateMachineDoesNotExist,
    TooManyTags,
    ValidationException,
)
from asl.runtime.api_executions import Executions
from asl.runtime.api_machines import Machines
from asl.runtime.interpreter import StateMachine
from asl.runtime.teststate import run_test_state
from asl.runtime.teststate_request import parse_request
from asl.runtime.versions import Versions, split_arn
from asl.store.executions import ExecutionStore

__all__ = ["RETENTION", "Runtime"]

#: how long AWS keeps a closed execution (and its history)
RETENTION = timedelta(days=90)


class Runtime:
    """State machines and their executions, durable on SQLite (STANDARD) or in memory (EXPRESS).

    ``store`` defaults to the file beside the local tables (``ExecutionStore(":memory:")``
    for tests). ``handlers``, ``resources``, ``integrations``, ``tables``, ``region`` ... are
    StateMachine options for machines made with :meth:`create_state_machine`;
    :meth:`register` adds a machine built elsewhere, with its own handlers. ``mock_config``
    is a Step Functions Local mock file (or its contents); ``lambda_endpoint`` a server of the
    Lambda Invoke API for functions no handler serves; :attr:`outbox` keeps what the machines'
    local ``sns:publish``, ``sqs:sendMessage`` and ``events:putEvents`` sent; ``routing`` picks
    the version an alias routes an execution to (a seeded ``random.Random`` in tests). Use the
    runtime from one event loop, and :meth:`close` it: what was not yet committed is otherwise
    replayed on resume.

    The runtime is made of five parts, each owning its state: :attr:`machines`
    (:class:`~asl.runtime.api_machines.Machines`), :attr:`versions` (their versions and aliases,
    :class:`~asl.runtime.versions.Versions`), :attr:`executions`
    (:class:`~asl.runtime.api_executions.Executions`), :attr:`callbacks` (task tokens) and
    :attr:`activity_service` (activities). Its methods are the AWS API, answered by them.
    """

    def __init__(
        self,
        store: ExecutionStore | None = None,
        *,
        clock: Clock | None = None,
        mock_config: MockConfig | Mapping[str, Any] | str | Path | None = None,
        routing: random.Random | None = None,
        **machine_options: Any,
    ) -> None:
        self.store = store if store is not None else ExecutionStore()
        self.clock: Clock = clock or RealClock()
        self.machine_options = machine_options
        self.region = str(machine_options.get("region", DEFAULT_REGION))
        self.account = str(machine_options.get("account", DEFAULT_ACCOUNT))
        self.mocks = load_mock_config(mock_config)
        # what the machines' local sns/sqs/events stand-ins sent (one outbox for all of them)
        self.outbox: Outbox = machine_options.setdefault("outbox", Outbox())
        self.callbacks = Callbacks(self.store, self.clock)
        self.activity_service = ActivityService(self.store, self.clock, self.region, self.account)
        self.machines = Machines(
            self.store, self.clock, machine_options, self.callbacks.tokens, self.activity_service.activities
        )
        self.versions = Versions(self.store, self.clock, self.machines, routing)
        self.executions = Executions(self.store, self.clock, self.machines, self.mocks, self.versions)
        # states:startExecution tasks start their children here (nested executions)
        self.machines.jobs["states"] = NestedExecutions(self)

    @property
    def tokens(self) -> TaskTokens:
        """The task tokens the runtime's machines hand out (see :attr:`callbacks`)."""
        return self.callbacks.tokens

    @property
    def activities(self) -> Activities:
        """The activities' queued tasks and waiting workers (see :attr:`activity_service`)."""
        return self.activity_service.activities

    # --- state machines --------------------------------------------------------------------------

    def register(self, machine: StateMachine) -> str:
        """Serve a machine built elsewhere (its handlers, clock, integrations); returns its ARN."""
        return self.machines.register(machine)

    def create_state_machine(
        self,
        name: str,
        definition: Mapping[str, Any] | str | Path,
        type: str = "STANDARD",
        *,
        publish: bool = False,
        version_description: str | None = None,
        **options: Any,
    ) -> dict[str, Any]:
        """CreateStateMachine; creating it again with another definition makes a new revision.
        ``publish`` also publishes a version of it (answered as ``stateMachineVersionArn``)."""
        if version_description is not None and not publish:
            raise ValidationException("versionDescription can only be set when publish is true")
        created = self.machines.create_state_machine(name, definition, type, **options)
        if publish:
            published = self.versions.publish(created["stateMachineArn"], version_description)
            created["stateMachineVersionArn"] = published["stateMachineVersionArn"]
        return created

    def describe_state_machine(self, state_machine_arn: str) -> dict[str, Any]:
        """DescribeStateMachine; of a version ARN, that version (with its ``description``)."""
        qualifier = split_arn(state_machine_arn)[1] if ":stateMachine:" in str(state_machine_arn) else None
        if qualifier is not None and qualifier.isdigit():
            return self.versions.describe_version(state_machine_arn)
        if qualifier is not None:
            raise InvalidArn(
                f"Invalid Arn: '{state_machine_arn}': DescribeStateMachine takes a state machine or "
                "version ARN; describe an alias with DescribeStateMachineAlias"
            )
        return self.machines.describe_state_machine(state_machine_arn)

    def list_state_machines(self) -> dict[str, Any]:
        """ListStateMachines: a machine being deleted is listed until it is gone, as on AWS."""
        return self.machines.list_state_machines()

    def configure_state_machine(self, state_machine_arn: str, **config: Any) -> dict[str, Any]:
        """Keep a machine's ``logging`` and ``tracing`` configuration and ``tags``; ``updated=True``
        gives it a new revision id (see :meth:`~asl.runtime.api_machines.Machines.configure`)."""
        return self.machines.configure(state_machine_arn, **config)

    # --- versions and aliases ----------------------------------------------------------------------

    def publish_state_machine_version(
        self, state_machine_arn: str, description: str | None = None, revision_id: str | None = None
    ) -> dict[str, Any]:
        """PublishStateMachineVersion (idempotent for an unchanged revision, as on AWS)."""
        return self.versions.publish(state_machine_arn, description, revision_id)

    def list_state_machine_versions(
        self, state_machine_arn: str, max_results: int | None = None, next_token: str | None = None
    ) -> dict[str, Any]:
        """ListStateMachineVersions, newest first."""
        return self.versions.list_versions(state_machine_arn, max_results, next_token)

    def delete_state_machine_version(self, state_machine_version_arn: str) -> dict[str, Any]:
        """DeleteStateMachineVersion (ConflictException while an alias routes to it)."""
        return self.versions.delete_version(state_machine_version_arn)

    def create_state_machine_alias(
        self, name: str, routing_configuration: list[Mapping[str, Any]], description: str | None = None
    ) -> dict[str, Any]:
        """CreateStateMachineAlias: ``[{"stateMachineVersionArn": ..., "weight": 100}]``."""
        return self.versions.create_alias(name, routing_configuration, description)

    def describe_state_machine_alias(self, state_machine_alias_arn: str) -> dict[str, Any]:
        """DescribeStateMachineAlias."""
        return self.versions.describe_alias(state_machine_alias_arn)

    def update_state_machine_alias(
        self,
        state_machine_alias_arn: str,
        description: str | None = None,
        routing_configuration: list[Mapping[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """UpdateStateMachineAlias."""
        return self.versions.update_alias(state_machine_alias_arn, description, routing_configuration)

    def delete_state_machine_alias(self, state_machine_alias_arn: str) -> dict[str, Any]:
        """DeleteStateMachineAlias."""
        return self.versions.delete_alias(state_machine_alias_arn)

    def list_state_machine_aliases(
        self, state_machine_arn: str, max_results: int | None = None, next_token: str | None = None
    ) -> dict[str, Any]:
        """ListStateMachineAliases of a machine (or of one of its versions)."""
        return self.versions.list_aliases(state_machine_arn, max_results, next_token)

    # --- tags ------------------------------------------------------------------------------------

    def tag_resource(self, resource_arn: str, tags: list[dict[str, str]]) -> dict[str, Any]:
        """TagResource: add or replace a state machine's or an activity's tags (at most 50, as on AWS)."""
        current = self._tags_of(resource_arn)
        current.update({tag["key"]: tag.get("value", "") for tag in tags})
        if len(current) > MAX_TAGS:
            raise TooManyTags(f"Too many tags: a resource has at most {MAX_TAGS} tags: '{resource_arn}'")
        self._set_tags(resource_arn, current)
        return {}

    def untag_resource(self, resource_arn: str, tag_keys: list[str]) -> dict[str, Any]:
        """UntagResource: remove the tags with these keys (keys it does not have are ignored)."""
        current = self._tags_of(resource_arn)
        self._set_tags(resource_arn, {k: v for k, v in current.items() if k not in tag_keys})
        return {}

    def list_tags_for_resource(self, resource_arn: str) -> dict[str, Any]:
        """ListTagsForResource: ``{"tags": [{"key": ..., "value": ...}]}``."""
        return {"tags": [{"key": k, "value": v} for k, v in self._tags_of(resource_arn).items()]}

    def _tags_of(self, resource_arn: str) -> dict[str, str]:
        """A state machine's or an activity's tags."""
        if ":activity:" in resource_arn:
            tags = self.store.activity_tags(resource_arn)
            if tags is None:
                raise ResourceNotFound(f"Resource not found: '{resource_arn}'")
            return tags
        try:
            return self.machines.tags(resource_arn)
        except StateMachineDoesNotExist:
            raise ResourceNotFound(f"Resource not found: '{resource_arn}'") from None

    def _set_tags(self, resource_arn: str, tags: dict[str, str]) -> None:
        if ":activity:" in resource_arn:
            self.store.set_activity_tags(resource_arn, tags)
        else:
            self.machines.configure(resource_arn, tags=tags)

    def delete_state_machine(self, state_machine_arn: str) -> dict[str, Any]:
        """DeleteStateMachine: ``{}``, also for a machine that does not exist or is already going.

        >>> runtime.delete_state_machine(arn)  # doctest: +SKIP
        {}
        """
        return self.executions.delete_state_machine(state_machine_arn)

    # --- executions ------------------------------------------------------------------------------

    async def start_execution(
        self, state_machine_arn: str, input: Any = "{}", name: str | None = None
    ) -> dict[str, Any]:
        """StartExecution: ``input`` is JSON text (or a value); ``<arn>#<TestCase>`` uses a mock test case."""
        return await self.executions.start_execution(state_machine_arn, input, name)

    async def start_sync_execution(
        self, state_machine_arn: str, input: Any = "{}", name: str | None = None
    ) -> dict[str, Any]:
        """StartSyncExecution (EXPRESS machines): run to the end and describe the result."""
        return await self.executions.start_sync_execution(state_machine_arn, input, name)

    async def resume(self) -> list[str]:
        """Resume the running STANDARD executions of the machines served here; returns their ARNs.

        Create or register the machines first: executions of machines this runtime does not
        serve stay RUNNING in the store for a runtime that does. Returns once each resumed
        execution has replayed its recorded events (or ended).
        """
        return await self.executions.resume()

    async def stop_execution(
        self, execution_arn: str, error: str | None = None, cause: str | None = None
    ) -> dict[str, Any]:
        """StopExecution: the execution ends ABORTED; running branches and tasks are stopped."""
        return await self.executions.stop_execution(execution_arn, error, cause)

    async def redrive_execution(self, execution_arn: str) -> dict[str, Any]:
        """RedriveExecution: rerun only what failed, timed out or was stopped, from where it did."""
        return await self.executions.redrive_execution(execution_arn)

    def describe_execution(self, execution_arn: str) -> dict[str, Any]:
        """DescribeExecution."""
        return self.executions.describe_execution(execution_arn)

    async def wait(self, execution_arn: str) -> dict[str, Any]:
        """Wait until an execution running here ends and its end is on disk; then describe it."""
        return await self.executions.wait(execution_arn)

    def list_executions(
        self,
        state_machine_arn: str | None = None,
        status_filter: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
        redrive_filter: str | None = None,
        map_run_arn: str | None = None,
    ) -> dict[str, Any]:
        """ListExecutions, newest first; ``status_filter`` and ``redrive_filter`` (REDRIVEN or
        NOT_REDRIVEN) narrow it down; ``map_run_arn`` instead of a machine lists a Map Run's
        child executions."""
        return self.executions.list_executions(
            state_machine_arn, status_filter, max_results, next_token, redrive_filter, map_run_arn
        )

    # --- Map Runs (DISTRIBUTED Map states) --------------------------------------------------------

    def list_map_runs(
        self, execution_arn: str, max_results: int | None = None, next_token: str | None = None
    ) -> dict[str, Any]:
        """ListMapRuns: the Map Runs an execution's DISTRIBUTED Maps started, newest first.

        >>> runtime.list_map_runs(execution_arn)["mapRuns"][0]["mapRunArn"]  # doctest: +SKIP
        'arn:aws:states:us-east-1:123456789012:mapRun:Orders/Each:0f6c...'
        """
        return self.executions.list_map_runs(execution_arn, max_results, next_token)

    def describe_map_run(self, map_run_arn: str) -> dict[str, Any]:
        """DescribeMapRun: status, dates, settings, and item and child-execution counts."""
        return self.executions.map_runs.describe_map_run(map_run_arn)

    async def update_map_run(
        self,
        map_run_arn: str,
        max_concurrency: int | None = None,
        tolerated_failure_percentage: float | None = None,
        tolerated_failure_count: int | None = None,
    ) -> dict[str, Any]:
        """UpdateMapRun: a running Map Run takes the new limit and failure threshold at once."""
        return await self.executions.map_runs.update_map_run(
            map_run_arn, max_concurrency, tolerated_failure_percentage, tolerated_failure_count
        )

    def get_execution_history(
        self,
        execution_arn: str,
        max_results: int | None = None,
        reverse_order: bool = False,
        next_token: str | None = None,
        include_execution_data: bool = True,
    ) -> dict[str, Any]:
        """GetExecutionHistory (not for EXPRESS executions, as on AWS)."""
        return self.executions.get_execution_history(
            execution_arn, max_results, reverse_order, next_token, include_execution_data
        )

    # --- task tokens -----------------------------------------------------------------------------

    async def send_task_success(self, task_token: str, output: str) -> dict[str, Any]:
        """SendTaskSuccess: ``output`` is JSON text; returns once the result is durable."""
        return await self.callbacks.send_task_success(task_token, output)

    async def send_task_failure(
        self, task_token: str, error: str | None = None, cause: str | None = None
    ) -> dict[str, Any]:
        """SendTaskFailure: the task fails with ``error`` (Retry and Catch see it)."""
        return await self.callbacks.send_task_failure(task_token, error, cause)

    async def send_task_heartbeat(self, task_token: str) -> dict[str, Any]:
        """SendTaskHeartbeat: the task's HeartbeatSeconds count again from now."""
        return await self.callbacks.send_task_heartbeat(task_token)

    # --- activities ------------------------------------------------------------------------------

    def create_activity(self, name: str) -> dict[str, Any]:
        """CreateActivity (idempotent for the same name)."""
        return self.activity_service.create_activity(name)

    def describe_activity(self, activity_arn: str) -> dict[str, Any]:
        """DescribeActivity."""
        return self.activity_service.describe_activity(activity_arn)

    def list_activities(self) -> dict[str, Any]:
        """ListActivities, by name."""
        return self.activity_service.list_activities()

    def delete_activity(self, activity_arn: str) -> dict[str, Any]:
        """DeleteActivity."""
        return self.activity_service.delete_activity(activity_arn)

    async def get_activity_task(
        self, activity_arn: str, worker_name: str | None = None, wait_seconds: float = 60.0
    ) -> dict[str, Any]:
        """GetActivityTask: long-polls up to ``wait_seconds`` (AWS: 60); ``{}`` when none came."""
        return await self.activity_service.get_activity_task(activity_arn, worker_name, wait_seconds)

    # --- TestState --------------------------------------------------------------------------------

    async def test_state(
        self,
        definition: Mapping[str, Any] | str,
        input: Any = None,
        *,
        inspection_level: str | None = None,
        reveal_secrets: bool = False,
        variables: Mapping[str, Any] | str | None = None,
        state_name: str | None = None,
        mock: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | str | None = None,
        state_configuration: Mapping[str, Any] | None = None,
        role_arn: str | None = None,
    ) -> dict[str, Any]:
        """TestState: run one state once (a Task with this runtime's handlers, unless ``mock``
        answers for it) and answer as AWS does (``status``, ``output``, ``error``, ``cause``,
        ``nextState``, ``inspectionData``). Arguments are the API's, in snake case; JSON
        fields may be given as text or as values. See :mod:`asl.runtime.teststate`.

        >>> await runtime.test_state({"Type": "Pass", "Result": 1, "Next": "B"})  # doctest: +SKIP
        {'status': 'SUCCEEDED', 'output': '1', 'nextState': 'B'}
        """
        request = parse_request(
            definition,
            input=input,
            inspection_level=inspection_level,
            reveal_secrets=reveal_secrets,
            variables=variables,
            state_name=state_name,
            mock=mock,
            context=context,
            state_configuration=state_configuration,
            role_arn=role_arn,
        )
        return await run_test_state(request, self.machine_options)

    # --- keeping and shutting down ---------------------------------------------------------------

    def purge(self, retention: timedelta = RETENTION) -> int:
        """Delete the executions that closed more than ``retention`` ago, with their history, and
        give the store's space back; returns how many. AWS keeps a closed execution 90 days.

        >>> runtime.purge(timedelta(days=7))  # doctest: +SKIP
        12
        """
        return self.store.purge(self.clock.now() - retention)

    async def close(self) -> None:
        """Stop driving executions (they stay RUNNING in the store) and close the store."""
        await self.executions.close()
        self.store.close()
