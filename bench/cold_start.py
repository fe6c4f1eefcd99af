"""Cold-start import cost of the Lambda handler modules, each in a fresh interpreter.

    .venv/bin/python bench/cold_start.py                # median of 15 fresh processes per row
    .venv/bin/python bench/cold_start.py --runs 25
    .venv/bin/python bench/cold_start.py --importtime kysy.api.reader [--tracing]   # what dominates
    .venv/bin/python bench/cold_start.py --venv         # in the dev venv instead (inflated, see below)
    .venv/bin/python bench/cold_start.py --source /tmp/copy/functions   # measure a patched copy

The modules run against what Lambda would have, not the dev venv: exactly
functions/requirements.txt pip-installed for this host into .aws-sam/bench-package/task (as
`sam build` does for arm64), plus boto3 in .aws-sam/bench-package/runtime (the runtime's copy),
with ``python -S`` so nothing else is importable. The dev venv also holds httpx, requests,
moto, ... which change what imports and what the X-Ray SDK patches, so ``--venv`` numbers are
higher than a function's. The plain baseline gets only the runtime's boto3. bench/naive_fastapi_handler.py (one route,
FastAPI + Mangum + Powertools Logger/Metrics + boto3) shows what a typical FastAPI handler costs,
bench/floor_fastapi_handler.py (FastAPI imported as lean as Kysy does, Mangum, a botocore client,
one route, nothing else) what any FastAPI handler costs at least, and
bench/floor_powertools_handler.py that floor with the observability Kysy's functions must have
(Powertools Logger/Metrics, the X-Ray Tracer as deployed) - the floor under a Kysy function.

Every run is a new process (``python -c 'import <module>'`` timed inside the child, so the
interpreter's own start-up is left out and only the handler module's INIT work is measured:
imports plus the module body - settings, the boto3 client, the FastAPI app). The environment is
the one Lambda gives a function: table name, region, (dummy) credentials, ``AWS_LAMBDA_FUNCTION_NAME``
and ``LAMBDA_TASK_ROOT``, so ``kysy.api.observability`` takes its in-Lambda path and creates the
X-Ray Tracer unless ``POWERTOOLS_TRACE_DISABLED`` is set. The baseline is ``bench/plain_handler.py``:
boto3, one DynamoDB client, one handler doing one Query. Rows are interleaved (one process of each
row in turn), so load from other processes on a shared machine falls on every row alike and the
ratios stay comparable even when absolute times drift. Each child also reports its CPU time
(``time.process_time``): on a machine shared with other work the wall-clock figures swing, the
CPU figures much less; both columns are printed, with their ratios to the plain handler.

Byte-code caches are warm (one discarded run first). Lambda cannot write ``__pycache__`` into
/var/task, so without SnapStart a real cold start also compiles every module the package does
not ship compiled; SnapStart (on in template.yaml) takes INIT out of the request path entirely.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
FUNCTIONS = ROOT / "functions"
REQUIREMENTS = FUNCTIONS / "requirements.txt"
PACKAGE = ROOT / ".aws-sam" / "bench-package"

CHILD = (
    "import sys, time\n"
    "t0, c0 = time.perf_counter(), time.process_time()\n"
    "import importlib\n"
    "importlib.import_module(sys.argv[1])\n"
    "print(f'{(time.perf_counter() - t0) * 1000:.3f} {(time.process_time() - c0) * 1000:.3f}')\n"
)


@dataclass(frozen=True)
class Layout:
    """Where the imported code comes from: a Lambda-like package (default) or the dev venv."""

    venv: bool = False
    source: Path = FUNCTIONS

    def python(self) -> list[str]:
        return [sys.executable] if self.venv else [sys.executable, "-S"]

    def path(self, module: str) -> str:
        if self.venv:
            parts = [BENCH, self.source]
        elif module == "plain_handler":
            parts = [BENCH, PACKAGE / "runtime"]
        elif module in ("naive_fastapi_handler", "floor_fastapi_handler", "floor_powertools_handler"):
            parts = [BENCH, PACKAGE / "task", PACKAGE / "runtime"]
        else:  # /var/task (the function's dependencies and code), then the runtime's boto3
            parts = [PACKAGE / "task", self.source, PACKAGE / "runtime"]
        return os.pathsep.join(str(p) for p in parts)


def prepare_package() -> None:
    """pip-install functions/requirements.txt (and boto3 apart) for this host, once per requirements."""
    stamp = PACKAGE / "requirements.sha256"
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if stamp.is_file() and stamp.read_text() == digest:
        return
    shutil.rmtree(PACKAGE, ignore_errors=True)
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--target"]
    print(f"installing functions/requirements.txt into {PACKAGE.relative_to(ROOT)} ...", file=sys.stderr)
    subprocess.run([*pip, str(PACKAGE / "task"), "-r", str(REQUIREMENTS)], check=True)
    subprocess.run([*pip, str(PACKAGE / "runtime"), "boto3"], check=True)
    stamp.write_text(digest)


def lambda_env(*, tracing: bool, layout: Layout, module: str) -> dict[str, str]:
    """What Lambda sets for a Kysy function (template.yaml Globals), with dummy credentials."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(ROOT)),
        "LANG": "C.UTF-8",
        "PYTHONPATH": layout.path(module),
        "AWS_REGION": "eu-north-1",
        "AWS_DEFAULT_REGION": "eu-north-1",
        "AWS_ACCESS_KEY_ID": "AKIDBENCHMARK",
        "AWS_SECRET_ACCESS_KEY": "bench-secret",
        "AWS_SESSION_TOKEN": "bench-token",
        "AWS_LAMBDA_FUNCTION_NAME": "kysy-bench",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
        "AWS_LAMBDA_FUNCTION_VERSION": "1",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "LAMBDA_TASK_ROOT": str(layout.source),
        "KYSY_TABLE_NAME": "kysy-bench",
        "KYSY_SECRET": "bench-secret-value",
        "KYSY_JWT_ISSUER": "https://cognito-idp.eu-north-1.amazonaws.com/eu-north-1_bench",
        "KYSY_JWKS_URL": "https://cognito-idp.eu-north-1.amazonaws.com/eu-north-1_bench/.well-known/jwks.json",
        "KYSY_JWT_AUDIENCE": "benchclient",
        "POWERTOOLS_SERVICE_NAME": "kysy",
        "POWERTOOLS_METRICS_NAMESPACE": "Kysy",
        "POWERTOOLS_LOG_LEVEL": "INFO",
        "PYDANTIC_DISABLE_PLUGINS": "__all__",
    }
    if not tracing:
        env["POWERTOOLS_TRACE_DISABLED"] = "true"
    return env


