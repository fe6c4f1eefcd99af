"""template.yaml is checked and explained: cfn-lint clean, checkov with 0 failed checks (every skip
has its reason in the template), and every function logged, alarmed and on the dashboard.

The structural checks are written over *all* functions in the template, so a function someone adds
without a log group with retention, Errors/Throttles alarms and a dashboard row fails here.

    .venv/bin/pytest tests/integration/test_template.py -s     # prints checkov's figures
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from kysy.repository.table import TEMPLATE, _CfnLoader

ROOT = Path(__file__).resolve().parents[2]
CHECKOV = ROOT / ".tools" / "checkov" / "bin" / "checkov"
FUNCTION_TYPES = {"AWS::Serverless::Function", "AWS::Lambda::Function"}
MIN_REASON = 30  # characters: a reason a reviewer can weigh, not "n/a"


def template() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.load(TEMPLATE.read_text(encoding="utf-8"), Loader=_CfnLoader)  # noqa: S506
    return doc


RESOURCES: dict[str, Any] = template()["Resources"]
FUNCTIONS = sorted(name for name, r in RESOURCES.items() if r["Type"] in FUNCTION_TYPES)
ALARMS = sorted(name for name, r in RESOURCES.items() if r["Type"] == "AWS::CloudWatch::Alarm")


def of_type(kind: str) -> dict[str, Any]:
    return {name: r for name, r in RESOURCES.items() if r["Type"] == kind}


def checkov_skips(resource: dict[str, Any]) -> dict[str, str]:
    skips = resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    return {skip["id"]: skip.get("comment", "") for skip in skips}


def test_cfn_lint_is_clean():
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "cfn-lint"), str(TEMPLATE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_checkov_finds_nothing_unexplained():
    if not CHECKOV.is_file():
        pytest.skip("checkov not installed (scripts/setup --test installs it into .tools/checkov)")
    result = subprocess.run(
        [str(CHECKOV), "-f", str(TEMPLATE), "--framework", "cloudformation", "--skip-download", "-o", "json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"},
    )
    report = json.loads(result.stdout)
    summary, results = report["summary"], report["results"]
    skipped = [
        (c["check_id"], c["resource"], c["check_result"].get("suppress_comment", "")) for c in results["skipped_checks"]
    ]
    print(
        f"\ncheckov {summary['checkov_version']}: {summary['passed']} passed, {summary['failed']} failed, "
        f"{summary['skipped']} skipped with a reason"
    )
    for check_id, resource, reason in skipped:
        print(f"  skipped {check_id} {resource}: {reason}")
    failed = [(c["check_id"], c["resource"], c["check_name"]) for c in results["failed_checks"]]
    assert not failed, f"fix these in template.yaml, or skip them there with a reason: {failed}"
    assert summary["parsing_errors"] == 0
    short = [(check_id, resource) for check_id, resource, reason in skipped if len(reason.strip()) < MIN_REASON]
    assert not short, f"skips without a reason a reviewer could weigh: {short}"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_function_has_a_log_group_with_retention(function):
    log_group = RESOURCES[function]["Properties"].get("LoggingConfig", {}).get("LogGroup")
    assert log_group in of_type("AWS::Logs::LogGroup"), f"{function}: LoggingConfig.LogGroup must !Ref a log group"
    assert RESOURCES[log_group]["Properties"].get("RetentionInDays") == "LogRetentionDays"


def test_every_log_group_keeps_logs_as_long_as_the_parameter_says():
    parameter = template()["Parameters"]["LogRetentionDays"]
    assert parameter["Default"] == 30
    for name, group in of_type("AWS::Logs::LogGroup").items():
        assert group["Properties"].get("RetentionInDays") == "LogRetentionDays", name
        assert group["Properties"].get("KmsKeyId"), name


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_function_has_errors_and_throttles_alarms(function):
    watched = {
        alarm["Properties"].get("MetricName")
        for alarm in of_type("AWS::CloudWatch::Alarm").values()
        if alarm["Properties"].get("Namespace") == "AWS/Lambda"
        and {"Name": "FunctionName", "Value": function} in alarm["Properties"].get("Dimensions", [])
    }
    assert {"Errors", "Throttles"} <= watched, f"{function}: add Errors and Throttles alarms"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_function_has_a_cost_ceiling_or_a_reason(function):
    resource = RESOURCES[function]
    reason = checkov_skips(resource).get("CKV_AWS_115", "")
    assert "ReservedConcurrentExecutions" in resource["Properties"] or len(reason) >= MIN_REASON, function


def test_every_alarm_notifies_the_alarm_topic_and_is_on_the_dashboard():
    body = json.dumps(RESOURCES["Dashboard"]["Properties"]["DashboardBody"])
    for name in ALARMS:
        props = RESOURCES[name]["Properties"]
        assert props.get("AlarmActions") == ["AlarmTopic"], name
        assert props.get("AlarmDescription"), name
        assert f"${{{name}.Arn}}" in body, f"{name} is not on the dashboard's alarm widget"
    for function in FUNCTIONS:
        assert f"${{{function}}}" in body, f"{function} has no row on the dashboard"


def test_topics_are_encrypted_with_a_key_alarms_may_use():
    key = RESOURCES["TopicKey"]["Properties"]
    services = [s["Principal"].get("Service") for s in key["KeyPolicy"]["Statement"]]
    assert "cloudwatch.amazonaws.com" in services  # alarms cannot publish to an AWS-managed-key topic
    for name, topic in of_type("AWS::SNS::Topic").items():
        assert topic["Properties"].get("KmsMasterKeyId") == "TopicKey", name


def test_api_access_log_is_json_without_personal_data():
    settings = RESOURCES["HttpApi"]["Properties"]["AccessLogSettings"]
    line = settings["Format"]
    fields = json.loads(line)  # every value is a "$context..." string: the line is valid JSON
    assert {"requestId", "routeKey", "status", "latencyMs", "integrationError"} <= set(fields)
    for personal in ("$context.path", "$context.identity", "$context.rawQueryString", "userAgent", "sourceIp"):
        assert personal not in line, f"access log must not record {personal}"
    assert settings["DestinationArn"] == "ApiAccessLogGroup.Arn"


def test_readme_lists_every_alarm():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in ALARMS if f"`{name}`" not in readme]
    assert not missing, f"README's alarm table misses {missing}"
    assert re.search(r"checkov", readme)


def test_dashboard_body_is_valid_json_once_substituted():
    """CloudFormation refuses (and rolls back) a dashboard whose body is not JSON: render it as !Sub would."""
    text, variables = RESOURCES["Dashboard"]["Properties"]["DashboardBody"]
    values = {name: join[0].join(join[1]) for name, join in variables.items()}  # !Join [sep, [!Sub ...]]

    def substitute(template: str) -> str:
        return re.sub(r"\$\{([^}]+)\}", lambda m: values.get(m.group(1), "x"), template)

    for name in values:
        values[name] = substitute(values[name])
    body = json.loads(substitute(text))
    assert {w["type"] for w in body["widgets"]} == {"metric", "alarm"}
    alarms = next(w for w in body["widgets"] if w["type"] == "alarm")["properties"]["alarms"]
    assert len(alarms) == len(ALARMS)
