"""An AWS JSON 1.0 endpoint over asl: boto3 and the AWS CLI drive Step Functions and DynamoDB locally.

>>> from asl.server import BackgroundServer, create_app
>>> with BackgroundServer(create_app("/tmp/asl-data")) as server:  # doctest: +SKIP
...     boto3.client("stepfunctions", endpoint_url=server.url).list_state_machines()
"""

from __future__ import annotations

from asl.server.app import Endpoint, create_app, default_data_dir
from asl.server.running import BackgroundServer, serve

__all__ = ["BackgroundServer", "Endpoint", "create_app", "default_data_dir", "serve"]
