"""Reference for bench/cold_start.py: the FastAPI floor (bench/floor_fastapi_handler.py) plus the
observability every Kysy function must have - Powertools Logger and Metrics, and the X-Ray Tracer
(botocore patched only, as kysy.api.observability creates it) when tracing is on, as deployed.
"""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools import Logger, Metrics

from floor_fastapi_handler import handler as asgi_handler

logger = Logger(service="kysy")
metrics = Metrics(namespace="Kysy")
handler: Any = logger.inject_lambda_context(metrics.log_metrics(asgi_handler))
if os.environ.get("POWERTOOLS_TRACE_DISABLED", "").lower() not in {"1", "true"}:
    from aws_lambda_powertools import Tracer

    handler = Tracer(patch_modules=("botocore",)).capture_lambda_handler(handler)
