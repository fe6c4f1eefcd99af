"""Create the table for local runs and tests from ``template.yaml``'s own definition.

The template is the single source of truth for the key schema, attribute definitions and
indexes; this module reads them instead of repeating them.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

TEMPLATE = Path(__file__).resolve().parents[3] / "template.yaml"
TABLE_RESOURCE = "Table"


class _CfnLoader(yaml.SafeLoader):
    """SafeLoader that accepts CloudFormation short-form tags (!Ref, !Sub, ...) as plain data."""


def _cfn_tag(loader: yaml.SafeLoader, _suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    assert isinstance(node, yaml.MappingNode)
    return loader.construct_mapping(node)


_CfnLoader.add_multi_constructor("!", _cfn_tag)


def table_definition(template: Path = TEMPLATE) -> dict[str, Any]:
    """The ``Table`` resource's Properties, as written in the template."""
    doc = yaml.load(template.read_text(encoding="utf-8"), Loader=_CfnLoader)  # noqa: S506 - safe subclass
    props: dict[str, Any] = doc["Resources"][TABLE_RESOURCE]["Properties"]
    return props


def create_table(client: DynamoDBClient, table_name: str, template: Path = TEMPLATE) -> bool:
    """Create the table (and its TTL) if missing. Returns True when it was created."""
    props = table_definition(template)
    kwargs: dict[str, Any] = {
        "TableName": table_name,
        "KeySchema": props["KeySchema"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if props.get("GlobalSecondaryIndexes"):
        kwargs["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
    if props.get("StreamSpecification"):
        kwargs["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
    try:
        client.create_table(**kwargs)
    except client.exceptions.ResourceInUseException:
        return False
    client.get_waiter("table_exists").wait(TableName=table_name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    ttl = props.get("TimeToLiveSpecification")
    if ttl:
        # Some emulators lack TTL; nothing in Kysy relies on expiry for correctness.
        with contextlib.suppress(ClientError):
            client.update_time_to_live(TableName=table_name, TimeToLiveSpecification=ttl)
    return True
