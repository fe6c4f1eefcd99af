"""The importer's libraries are a CLI extra: never in the Lambda package, never imported by a handler."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IMPORT_ONLY = ("trafilatura", "htmldate", "lxml", "markdown_it", "frontmatter", "dateparser", "justext", "courlan")
HANDLERS = ("kysy.api.reader", "kysy.api.editor", "kysy.notify.handler")


def test_lambda_handlers_import_with_the_import_libraries_blocked() -> None:
    script = textwrap.dedent(
        f"""
        import importlib, json, sys
        blocked = {IMPORT_ONLY!r}

        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in blocked:
                    raise ImportError(f"{{name}} is CLI-only")
                return None

        sys.meta_path.insert(0, Block())
        for module in {HANDLERS!r}:
            importlib.import_module(module)
        print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in blocked or m.startswith("kysy.importer"))))
        """
    )
    from kysy.localauth import LocalSigner

    signer = LocalSigner.ephemeral(issuer="http://127.0.0.1/local-idp")
    env = {
        **os.environ,
        "KYSY_TABLE_NAME": "isolation",
        "AWS_DEFAULT_REGION": "eu-north-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "KYSY_JWKS_JSON": json.dumps(signer.jwks()),
        "KYSY_JWT_ISSUER": signer.issuer,
        "KYSY_JWT_AUDIENCE": signer.audience,
    }
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_lambda_requirements_do_not_list_the_import_extra() -> None:
    shipped = (ROOT / "functions" / "requirements.txt").read_text(encoding="utf-8").lower()
    for package in ("trafilatura", "htmldate", "lxml", "markdown-it", "frontmatter", "dateparser"):
        assert package not in shipped
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "import = [" in pyproject
    assert '"kysy[import]"' in pyproject  # the dev extra (scripts/setup, CI) installs it
