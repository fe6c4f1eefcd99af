"""A small IAM policy evaluator for the statement forms template.yaml uses, and the translation of
AWS API calls (as botocore sees them) into the IAM requests AWS would authorise.

What it models (enough for Kysy's policies, and it refuses anything else rather than guess):

* statements with ``Effect`` Allow/Deny, ``Action`` (string or list, ``*``/``?`` wildcards, case
  insensitive), ``Resource`` (ARNs with wildcards; ``!GetAtt X.Arn``, ``!Ref``, ``!Sub`` with
  ``${X.Arn}``/``${AWS::Region}``/... resolved per call);
* conditions ``StringEquals``/``StringLike`` (+ ``IfExists``) and ``ForAllValues:``/``ForAnyValue:``
  of those, with AWS's semantics (``ForAllValues`` holds for an absent key; ``IfExists`` too);
* explicit Deny beats Allow; no matching Allow is an implicit deny.

DynamoDB requests carry ``dynamodb:LeadingKeys`` (the partition key value of each item, or of a
base-table Query) and ``dynamodb:Attributes`` (every attribute name the request names: item keys,
update/condition/filter/projection expressions). ``TransactWriteItems`` is authorised item by item
as PutItem/UpdateItem/DeleteItem/ConditionCheckItem, ``TransactGetItems``/``BatchGetItem`` as
GetItem, ``BatchWriteItem`` as PutItem/DeleteItem - as AWS documents.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "template.yaml"
ACCOUNT = "123456789012"


# ------------------------------------------------------------------------------------- template
class _TaggedLoader(yaml.SafeLoader):
    """Keeps CloudFormation short-form tags as their long form ({"Fn::GetAtt": ...}, {"Ref": ...})."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        assert isinstance(node, yaml.MappingNode)
        value = loader.construct_mapping(node, deep=True)
    return {"Ref": value} if suffix == "Ref" else {f"Fn::{suffix}": value}


_TaggedLoader.add_multi_constructor("!", _tag)


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    doc: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=_TaggedLoader)  # noqa: S506
    return doc


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    handler: str
    statements: tuple[dict[str, Any], ...]
    env_refs: Mapping[str, str]  # template name (parameter/resource) -> environment variable it feeds
    routes: tuple[tuple[str, str, str | None], ...]  # (method, path, authorizer)
    buckets: tuple[str, ...] = ()  # the template's S3 buckets (their ``X.Arn`` is resolvable from ``X``)


def functions(template: dict[str, Any] | None = None) -> dict[str, FunctionSpec]:
    doc = template or load_template()
    globals_env = doc.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    buckets = tuple(name for name, r in doc["Resources"].items() if r.get("Type") == "AWS::S3::Bucket")
    out: dict[str, FunctionSpec] = {}
    for name, resource in doc["Resources"].items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        props = resource["Properties"]
        statements: list[dict[str, Any]] = []
        for policy in props.get("Policies", []):
            if not isinstance(policy, dict) or "Statement" not in policy:
                raise ValueError(f"{name}: only inline policy documents are modelled, not {policy!r}")
            statements += policy["Statement"]
        env = {**globals_env, **props.get("Environment", {}).get("Variables", {})}
        env_refs = {value["Ref"]: var for var, value in env.items() if isinstance(value, dict) and "Ref" in value}
        routes = []
        for event in props.get("Events", {}).values():
            if event.get("Type") == "HttpApi":
                p = event["Properties"]
                routes.append((p["Method"].upper(), p["Path"], (p.get("Auth") or {}).get("Authorizer")))
        out[name] = FunctionSpec(name, props["Handler"], tuple(statements), env_refs, tuple(routes), buckets)
    return out


# ------------------------------------------------------------------------------------- requests
@dataclass(frozen=True)
class Request:
    """One IAM authorisation AWS would make for an API call (a transaction makes several)."""

    action: str  # e.g. dynamodb:PutItem
    resource: str  # ARN
    context: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # condition keys -> values
    table: str = ""  # DynamoDB table name (resolves ``Table.Arn`` for this request)
    index: str = ""

    def describe(self) -> str:
        keys = ", ".join(f"{k}={list(v)}" for k, v in sorted(self.context.items()))
        return f"{self.action} on {self.resource}" + (f" [{keys}]" if keys else "")


_TOKEN = re.compile(r"#[A-Za-z0-9_]+|:[A-Za-z0-9_]+|[A-Za-z_][A-Za-z0-9_]*")
_KEYWORDS = {
    "set",
    "remove",
    "add",
    "delete",
    "and",
    "or",
    "not",
    "between",
    "in",
    "attribute_exists",
    "attribute_not_exists",
    "attribute_type",
    "begins_with",
    "contains",
    "size",
    "if_not_exists",
    "list_append",
}


def expression_names(expression: str | None, names: Mapping[str, str] | None) -> set[str]:
    """Top-level attribute names an expression refers to (``#n`` placeholders resolved)."""
    found: set[str] = set()
    if not expression:
        return found
    for token in _TOKEN.findall(expression):
        if token.startswith(":"):
            continue
        if token.startswith("#"):
            found.add((names or {})[token])
        elif token.lower() not in _KEYWORDS:
            found.add(token)
    return found


