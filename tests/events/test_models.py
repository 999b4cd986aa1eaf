# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
import dataclasses
from uuid import UUID
from uuid import uuid4

import pytest
from pydantic import BaseModel
from pydantic import Json
from pydantic import ValidationError

from fastramqpi.events import Event
from fastramqpi.events import GraphQLEvents
from fastramqpi.events import Listener
from fastramqpi.events import Namespace


class Person(BaseModel):
    name: str


def test_event_of_uuid_parses_mo_subjects() -> None:
    subject = uuid4()
    event = Event[UUID].model_validate({"subject": str(subject), "priority": 10000})
    assert event.subject == subject
    assert event.priority == 10000


def test_event_of_json_decodes_the_subject_string() -> None:
    event = Event[Json[Person]].model_validate(
        {"subject": '{"name": "Ada"}', "priority": 1}
    )
    assert event.subject == Person(name="Ada")


def test_a_malformed_subject_is_a_validation_error() -> None:
    with pytest.raises(ValidationError):
        Event[UUID].model_validate({"subject": "not-a-uuid", "priority": 1})


def test_event_is_frozen() -> None:
    event = Event[str](subject="a", priority=1)
    with pytest.raises(ValidationError):
        event.subject = "b"  # type: ignore[misc]


def test_declarations_are_frozen_dataclasses_with_the_original_defaults() -> None:
    listener = Listener(
        namespace="mo", user_key="k", routing_key="person", path="/events/person"
    )
    assert listener.parallelism == 1
    assert listener.silence_after is None
    assert Namespace("mine").public is False
    assert GraphQLEvents() == GraphQLEvents(declare_namespaces=[], declare_listeners=[])
    with pytest.raises(dataclasses.FrozenInstanceError):
        listener.path = "/x"  # type: ignore[misc]


def test_a_user_key_used_twice_in_a_namespace_is_refused_at_construction() -> None:
    a = Listener(namespace="mo", user_key="k", routing_key="person", path="/a")
    b = Listener(namespace="mo", user_key="k", routing_key="class", path="/b")
    with pytest.raises(ValueError, match="user_key 'k'"):
        GraphQLEvents(declare_listeners=[a, b])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"parallelism": 0}, "parallelism"),
        ({"path": "events/person"}, "path"),
        ({"silence_after": 0}, "silence_after"),
        ({"silence_after": True}, "silence_after"),
    ],
)
def test_listener_arguments_are_checked(
    kwargs: dict[str, object], message: str
) -> None:
    arguments: dict[str, object] = {
        "namespace": "mo",
        "user_key": "k",
        "routing_key": "person",
        "path": "/events/person",
        **kwargs,
    }
    with pytest.raises(ValueError, match=message):
        Listener(**arguments)  # type: ignore[arg-type]
