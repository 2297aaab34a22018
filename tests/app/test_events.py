"""Events and context branches (specs/app.md §3.2, "Writing a module" §11.5)."""

from __future__ import annotations

import pytest

from dait_chain.app.context import Context
from dait_chain.app.events import (
    Attribute,
    Event,
    EventManager,
    flat_event,
    make_attribute,
    make_event,
    new_event,
)
from dait_chain.store.kv import KVStore


def test_attributes_keep_emission_order_and_ints_are_decimal() -> None:
    event = new_event("BidWon", order=7, provider="dait1x", price=0)
    assert event.attributes == (
        Attribute("order", "7"),
        Attribute("provider", "dait1x"),
        Attribute("price", "0"),
    )
    assert event.get("price") == "0" and event.get("nope") is None


def test_bool_attribute_values_are_refused() -> None:
    with pytest.raises(TypeError):
        new_event("x", flag=True)
    with pytest.raises(TypeError):
        new_event("x", amount=1.5)  # type: ignore[arg-type]


def test_written_branch_appends_its_writes_and_events_to_the_parent() -> None:
    ctx = Context("c", 1, 0, "", KVStore())
    ctx.events.emit("before")
    child, write = ctx.branch()
    child.store.set(b"k", b"v")
    child.events.emit("inside", n=1)
    assert ctx.store.get(b"k") is None and len(ctx.events) == 1
    write()
    assert ctx.store.get(b"k") == b"v"
    assert [e.type for e in ctx.events.events] == ["before", "inside"]


def test_dropped_branch_discards_its_writes_and_events() -> None:
    ctx = Context("c", 1, 0, "", KVStore())
    child, _write = ctx.branch()
    child.store.set(b"k", b"v")
    child.events.emit_event(Event("lost", ()))
    assert ctx.store.get(b"k") is None
    assert ctx.events.events == ()


def test_take_empties_the_manager() -> None:
    manager = EventManager()
    manager.emit("a")
    assert [e.type for e in manager.take()] == ["a"]
    assert manager.events == ()


def test_trailing_attribute_ends_every_event_recorded_while_set() -> None:
    """The app tags a message's events with msg_index (Cosmos runMsgs) through the
    manager: emitted by keyword, by flat tuple, ready-made, or taken from a written
    branch, each event gets the attribute last; events recorded after clearing do not."""
    ctx = Context("c", 1, 0, "", KVStore())
    manager = ctx.events
    manager.set_trailing_attribute("msg_index", "3")
    manager.emit("a", x=1)
    manager.emit_flat(("b", "y", "2"))
    manager.emit_event(Event("c", (Attribute("z", "3"),)))
    child, write = ctx.branch()
    child.events.emit("d")  # the branch's own manager has no trailer
    assert child.events.events == (Event("d", ()),)
    write()
    manager.clear_trailing_attribute()
    manager.emit("e")
    tag = Attribute("msg_index", "3")
    assert manager.take() == (
        Event("a", (Attribute("x", "1"), tag)),
        Event("b", (Attribute("y", "2"), tag)),
        Event("c", (Attribute("z", "3"), tag)),
        Event("d", (tag,)),
        Event("e", ()),
    )


def test_events_built_without_init_equal_constructed_ones() -> None:
    attr = make_attribute("k", "v")
    assert attr == Attribute("k", "v") and hash(attr) == hash(Attribute("k", "v"))
    assert make_event("t", (attr,)) == Event("t", (Attribute("k", "v"),))
    assert flat_event(("t", "k", "v")) == new_event("t", k="v")
    with pytest.raises(AttributeError):
        attr.key = "other"  # type: ignore[misc]  # still frozen


def test_clear_drops_the_events_of_a_failed_tx() -> None:
    manager = EventManager()
    manager.emit("lost")
    manager.clear()
    assert manager.events == () and len(manager) == 0
