"""Locked installs (docs/deploy.md, "Installs"): one lock with hashes for the
whole tree, the one pinned uv that reads it, and every install path (make,
the Dockerfile) going through it. `uv lock --check` may ask the registry
(uv's cache answers most of it), as `make lint` does."""

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
LOCK = tomllib.loads((ROOT / "uv.lock").read_text())
BOOTSTRAP = (ROOT / "requirements" / "bootstrap.txt").read_text()
UV = shutil.which("uv", path=str(ROOT / ".venv" / "bin")) or shutil.which("uv")


def locked(name):
    (package,) = [p for p in LOCK["package"] if p["name"] == name]
    return package


def bootstrap_pins():
    joined = re.sub(r"\\\n\s*", " ", BOOTSTRAP)
    return [line for line in joined.splitlines() if line.strip() and not line.startswith("#")]


def test_bootstrap_pins_uv_alone_with_hashes():
    (line,) = bootstrap_pins()
    assert re.match(r"^uv==\d+\.\d+\.\d+ ", line), line
    hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})", line)
    assert len(hashes) >= 10  # every platform's wheel and the sdist


def test_one_uv_version_everywhere():
    (line,) = bootstrap_pins()
    version = line.split()[0].removeprefix("uv==")
    assert PYPROJECT["tool"]["uv"]["required-version"] == f"=={version}"
    assert PYPROJECT["dependency-groups"]["tools"] == [f"uv=={version}"]
    assert locked("uv")["version"] == version
    # The hashes pip checks are the ones the lock holds for the same files.
    lock_hashes = {w["hash"].removeprefix("sha256:") for w in locked("uv")["wheels"]}
    assert lock_hashes <= set(re.findall(r"sha256:([0-9a-f]{64})", line))


def test_every_locked_file_has_a_hash():
    registry = [p for p in LOCK["package"] if "registry" in p.get("source", {})]
    assert len(registry) > 30
    for package in registry:
        files = package.get("wheels", []) + ([package["sdist"]] if "sdist" in package else [])
        assert files, package["name"]
        for file in files:
            assert file["hash"].startswith("sha256:"), (package["name"], file)


def test_every_declared_dependency_is_locked():
    names = {p["name"] for p in LOCK["package"]}
    declared = PYPROJECT["project"]["dependencies"] + [
        dep for deps in PYPROJECT["project"]["optional-dependencies"].values() for dep in deps
    ]
    for requirement in declared:
        name = re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")
        assert name in names, requirement


def test_make_and_the_image_install_from_the_lock():
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes" in makefile and "requirements/bootstrap.txt" in makefile
    assert makefile.count("sync --quiet --locked") == 2  # make run's and make test's
    assert "lock --check" in makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "pip install -e" not in makefile
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "COPY pyproject.toml uv.lock" in dockerfile
    assert "pip install --require-hashes --no-deps -r requirements/bootstrap.txt" in dockerfile
    assert "uv sync --locked --no-default-groups" in dockerfile
    assert "pip install ." not in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".venv/" in ignored and ".env" in ignored


@pytest.fixture
def project_copy(tmp_path):
    require(UV is not None, "uv (make test installs it)")
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def uv_lock_check(folder):
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    return subprocess.run(
        [UV, "lock", "--check", "--quiet"],
        cwd=folder,
        capture_output=True,
        text=True,
        env={**env, "UV_PYTHON_DOWNLOADS": "never"},
        timeout=120,
    )


def test_lock_check_passes_on_the_tree_and_fails_when_pyproject_moves(project_copy):
    assert uv_lock_check(project_copy).returncode == 0
    pyproject = project_copy / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('    "babel>=2.14",\n', ""))
    result = uv_lock_check(project_copy)
    assert result.returncode != 0
    assert "needs to be updated" in result.stderr
