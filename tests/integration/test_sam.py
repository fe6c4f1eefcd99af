"""The SAM template lints clean and `sam build` packages both functions for arm64 (Python 3.13).

Needs the SAM CLI (`scripts/setup --test` installs it into .tools/sam) and a python3.13
interpreter (the pyenv one is put first on PATH when present). No Docker, no AWS credentials:
SAM's pip builder downloads manylinux aarch64 wheels for the native packages
(pydantic-core, cryptography, PyStemmer) on any host.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.sam

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ("ReaderFunction", "EditorFunction", "IndexerFunction")
EM_AARCH64 = 183  # ELF e_machine of 64-bit ARM
BUILD_TIMEOUT = 600


def sam_cli() -> str | None:
    local = ROOT / ".tools" / "sam" / "bin" / "sam"
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    return shutil.which("sam")


def sam_env() -> dict[str, str]:
    """PATH with python3.13 first (SAM's builder looks the runtime's interpreter up on PATH)."""
    path = os.environ.get("PATH", "")
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    for candidate in sorted(pyenv_root.glob("versions/3.13*/bin"), reverse=True):
        if (candidate / "python3.13").is_file():
            path = f"{candidate}{os.pathsep}{path}"
            break
    return {
        **os.environ,
        "PATH": path,
        "SAM_CLI_TELEMETRY": "0",
        "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "eu-north-1"),
    }


def run_sam(*args: str, timeout: float = BUILD_TIMEOUT) -> subprocess.CompletedProcess[str]:
    sam = sam_cli()
    if sam is None:
        pytest.skip("SAM CLI not installed (scripts/setup --test installs it into .tools/sam)")
    return subprocess.run(
        [sam, *args], cwd=ROOT, env=sam_env(), capture_output=True, text=True, timeout=timeout, check=False
    )


def elf_machine(path: Path) -> int:
    header = path.read_bytes()[:20]
    assert header[:4] == b"\x7fELF", f"{path} is not an ELF shared object"
    return int.from_bytes(header[18:20], "little")


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One `sam build` for the module; dependencies cached in .aws-sam/cache between runs."""
    out = tmp_path_factory.mktemp("sam-build") / "build"
    result = run_sam(
        "build",
        "--template-file",
        str(ROOT / "template.yaml"),
        "--build-dir",
        str(out),
        "--cached",
        "--cache-dir",
        str(ROOT / ".aws-sam" / "cache"),
    )
    assert result.returncode == 0, f"sam build failed:\n{result.stdout}\n{result.stderr}"
    return out


def test_template_validates_and_lints_clean() -> None:
    result = run_sam("validate", "--lint", "--template-file", str(ROOT / "template.yaml"), timeout=120)
    assert result.returncode == 0, f"sam validate --lint failed:\n{result.stdout}\n{result.stderr}"


def test_build_packages_handlers_and_static_files(build_dir: Path) -> None:
    assert (build_dir / "template.yaml").is_file()
    for function in FUNCTIONS:
        package = build_dir / function
        assert (package / "kysy" / "api" / "reader.py").is_file(), function
        assert (package / "kysy" / "api" / "editor.py").is_file(), function
        assert (package / "kysy" / "indexer" / "handler.py").is_file(), function
        assert (package / "kysy" / "static" / "widget" / "kysy.js").is_file(), function
        # Dev-only and runtime-provided packages stay out of the function package.
        for absent in ("boto3", "moto", "yaml", "uvicorn"):
            assert not (package / absent).exists(), f"{function} ships {absent}"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_build_ships_aarch64_native_wheels(build_dir: Path, function: str) -> None:
    package = build_dir / function
    cores = sorted((package / "pydantic_core").glob("_pydantic_core*.so"))
    assert cores, f"no pydantic_core binary in {function}"
    for binary in cores:
        assert "aarch64" in binary.name, binary.name
        assert elf_machine(binary) == EM_AARCH64, f"{binary.name} is not an aarch64 binary"
    # Every other native extension must be aarch64 too (cryptography, PyStemmer, cffi, ...).
    wrong = [str(so.relative_to(package)) for so in package.rglob("*.so") if elf_machine(so) != EM_AARCH64]
    assert not wrong, f"non-aarch64 binaries in {function}: {wrong}"