def import_ms(module: str, env: dict[str, str], layout: Layout) -> tuple[float, float]:
    """Wall-clock and CPU milliseconds of one fresh import (CPU: the child's own process time)."""
    out = subprocess.run(
        [*layout.python(), "-c", CHILD, module], env=env, capture_output=True, text=True, check=False, timeout=120
    )
    if out.returncode != 0:
        raise RuntimeError(f"importing {module} failed:\n{out.stderr}")
    wall, cpu = out.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


@dataclass(frozen=True)
class Row:
    label: str
    module: str
    tracing: bool
    median_ms: float
    p10_ms: float
    p90_ms: float
    cpu_ms: float  # median CPU time of the import (robust to load from other processes)


def measure(specs: list[tuple[str, str, bool]], *, runs: int, layout: Layout) -> list[Row]:
    """``runs`` fresh imports per (label, module, tracing), interleaved: one of each in turn, so
    that load from other processes on the machine falls on every row alike."""
    envs = [lambda_env(tracing=tracing, layout=layout, module=module) for _, module, tracing in specs]
    for (_, module, _), env in zip(specs, envs, strict=True):
        import_ms(module, env, layout)  # warm the byte-code cache; discarded
    samples: list[list[tuple[float, float]]] = [[] for _ in specs]
    for _ in range(runs):
        for n, ((_, module, _), env) in enumerate(zip(specs, envs, strict=True)):
            samples[n].append(import_ms(module, env, layout))
    rows = []
    for (label, module, tracing), pairs in zip(specs, samples, strict=True):
        walls = sorted(wall for wall, _ in pairs)
        deciles = statistics.quantiles(walls, n=10)
        cpu = statistics.median(cpu for _, cpu in pairs)
        rows.append(Row(label, module, tracing, statistics.median(walls), deciles[0], deciles[-1], cpu))
    return rows


