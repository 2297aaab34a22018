"""Events: typed, with ordered string attributes, as Cosmos ABCI events.

specs/app.md "Events". architecture guide: "Events are part of the contract. Typed
events ... with ordered string attributes, as Cosmos emits them."

An EventManager belongs to one Context. A branch of the context gets its own manager;
the branch's write function appends the branch's events to the parent's, so events
emitted inside a failed tx (or a failed EndBlocker item) vanish with its branch.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Attribute:
    """One event attribute (ABCI EventAttribute; every attribute is indexed)."""

    key: str
    value: str


@dataclass(frozen=True, slots=True)
class Event:
    """One event: a type and its attributes in emission order."""

    type: str
    attributes: tuple[Attribute, ...] = ()

    def get(self, key: str) -> str | None:
        """The value of the first attribute named key, or None."""
        for attr in self.attributes:
            if attr.key == key:
                return attr.value
        return None

    def as_dict(self) -> dict[str, str]:
        """The attributes as a dict (later duplicates win); for tests and reports."""
        return {a.key: a.value for a in self.attributes}


def _text(value: str | int) -> str:
    kind = type(value)
    if kind is str:
        return value  # type: ignore[return-value]
    # bool is an int in Python; "True" is not a Cosmos attribute value, so refuse it.
    if kind is int or (isinstance(value, int) and not isinstance(value, bool)):
        return str(value)
    raise TypeError(f"event attribute values are str or int, not {kind.__name__}")


# Events repeat: each tx of a user emits the same fee events (coin_spent by the user,
# coin_received by fee_collector, transfer, tx{fee, fee_payer}), and attributes recur
# (addresses, amounts, module names). Events and attributes are immutable values, so
# equal inputs can share one instance, and building the frozen dataclasses (one
# object.__setattr__ per field) is most of the cost of emitting. The caches are keyed by
# the event's strings, bounded, and cleared when full: they decide which instance is
# returned, never its value.
_CACHE_LIMIT = 1 << 14
_EVENTS: dict[tuple[str, ...], Event] = {}
_ATTRIBUTES: dict[tuple[str, str], Attribute] = {}

# A frozen dataclass's __init__ goes through object.__setattr__ once per field (a type
# lookup each); the slots' own setters store the same fields at about half the cost. Used
# only to build new instances, which nothing else has seen yet.
_new = object.__new__
_set_key = Attribute.__dict__["key"].__set__
_set_value = Attribute.__dict__["value"].__set__
_set_type = Event.__dict__["type"].__set__
_set_attributes = Event.__dict__["attributes"].__set__


def make_attribute(key: str, value: str) -> Attribute:
    """Attribute(key, value), built without the dataclass __init__ (same value)."""
    attr: Attribute = _new(Attribute)
    _set_key(attr, key)
    _set_value(attr, value)
    return attr


def make_event(type_: str, attributes: tuple[Attribute, ...]) -> Event:
    """Event(type_, attributes), built without the dataclass __init__ (same value)."""
    event: Event = _new(Event)
    _set_type(event, type_)
    _set_attributes(event, attributes)
    return event


def _attribute(key: str, value: str) -> Attribute:
    pair = (key, value)
    attr = _ATTRIBUTES.get(pair)
    if attr is None:
        if len(_ATTRIBUTES) >= _CACHE_LIMIT:
            _ATTRIBUTES.clear()
        attr = _ATTRIBUTES[pair] = make_attribute(key, value)
    return attr


def flat_event(flat: tuple[str, ...]) -> Event:
    """The event whose type and attributes are flat = (type, key1, value1, key2, ...)."""
    event = _EVENTS.get(flat)
    if event is None:
        if len(_EVENTS) >= _CACHE_LIMIT:
            _EVENTS.clear()
        attributes = tuple(_attribute(flat[i], flat[i + 1]) for i in range(1, len(flat), 2))
        event = _EVENTS[flat] = make_event(flat[0], attributes)
    return event


def _event_of(type_: str, attributes: dict[str, str | int], trailer: tuple[str, ...]) -> Event:
    items = [type_]
    for key, value in attributes.items():
        items.append(key)
        items.append(value if type(value) is str else _text(value))
    if trailer:
        items += trailer
    flat = tuple(items)
    event = _EVENTS.get(flat)  # looked up here too: a hit costs no further call
    return flat_event(flat) if event is None else event


def new_event(type_: str, /, **attributes: str | int) -> Event:
    """An event whose attributes are the keyword arguments, in the order given.

    int values are written in decimal, as Cosmos writes amounts and ids.
    """
    return _event_of(type_, attributes, ())


def with_attribute(event: Event, key: str, value: str) -> Event:
    """event with one more attribute at the end (the app appends msg_index this way)."""
    flat = [event.type]
    for attr in event.attributes:
        flat.append(attr.key)
        flat.append(attr.value)
    flat.append(key)
    flat.append(value)
    return flat_event(tuple(flat))


class EventManager:
    """Collects the events of one context, in emission order.

    A trailing attribute, while set, is appended to every event the manager records
    (emitted here or taken from a written branch): the app tags each message's events
    with `msg_index` this way (Cosmos runMsgs), so that an event is built once, not built
    and then copied with one more attribute.
    """

    __slots__ = ("_events", "_trailer")

    def __init__(self) -> None:
        self._events: list[Event] = []
        self._trailer: tuple[str, ...] = ()

    def emit(self, type_: str, /, **attributes: str | int) -> None:
        """Emit an event: `ctx.events.emit("transfer", recipient=r, sender=s, amount=a)`."""
        self._events.append(_event_of(type_, attributes, self._trailer))

    def emit_flat(self, flat: tuple[str, ...]) -> None:
        """Emit the event (type, key1, value1, key2, value2, ...) (plus the trailing
        attribute, if set): the cheapest way to emit an event whose shape is fixed."""
        trailer = self._trailer
        self._events.append(flat_event(flat + trailer if trailer else flat))

    def emit_event(self, event: Event) -> None:
        """Emit a ready-made event (attribute keys that are not Python names go this way)."""
        if self._trailer:
            event = with_attribute(event, *self._trailer)
        self._events.append(event)

    def extend(self, events: tuple[Event, ...] | list[Event]) -> None:
        """Append events in order (a branch's write function uses this)."""
        if self._trailer:
            key, value = self._trailer
            events = [with_attribute(event, key, value) for event in events]
        self._events.extend(events)

    def set_trailing_attribute(self, key: str, value: str) -> None:
        """Append (key, value) to every event recorded from now on, until cleared."""
        self._trailer = (key, value)

    def clear_trailing_attribute(self) -> None:
        """Record events as they are emitted again."""
        self._trailer = ()

    def take(self) -> tuple[Event, ...]:
        """Every event emitted so far, removing them from this manager."""
        taken = tuple(self._events)
        self._events.clear()
        return taken

    def clear(self) -> None:
        """Drop every event emitted so far (a failed tx's)."""
        self._events.clear()

    @property
    def events(self) -> tuple[Event, ...]:
        """Every event emitted so far, in order."""
        return tuple(self._events)

    def __len__(self) -> int:
        return len(self._events)


__all__ = [
    "Attribute",
    "Event",
    "EventManager",
    "flat_event",
    "make_attribute",
    "make_event",
    "new_event",
    "with_attribute",
]
