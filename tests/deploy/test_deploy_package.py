"""The Lambda package deploy/build.py makes: every handler imports from it alone, without the web stack."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from deploy_support import TEMPLATE, build_module, load_template

build = build_module()

# Imported by the local web server or the tests only; the Lambda package must do without them.
FORBIDDEN = ("fastapi", "uvicorn", "starlette", "playwright", "websockets", "httpx", "anthropic")

# Runs with -S (no site-packages, no editable install): the package first, then the installed
# third-party libraries standing in for what pip install --target puts beside it, the forbidden ones
# blocked so that an import of them fails here as it would on Lambda.
_PROBE = """
import importlib, importlib.abc, json, sys
package, site, modules, forbidden = sys.argv[1:5]
modules, forbidden = modules.split(","), set(forbidden.split(","))
sys.path[:0] = [package, site]

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in forbidden:
            raise ImportError(f"{name} is not in the Lambda package")
        return None

sys.meta_path.insert(0, Block())
for name in modules:
    assert callable(importlib.import_module("aichef.handlers." + name).handler)
import aichef, asl
print(json.dumps({"aichef": aichef.__file__, "asl": asl.__file__,
                  "forbidden": sorted(m for m in sys.modules if m.split(".")[0] in forbidden)}))
"""


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out: Path = build.build(tmp_path_factory.mktemp("lambda") / "package", dependencies=False)
    return out


def _probe(package: Path, modules: list[str]) -> subprocess.CompletedProcess[str]:
    site = sysconfig.get_paths()["purelib"]
    args = [str(package), site, ",".join(modules), ",".join(FORBIDDEN)]
    return subprocess.run(
        [sys.executable, "-S", "-c", _PROBE, *args], capture_output=True, text=True, check=False
    )


def test_package_holds_both_packages_without_the_web_server(package: Path) -> None:
    assert (package / "aichef" / "handlers" / "api.py").is_file()
    assert (package / "aichef" / "workflows" / "recipe.asl.json").is_file()
    assert (package / "asl" / "__init__.py").is_file()
    assert not (package / "aichef" / "web").exists()
    assert not list(package.rglob("__pycache__"))


def test_every_handler_imports_from_the_package_alone(package: Path) -> None:
    done = _probe(package, list(build.HANDLER_MODULES))
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert Path(found["aichef"]).is_relative_to(package)
    assert Path(found["asl"]).is_relative_to(package)
    assert found["forbidden"] == []


def test_the_probe_sees_a_handler_that_needs_the_web_stack(package: Path) -> None:
    """The blocker is real: a module that imports FastAPI fails to import in the probe."""
    (package / "aichef" / "handlers" / "needs_web.py").write_text(
        "import fastapi\n\ndef handler(e, c): ...\n"
    )
    try:
        done = _probe(package, ["needs_web"])
    finally:
        (package / "aichef" / "handlers" / "needs_web.py").unlink()
    assert done.returncode != 0
    assert "fastapi is not in the Lambda package" in done.stderr


def test_handler_modules_are_those_the_template_deploys() -> None:
    functions = load_template()["Resources"].values()
    handlers = {
        r["Properties"]["Handler"].split(".")[2]
        for r in functions
        if r["Type"] == "AWS::Serverless::Function"
    }
    assert handlers | {"session"} == set(build.HANDLER_MODULES)


def test_requirements_are_exactly_what_the_handlers_import() -> None:
    assert build.dependency_problems() == []
    listed = build.requirement_names()
    assert {"boto3", "pydantic", "jsonschema"} == set(listed)  # jsonschema: the bedrock provider's review
    assert not set(listed) & set(FORBIDDEN)


def test_requirements_check_names_an_unused_requirement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    extra = tmp_path / "requirements.txt"
    extra.write_text(build.REQUIREMENTS.read_text("utf-8") + "fastapi>=0.110  # wrong on purpose\n")
    monkeypatch.setattr(build, "REQUIREMENTS", extra)
    assert build.dependency_problems() == ["fastapi is listed but no handler imports it"]


def _zipped_as_packaged(folder: Path, tmp: Path) -> Path:
    """What `sam deploy` and `aws cloudformation package` upload for a CodeUri folder: the folder's
    contents at the root of a zip. Unzipped again, as Lambda does, into a new folder."""
    archive = shutil.make_archive(str(tmp / "code"), "zip", root_dir=folder)
    unpacked = tmp / "unpacked"
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(unpacked)
    return unpacked


@pytest.mark.parametrize("packager", ["sam deploy", "aws cloudformation package"])
def test_every_documented_deploy_path_packages_working_functions(
    packager: str, package: Path, tmp_path: Path
) -> None:
    """Each function's code is what its packager zips: `sam deploy` reads Globals, `aws cloudformation
    package` does not and zips the template's folder for a function without its own CodeUri."""
    template = load_template()
    globals_uri = template.get("Globals", {}).get("Function", {}).get("CodeUri")
    modules = []
    for name, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        uri = resource["Properties"].get("CodeUri")
        if uri is None and packager == "sam deploy":
            uri = globals_uri
        folder = (TEMPLATE.parent / uri).resolve() if uri else TEMPLATE.parent
        assert folder == build.DEFAULT_OUT.resolve(), f"{packager} would zip {folder} for {name}"
        modules.append(resource["Properties"]["Handler"].split(".")[2])
    # deploy/build.py's folder as the packager zips it (built here in a temporary folder).
    done = _probe(_zipped_as_packaged(package, tmp_path), modules)
    assert done.returncode == 0, done.stderr