def importtime(module: str, *, tracing: bool, top: int, layout: Layout) -> None:
    """The heaviest imports (cumulative) of one fresh import, grouped by top-level package."""
    out = subprocess.run(
        [*layout.python(), "-X", "importtime", "-c", f"import {module}"],
        env=lambda_env(tracing=tracing, layout=layout, module=module),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    line = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")
    by_package: dict[str, int] = {}
    rows: list[tuple[int, int, str]] = []
    for raw in out.stderr.splitlines():
        match = line.match(raw)
        if not match:
            continue
        own, cumulative, indent, name = int(match[1]), int(match[2]), len(match[3]), match[4]
        by_package[name.split(".")[0]] = by_package.get(name.split(".")[0], 0) + own
        rows.append((cumulative, indent, name))
    print(f"\n-X importtime {module} (tracing {'on' if tracing else 'off'})")
    print("self time by top-level package (ms):")
    for package, micros in sorted(by_package.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {package:<28} {micros / 1000:8.1f}")
    print("largest cumulative imports (ms):")
    for cumulative, indent, name in sorted(rows, reverse=True)[:top]:
        print(f"  {cumulative / 1000:8.1f}  {' ' * (indent - 1)}{name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15, help="fresh processes per row (median reported)")
    parser.add_argument("--importtime", metavar="MODULE", help="show what dominates MODULE's import instead")
    parser.add_argument("--tracing", action="store_true", help="with --importtime: tracer enabled")
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--venv", action="store_true", help="import from the dev venv, not a Lambda-like package")
    parser.add_argument("--source", type=Path, default=FUNCTIONS, help="the folder holding the kysy package")
    args = parser.parse_args()
    layout = Layout(venv=args.venv, source=args.source.resolve())
    if not layout.venv:
        prepare_package()
    if args.importtime:
        importtime(args.importtime, tracing=args.tracing, top=args.top, layout=layout)
        return
    if args.runs < 10:
        parser.error("--runs must be at least 10")

    specs = [
        ("plain boto3 handler", "plain_handler", False),
        ("naive FastAPI+Mangum+Powertools", "naive_fastapi_handler", False),
        ("FastAPI floor (FastAPI+Mangum+botocore, one route)", "floor_fastapi_handler", False),
        ("FastAPI floor + Powertools Logger/Metrics/Tracer", "floor_powertools_handler", True),
    ]
    for label, module in (("reader", "kysy.api.reader"), ("editor", "kysy.api.editor")):
        for tracing in (False, True):
            specs.append((label, module, tracing))
    rows = measure(specs, runs=args.runs, layout=layout)
    plain = rows[0]

    where = "dev venv" if layout.venv else "Lambda-like package (functions/requirements.txt + runtime boto3)"
    print(f"Python {sys.version.split()[0]}, {where}, source {layout.source}")
    print(f"{args.runs} fresh processes per row, rows interleaved; import + module INIT of the handler module\n")
    print("| handler | module | tracer | median ms | p10-p90 ms | × plain | CPU ms | × plain (CPU) |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for row in rows:
        tracer = "on" if row.tracing else ("off" if row.module.startswith("kysy") else "-")
        ratio = row.median_ms / plain.median_ms
        print(
            f"| {row.label} | `{row.module}` | {tracer} | {row.median_ms:.0f} | "
            f"{row.p10_ms:.0f}-{row.p90_ms:.0f} | {ratio:.2f} | {row.cpu_ms:.0f} | {row.cpu_ms / plain.cpu_ms:.2f} |"
        )


if __name__ == "__main__":
    main()