def _pk_value(key_or_item: Mapping[str, Any], pk: str = "PK") -> str:
    value = key_or_item.get(pk, {})
    return str(next(iter(value.values()))) if isinstance(value, dict) and value else ""


def _key_condition_pk(params: Mapping[str, Any], pk_names: Iterable[str]) -> str:
    expression = str(params.get("KeyConditionExpression", ""))
    names = params.get("ExpressionAttributeNames") or {}
    values = params.get("ExpressionAttributeValues") or {}
    for left, right in re.findall(r"(#?[A-Za-z0-9_]+)\s*=\s*(:[A-Za-z0-9_]+)", expression):
        name = names.get(left, left)
        if name in pk_names:
            return str(next(iter(values[right].values())))
    return ""


def table_arn(region: str, table: str) -> str:
    return f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/{table}"


def _dynamodb_item_request(action: str, region: str, params: Mapping[str, Any], item_key: str) -> Request:
    table = str(params["TableName"])
    body = params.get(item_key) or {}
    names = params.get("ExpressionAttributeNames")
    attributes = set(body) | expression_names(params.get("ConditionExpression"), names)
    attributes |= expression_names(params.get("UpdateExpression"), names)
    context: dict[str, tuple[str, ...]] = {"dynamodb:LeadingKeys": (_pk_value(body),)}
    if action != "dynamodb:GetItem" or params.get("ProjectionExpression"):
        attributes |= expression_names(params.get("ProjectionExpression"), names)
        context["dynamodb:Attributes"] = tuple(sorted(attributes))
    if params.get("ReturnValues"):
        context["dynamodb:ReturnValues"] = (str(params["ReturnValues"]),)
    return Request(action, table_arn(region, table), context, table=table)


_S3_OBJECT_ACTIONS = {"GetObject": "s3:GetObject", "HeadObject": "s3:GetObject", "PutObject": "s3:PutObject"}


def requests_for(service: str, operation: str, params: Mapping[str, Any], region: str) -> list[Request]:
    """The IAM requests one API call makes."""
    if service == "dynamodb":
        if operation in {"GetItem", "DeleteItem", "UpdateItem"}:
            return [_dynamodb_item_request(f"dynamodb:{operation}", region, params, "Key")]
        if operation == "PutItem":
            return [_dynamodb_item_request("dynamodb:PutItem", region, params, "Item")]
        if operation == "TransactWriteItems":
            kinds = {"Put": ("PutItem", "Item"), "Update": ("UpdateItem", "Key"), "Delete": ("DeleteItem", "Key")}
            kinds["ConditionCheck"] = ("ConditionCheckItem", "Key")
            out = []
            for entry in params["TransactItems"]:
                [(kind, body)] = entry.items()
                action, item_key = kinds[kind]
                out.append(_dynamodb_item_request(f"dynamodb:{action}", region, body, item_key))
            return out
        if operation == "TransactGetItems":
            return [
                _dynamodb_item_request("dynamodb:GetItem", region, entry["Get"], "Key")
                for entry in params["TransactItems"]
            ]
        if operation == "BatchGetItem":
            return [
                _dynamodb_item_request("dynamodb:GetItem", region, {"TableName": table, **spec, "Key": key}, "Key")
                for table, spec in params["RequestItems"].items()
                for key in spec["Keys"]
            ]
        if operation == "BatchWriteItem":
            out = []
            for table, writes in params["RequestItems"].items():
                for write in writes:
                    if "PutRequest" in write:
                        body = {"TableName": table, "Item": write["PutRequest"]["Item"]}
                        out.append(_dynamodb_item_request("dynamodb:PutItem", region, body, "Item"))
                    else:
                        body = {"TableName": table, "Key": write["DeleteRequest"]["Key"]}
                        out.append(_dynamodb_item_request("dynamodb:DeleteItem", region, body, "Key"))
            return out
        if operation in {"Query", "Scan"}:
            table = str(params["TableName"])
            index = str(params.get("IndexName") or "")
            resource = table_arn(region, table) + (f"/index/{index}" if index else "")
            names = params.get("ExpressionAttributeNames")
            attributes = set()
            for name in ("KeyConditionExpression", "FilterExpression", "ProjectionExpression"):
                attributes |= expression_names(params.get(name), names)
            context: dict[str, tuple[str, ...]] = {}
            if operation == "Query" and not index:
                context["dynamodb:LeadingKeys"] = (_key_condition_pk(params, {"PK"}),)
            if params.get("ProjectionExpression"):
                context["dynamodb:Attributes"] = tuple(sorted(attributes))
            context["dynamodb:Select"] = (str(params.get("Select", "ALL_ATTRIBUTES")),)
            return [Request(f"dynamodb:{operation}", resource, context, table=table, index=index)]
        table = str(params.get("TableName", "*"))
        return [Request(f"dynamodb:{operation}", table_arn(region, table), table=table)]
    if service == "sesv2" and operation == "SendEmail":
        sender = str(params.get("FromEmailAddress", ""))
        resource = f"arn:aws:ses:{region}:{ACCOUNT}:identity/{sender}"
        return [Request("ses:SendEmail", resource, {"ses:FromAddress": (sender,)})]
    if service == "s3" and operation in _S3_OBJECT_ACTIONS:
        resource = f"arn:aws:s3:::{params.get('Bucket', '')}/{params.get('Key', '')}"
        return [Request(_S3_OBJECT_ACTIONS[operation], resource)]
    if service == "s3" and operation in {"ListObjectsV2", "ListObjects", "HeadBucket"}:
        context = {"s3:prefix": (str(params["Prefix"]),)} if "Prefix" in params else {}
        return [Request("s3:ListBucket", f"arn:aws:s3:::{params.get('Bucket', '')}", context)]
    if service == "sns" and operation == "Publish":
        return [Request("sns:Publish", str(params.get("TopicArn", "*")))]
    return [Request(f"{service}:{operation}", "*")]


