"""Export the published contract: one JSON Schema per CloudEvent type and the AsyncAPI 3 document.

`python -m events.export` rewrites events/schemas/ and events/asyncapi.yaml; `--check` lists drift and exits 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from events import types as t
from events.registry import KINDS, EventKind

HERE = Path(__file__).parent
SCHEMA_DIR = HERE / "schemas"
ASYNCAPI = HERE / "asyncapi.yaml"

_TOPIC_DOCS = {
    t.TASK_EVENTS: "Every change to a task (created, updated, completed, deleted). Key: task_id.",
    t.TASK_UPDATES: "Real-time sync for a user's clients, and in-app notifications. Key: user_id.",
    t.REMINDERS: "A task's reminder is due. Key: task_id.",
    t.TASK_COMMANDS: "Write operations as commands; the user is the `userid` extension. Key: task_id.",
    t.DEAD_LETTERS: "Events a consumer rejected (HTTP 400/422) or gave up on, as received, with Knative's "
    "knativeerrorcode / knativeerrordata / knativeerrordest extensions.",
}


def schema_file(kind: EventKind) -> str:
    return f"{kind.type}.json"


def schemas() -> dict[str, dict[str, Any]]:
    """File name -> JSON Schema of each registered payload."""
    out = {}
    for kind in KINDS:
        schema = kind.model.model_json_schema()
        schema["$id"] = f"https://taskfn.dev/schemas/{schema_file(kind)}"
        schema["x-cloudevent-type"] = kind.type
        out[schema_file(kind)] = schema
    return out


def _message_name(kind: EventKind) -> str:
    return kind.model.__name__


def _headers(kind: EventKind) -> dict[str, Any]:
    string = {"type": "string"}
    properties: dict[str, Any] = {
        "ce_specversion": {"const": t.SPECVERSION},
        "ce_id": {**string, "description": "CloudEvent id: the payload's event_id (commands: the producer's id)"},
        "ce_source": {**string, "description": "/taskfn/<function-name>"},
        "ce_type": {"const": kind.type},
        "ce_time": {**string, "format": "date-time"},
        "ce_subject": {**string, "description": "the task id"},
        f"ce_{t.PARTITION_KEY}": {**string, "description": f"the Kafka record key: {kind.key_field}"},
        f"ce_{t.CORRELATION_ID}": {**string, "description": "the request's correlation id, end to end"},
        "content-type": {"const": t.CONTENT_TYPE},
    }
    required = ["ce_specversion", "ce_id", "ce_source", "ce_type", f"ce_{t.PARTITION_KEY}", "content-type"]
    if kind.topic == t.TASK_COMMANDS:
        properties[f"ce_{t.USER_ID}"] = {**string, "description": "the user the command acts for"}
        required.append(f"ce_{t.USER_ID}")
    return {"type": "object", "properties": properties, "required": required}


def asyncapi() -> dict[str, Any]:
    """The AsyncAPI 3 document: channels = topics, messages = CloudEvent types in Kafka binary mode."""
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for topic in t.TOPICS:
        channels[topic] = {"address": topic, "description": _TOPIC_DOCS[topic], "messages": {}}
    for kind in KINDS:
        name = _message_name(kind)
        messages[name] = {
            "name": kind.type,
            "title": name,
            "contentType": t.CONTENT_TYPE,
            "headers": _headers(kind),
            "payload": {"$ref": f"./schemas/{schema_file(kind)}"},
            "bindings": {"kafka": {"key": {"type": "string", "description": kind.key_field}}},
        }
        channels[kind.topic]["messages"][name] = {"$ref": f"#/components/messages/{name}"}
    messages["DeadLetter"] = {
        "name": "dead-letter",
        "title": "DeadLetter",
        "summary": "Any event above, unchanged, plus Knative's error extensions.",
        "headers": {
            "type": "object",
            "properties": {
                "ce_knativeerrorcode": {"type": "string", "description": "the last HTTP status"},
                "ce_knativeerrordata": {"type": "string", "description": "the response body, base64, <= 1024 bytes"},
                "ce_knativeerrordest": {"type": "string", "description": "the subscriber URL"},
            },
        },
        "payload": {},
    }
    channels[t.DEAD_LETTERS]["messages"]["DeadLetter"] = {"$ref": "#/components/messages/DeadLetter"}
    for topic, channel in channels.items():
        refs = [{"$ref": f"#/channels/{topic}/messages/{m}"} for m in channel["messages"]]
        operations[f"send-{topic}"] = {"action": "send", "channel": {"$ref": f"#/channels/{topic}"}, "messages": refs}
        operations[f"receive-{topic}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{topic}"},
            "messages": refs,
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "taskfn events",
            "version": "1.0.0",
            "description": "Kafka topics of taskfn. Records are CloudEvents 1.0 in Kafka binary content mode, "
            "written by Knative KafkaSinks and read by KafkaSources.",
        },
        "defaultContentType": t.CONTENT_TYPE,
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }


def rendered() -> dict[Path, str]:
    """Every file of the contract, as it should be committed."""
    import yaml

    files = {
        SCHEMA_DIR / name: json.dumps(schema, indent=2, sort_keys=True) + "\n" for name, schema in schemas().items()
    }
    files[ASYNCAPI] = "# Generated by `python -m events.export`; do not edit.\n" + yaml.safe_dump(
        asyncapi(), sort_keys=False, width=120
    )
    return files


def drift() -> list[str]:
    """Files that differ from, are missing in, or are extra to what the models produce."""
    wanted = rendered()
    problems = [str(p.relative_to(HERE)) for p, text in wanted.items() if not p.exists() or p.read_text() != text]
    extra = set(SCHEMA_DIR.glob("*.json")) - set(wanted)
    return sorted(problems + [str(p.relative_to(HERE)) for p in extra])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m events.export", description=__doc__)
    parser.add_argument("--check", action="store_true", help="report drift instead of writing")
    args = parser.parse_args(argv)
    if args.check:
        stale = drift()
        for name in stale:
            sys.stderr.write(f"out of date: events/{name} (run `make schemas`)\n")
        return 1 if stale else 0
    SCHEMA_DIR.mkdir(exist_ok=True)
    for extra in set(SCHEMA_DIR.glob("*.json")) - set(rendered()):
        extra.unlink()
    for path, text in rendered().items():
        path.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
