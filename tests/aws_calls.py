"""Record every AWS call a Lambda function's code makes during the tests and check it against that
function's IAM policy in template.yaml.

A botocore ``before-parameter-build`` hook on Kysy's botocore session (so on every client the
functions create) sees each call's service, operation and parameters. The function making it is
known from :data:`CURRENT_FUNCTION`, which :func:`tests.lambda_events.call_handler` - the one way
tests run a Lambda handler - sets around the invocation. Calls made outside a handler (test set-up,
assertions, the local stream poller standing in for Lambda's event source mapping) are not the
functions' and are not checked.

Each call becomes the IAM requests AWS would authorise (:mod:`tests.iam`); a request the policy
denies is recorded, and the test that caused it fails (see the autouse fixture in conftest).
"""

from __future__ import annotations

import contextvars
import os
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tests import iam

CURRENT_FUNCTION: contextvars.ContextVar[str | None] = contextvars.ContextVar("kysy_lambda_function", default=None)


@dataclass(frozen=True)
class Checked:
    function: str
    request: iam.Request
    decision: iam.Decision

    def signature(self) -> tuple[Any, ...]:
        """What makes two calls "the same call": action, resource shape, key prefixes, attributes."""
        resource = self.request.resource.replace(f"table/{self.request.table}", "table/<table>")
        leading = tuple(sorted({_prefix(k) for k in self.request.context.get("dynamodb:LeadingKeys", ())}))
        attributes = self.request.context.get("dynamodb:Attributes", ())
        return (self.function, self.request.action, resource, leading, attributes)

    def describe(self) -> str:
        return f"{self.function}: {self.request.describe()} -> {self.decision.reason}"


def _prefix(value: str) -> str:
    head, sep, _ = value.partition("#")
    return head + sep if sep else value


@dataclass
class Recorder:
    functions: dict[str, iam.FunctionSpec] = field(default_factory=iam.functions)
    checked: list[Checked] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def hook(self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        function = CURRENT_FUNCTION.get()
        if function is None:
            return
        spec = self.functions.get(function)
        service = model.service_model.service_name
        region = str(context.get("client_region") or os.environ.get("AWS_DEFAULT_REGION", "eu-north-1"))
        for request in iam.requests_for(service, model.name, params, region):
            if spec is None:
                decision = iam.Decision(False, f"{function} is not a function in template.yaml")
            else:
                decision = iam.evaluate(spec, request, iam.names_for(spec, request, region, os.environ))
            with self._lock:
                self.checked.append(Checked(function, request, decision))

    @property
    def denied(self) -> list[Checked]:
        return [c for c in self.checked if not c.decision.allowed]

    def distinct(self) -> dict[str, int]:
        per_function: Counter[str] = Counter()
        for signature in {c.signature() for c in self.checked}:
            per_function[signature[0]] += 1
        return dict(per_function)

    def summary(self) -> list[str]:
        totals = Counter(c.function for c in self.checked)
        lines = []
        for function, distinct in sorted(self.distinct().items()):
            denied = sum(1 for c in self.denied if c.function == function)
            lines.append(
                f"{function}: {distinct} distinct calls checked against template.yaml "
                f"({totals[function]} in all), {denied} denied"
            )
        return lines


RECORDER = Recorder()


def install() -> None:
    """Register the hook on Kysy's botocore session (every client the functions create comes from
    it: kysy.repository.dynamo.botocore_session) and on boto3's default session."""
    import boto3

    from kysy.repository.dynamo import botocore_session

    botocore_session().register("before-parameter-build", RECORDER.hook, unique_id="kysy-iam-recorder")
    boto3._get_default_session().events.register("before-parameter-build", RECORDER.hook, unique_id="kysy-iam-recorder")
