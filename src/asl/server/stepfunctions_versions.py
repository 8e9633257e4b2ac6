"""Step Functions versions and aliases over the wire: one function per action, each a call to
:class:`asl.Runtime` (see :mod:`asl.runtime.versions` for what they do and the AWS rules kept)."""

from __future__ import annotations

from typing import Any

from asl.server._service import Backend, Operation

__all__ = ["VERSION_OPERATIONS"]


async def publish_state_machine_version(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    return backend.runtime.publish_state_machine_version(
        params["stateMachineArn"], description=params.get("description"), revision_id=params.get("revisionId")
    )


async def list_state_machine_versions(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    return backend.runtime.list_state_machine_versions(
        params["stateMachineArn"], max_results=params.get("maxResults"), next_token=params.get("nextToken")
    )


async def delete_state_machine_version(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    return backend.runtime.delete_state_machine_version(params["stateMachineVersionArn"])


async def create_state_machine_alias(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    return backend.runtime.create_state_machine_alias(
        params["name"], params["routingConfiguration"], description=params.get("description")
    )


async def describe_state_machine_alias(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    return backend.runtime.describe_state_machine_alias(params["stateMachineAliasArn"])


async def update_state_machine_alias(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    return backend.runtime.update_state_machine_alias(
        params["stateMachineAliasArn"],
        description=params.get("description"),
        routing_configuration=params.get("routingConfiguration"),
    )


async def delete_state_machine_alias(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    return backend.runtime.delete_state_machine_alias(params["stateMachineAliasArn"])


async def list_state_machine_aliases(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    return backend.runtime.list_state_machine_aliases(
        params["stateMachineArn"], max_results=params.get("maxResults"), next_token=params.get("nextToken")
    )


VERSION_OPERATIONS: dict[str, Operation] = {
    "CreateStateMachineAlias": create_state_machine_alias,
    "DeleteStateMachineAlias": delete_state_machine_alias,
    "DeleteStateMachineVersion": delete_state_machine_version,
    "DescribeStateMachineAlias": describe_state_machine_alias,
    "ListStateMachineAliases": list_state_machine_aliases,
    "ListStateMachineVersions": list_state_machine_versions,
    "PublishStateMachineVersion": publish_state_machine_version,
    "UpdateStateMachineAlias": update_state_machine_alias,
}
