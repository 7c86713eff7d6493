"""The published contract: committed JSON Schemas match the models, and the AsyncAPI document points at them."""

from __future__ import annotations

import json

import yaml

from events import export, registry
from events import types as t


def test_committed_schemas_and_asyncapi_match_the_models() -> None:
    assert export.drift() == [], "run `make schemas` and commit the result"


def test_asyncapi_describes_every_topic_and_every_message_points_at_a_committed_schema() -> None:
    document = yaml.safe_load(export.ASYNCAPI.read_text())

    assert document["asyncapi"].startswith("3.")
    assert {c["address"] for c in document["channels"].values()} == set(t.TOPICS)
    messages = document["components"]["messages"]
    typed = {m["name"]: m for m in messages.values() if m["name"] != "dead-letter"}
    assert set(typed) == set(registry.BY_TYPE)
    for event_type, message in typed.items():
        kind = registry.BY_TYPE[event_type]
        schema_path = export.HERE / message["payload"]["$ref"]
        assert schema_path.is_file(), schema_path
        assert json.loads(schema_path.read_text())["x-cloudevent-type"] == event_type
        assert message["headers"]["properties"]["ce_type"] == {"const": event_type}
        channel = document["channels"][kind.topic]
        assert {"$ref": f"#/components/messages/{kind.model.__name__}"} in channel["messages"].values()


def test_every_channel_message_reference_resolves() -> None:
    document = yaml.safe_load(export.ASYNCAPI.read_text())

    for channel in document["channels"].values():
        for ref in channel["messages"].values():
            name = ref["$ref"].removeprefix("#/components/messages/")
            assert name in document["components"]["messages"]
    for operation in document["operations"].values():
        topic = operation["channel"]["$ref"].removeprefix("#/channels/")
        assert topic in document["channels"]