# ----------------------------------------------------------------------------------- evaluation
def _resolve(value: Any, names: Mapping[str, str]) -> list[str]:
    """A Resource/condition value with intrinsics resolved against ``names`` (unresolvable: no match)."""
    if isinstance(value, list):
        return [v for item in value for v in _resolve(item, names)]
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict) and "Ref" in value:
        return [names.get(value["Ref"], f"<unresolved {value['Ref']}>")]
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        target = value["Fn::GetAtt"]
        target = ".".join(target) if isinstance(target, list) else target
        return [names.get(target, f"<unresolved {target}>")]
    if isinstance(value, dict) and "Fn::Sub" in value:
        text = value["Fn::Sub"]
        return [re.sub(r"\$\{([^}]+)\}", lambda m: names.get(m.group(1), f"<unresolved {m.group(1)}>"), text)]
    raise ValueError(f"intrinsic not modelled: {value!r}")


def _like(pattern: str, value: str) -> bool:
    return fnmatch.fnmatchcase(value, pattern.replace("[", "[[]"))


_MATCHERS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda pattern, value: pattern == value,
    "StringLike": _like,
}


def _condition_holds(operator: str, key: str, expected: list[str], context: Mapping[str, tuple[str, ...]]) -> bool:
    qualifier, _, base = operator.rpartition(":")
    if_exists = base.endswith("IfExists")
    base = base.removesuffix("IfExists")
    if base not in _MATCHERS:
        raise ValueError(f"condition operator not modelled: {operator}")
    match = _MATCHERS[base]
    values = context.get(key)
    if qualifier == "ForAllValues":
        return values is None or all(any(match(p, v) for p in expected) for v in values)
    if qualifier == "ForAnyValue":
        return values is not None and any(any(match(p, v) for p in expected) for v in values)
    if qualifier:
        raise ValueError(f"condition qualifier not modelled: {qualifier}")
    if values is None:
        return if_exists
    return any(match(p, values[0]) for p in expected)


def _matches(statement: Mapping[str, Any], request: Request, names: Mapping[str, str]) -> bool:
    actions = statement.get("Action", [])
    actions = [actions] if isinstance(actions, str) else actions
    if not any(fnmatch.fnmatch(request.action.lower(), a.lower()) for a in actions):
        return False
    resources = _resolve(statement.get("Resource", []), names)
    if not any(_like(r, request.resource) for r in resources):
        return False
    for operator, keys in (statement.get("Condition") or {}).items():
        for key, expected in keys.items():
            if not _condition_holds(operator, key, _resolve(expected, names), request.context):
                return False
    return True


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str


def evaluate(function: FunctionSpec, request: Request, names: Mapping[str, str]) -> Decision:
    """Allow only if some Allow statement matches and no Deny does."""
    allow = None
    for statement in function.statements:
        if _matches(statement, request, names):
            if statement.get("Effect") == "Deny":
                return Decision(False, f"explicitly denied by {statement.get('Sid', '?')}")
            allow = allow or statement.get("Sid", "?")
    if allow:
        return Decision(True, f"allowed by {allow}")
    return Decision(False, "no statement allows it (implicit deny)")


def names_for(function: FunctionSpec, request: Request, region: str, environ: Mapping[str, str]) -> dict[str, str]:
    """What the template's references mean for this request: the table it addresses, the pseudo
    parameters, and every parameter/resource the template passes to the function's environment
    (the function was configured from the same value, so its environment says what it is)."""
    names = {
        "AWS::Region": region,
        "AWS::AccountId": ACCOUNT,
        "AWS::Partition": "aws",
        "AWS::URLSuffix": "amazonaws.com",
    }
    if request.table:
        names["Table.Arn"] = table_arn(region, request.table)
        names["Table"] = request.table
    for ref, variable in function.env_refs.items():
        if variable in environ:
            names.setdefault(ref, environ[variable])
    for bucket in function.buckets:
        if bucket in names:
            names.setdefault(f"{bucket}.Arn", f"arn:aws:s3:::{names[bucket]}")
    return names
