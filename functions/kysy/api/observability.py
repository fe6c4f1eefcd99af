"""Powertools Logger / Metrics / Tracer, created once per process and shared by the apps."""

from __future__ import annotations

import functools
import logging
import os
import re
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths


class MaskEmails(logging.Filter):
    """Belt and braces: Kysy never logs an asker's address, and this filter masks any that slips in."""

    _EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = self._EMAIL.sub(r"\1***@\2", record.getMessage())
            record.args = None
        for key, value in list(vars(record).items()):
            if isinstance(value, str) and "@" in value and key not in {"msg", "message"}:
                setattr(record, key, self._EMAIL.sub(r"\1***@\2", value))
        return True


logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "kysy"))
logger.addFilter(MaskEmails())
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "Kysy"))

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]

TRACED_MODULES = ("botocore",)


def publish_metrics(handler: Handler) -> Handler:
    """Flush the EMF metrics the invocation recorded, if any (what ``metrics.log_metrics`` does,
    minus the "no application metrics" warning it raises on every request that records none)."""

    @functools.wraps(handler)
    def wrapped(event: dict[str, Any], context: Any) -> dict[str, Any]:
        try:
            return handler(event, context)
        finally:
            if metrics.metric_set:
                metrics.flush_metrics()

    return wrapped


def _tracer_enabled() -> bool:
    return os.environ.get("POWERTOOLS_TRACE_DISABLED", "").lower() not in {"1", "true"} and bool(
        os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
    )


def lambda_entry(asgi_handler: Handler) -> Handler:
    """Wrap a Mangum adapter with correlation ids, EMF metrics and (in Lambda) X-Ray tracing.

    The Tracer pulls in aws_xray_sdk, so it is only created where traces can be sent: inside
    Lambda with tracing not disabled. It patches botocore only (DynamoDB calls become subsegments):
    the default patches every library the SDK knows, importing each one that is installed.
    """
    handler: Handler = publish_metrics(asgi_handler)
    handler = logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)(
        handler
    )
    if _tracer_enabled():
        from aws_lambda_powertools import Tracer

        handler = Tracer(patch_modules=TRACED_MODULES).capture_lambda_handler(handler)
    return handler
