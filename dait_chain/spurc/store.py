"""Durable session stores: sqlite3 in WAL mode (specs/spurc.md "Session store").

Seed 002 §7: "The tenant SHOULD checkpoint the last good state, persist the offending
receipt, and initiate a dispute". One file per (role, channel). Schema v1:

    meta        (key TEXT PRIMARY KEY, value BLOB)      schema, role, channel_id,
                                                         open_state, terms
    checkpoint  (id = 1, turn_num, state, frontier)     latest cosigned state (turn 0 at
                                                         open) and its merkle frontier
    receipts    (call_seq PRIMARY KEY, receipt)         receipts of cosigned states 1..n
    offences    (id, at_turn, now_ms, codespace, code,  every refused message, with the
                 name, log, receipt, headers,            registered error it got
                 request, response)
    issued      (id = 1, call_seq, receipt, state,      host only: the outstanding
                 frontier)                               provisional state it signed
    abandoned   (id, call_seq, receipt)                 host only: provisional receipts
                                                         the tenant never cosigned

Crash guarantees (kill -9 at any instant): a receipt and the state it produces are
written in one transaction (BEGIN IMMEDIATE ... COMMIT), so after reopening the store
holds some prefix of the session: the checkpoint is a cosigned state whose call_count
receipts are all present, once each (call_seq is the primary key). `synchronous=FULL`
makes a commit durable before it returns, and the sessions commit before they let the
signed state leave the process (write-ahead): nothing a peer has seen is lost.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from dait_chain.codec.errors import CodecError
from dait_chain.crypto.merkle import merkle_root
from dait_chain.spurc.channel import ChannelTerms, Frontier, RateCard
from dait_chain.spurc.errors import (
    ErrStoreConflict,
    ErrStoreCorrupt,
    ErrStoreMismatch,
    SpurcError,
)
from dait_chain.spurc.values import ChannelState, Receipt

SCHEMA = "dait-spurc-store-v1"


class Role(StrEnum):
    """Which side of the channel a store records."""

    TENANT = "tenant"
    HOST = "host"


class Durability(StrEnum):
    """`full`: a commit survives power loss (fsync per commit, the default). `process`:
    survives the process being killed, not the machine (synchronous=NORMAL in WAL)."""

    FULL = "full"
    PROCESS = "process"


_SCHEMA_SQL = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1),"
    " turn_num INTEGER NOT NULL, state BLOB NOT NULL, frontier BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS receipts (call_seq INTEGER PRIMARY KEY, receipt BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS offences (id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " at_turn INTEGER NOT NULL, now_ms INTEGER NOT NULL, codespace TEXT NOT NULL,"
    " code INTEGER NOT NULL, name TEXT NOT NULL, log TEXT NOT NULL, receipt BLOB,"
    " headers BLOB NOT NULL, request BLOB NOT NULL, response BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS issued (id INTEGER PRIMARY KEY CHECK (id = 1),"
    " call_seq INTEGER NOT NULL, receipt BLOB NOT NULL, state BLOB NOT NULL,"
    " frontier BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS abandoned (id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " call_seq INTEGER NOT NULL, receipt BLOB NOT NULL)",
)


def terms_to_bytes(terms: ChannelTerms) -> bytes:
    """Storage form of the channel terms: compact sorted JSON, integers as strings."""
    card = terms.rate_card
    obj = {
        "model_hash": terms.model_hash.hex(),
        "per_call_uDAIT": str(card.per_call_uDAIT),
        "per_token_in_uDAIT": str(card.per_token_in_uDAIT),
        "per_token_out_uDAIT": str(card.per_token_out_uDAIT),
    }
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def terms_from_bytes(data: bytes) -> ChannelTerms:
    """Inverse of terms_to_bytes; ErrStoreCorrupt on anything else."""
    try:
        obj = json.loads(data)
        card = RateCard(
            int(obj["per_call_uDAIT"]),
            int(obj["per_token_in_uDAIT"]),
            int(obj["per_token_out_uDAIT"]),
        )
        return ChannelTerms(bytes.fromhex(obj["model_hash"]), card)
    except (ValueError, KeyError, TypeError) as exc:
        raise ErrStoreCorrupt(f"terms: {exc}") from exc


@dataclass(frozen=True, slots=True)
class Offence:
    """A refused message as stored: the error it got and the evidence."""

    at_turn: int
    now_ms: int
    codespace: str
    code: int
    name: str
    log: str
    receipt: bytes | None
    headers: tuple[tuple[str, str], ...]
    request: bytes
    response: bytes


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The latest cosigned state (turn 0 at open) and its merkle frontier."""

    state: ChannelState
    frontier: Frontier


@dataclass(frozen=True, slots=True)
class IssuedRow:
    """Host: the outstanding provisional state and its receipt."""

    receipt: Receipt
    state: ChannelState
    frontier: Frontier


def _blob(value: object, what: str) -> bytes:
    if not isinstance(value, bytes):
        raise ErrStoreCorrupt(f"{what}: stored as {type(value).__name__}, not a blob")
    return value


def _decode_state(data: bytes, what: str) -> ChannelState:
    try:
        return ChannelState.decode(data)
    except CodecError as exc:
        raise ErrStoreCorrupt(f"{what}: {exc.log}") from exc


def _decode_receipt(data: bytes, what: str) -> Receipt:
    try:
        return Receipt.decode(data)
    except CodecError as exc:
        raise ErrStoreCorrupt(f"{what}: {exc.log}") from exc


class SessionStore:
    """One channel's durable record for one role. Not a value: it owns a connection.

    Thread-safe: every method holds the store's lock (the HTTP host is threaded).
    """

    def __init__(self, conn: sqlite3.Connection, role: Role, open_state: ChannelState) -> None:
        self._conn = conn
        self.role = role
        self.open_state = open_state
        self._lock = threading.RLock()

    # --- opening ------------------------------------------------------------------------

    @staticmethod
    def _connect(path: Path, durability: Durability) -> sqlite3.Connection:
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        sync = "FULL" if durability is Durability.FULL else "NORMAL"
        conn.execute(f"PRAGMA synchronous={sync}")
        conn.execute("PRAGMA foreign_keys=ON")
        return conn

    @classmethod
    def create(
        cls,
        path: Path,
        role: Role,
        open_state: ChannelState,
        terms: ChannelTerms,
        durability: Durability = Durability.FULL,
    ) -> SessionStore:
        """A new store for a channel opened with `open_state` (turn 0)."""
        if path.exists():
            raise ErrStoreMismatch(f"{path} already exists")
        conn = cls._connect(path, durability)
        with _transaction(conn):
            for sql in _SCHEMA_SQL:
                conn.execute(sql)
            meta = {
                "schema": SCHEMA.encode(),
                "role": role.value.encode(),
                "channel_id": open_state.channel_id,
                "open_state": open_state.encode(),
                "terms": terms_to_bytes(terms),
            }
            conn.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))
            conn.execute(
                "INSERT INTO checkpoint VALUES (1, 0, ?, ?)",
                (open_state.encode(), Frontier.empty().encode()),
            )
        return cls(conn, role, open_state)

    @classmethod
    def open(
        cls,
        path: Path,
        role: Role,
        durability: Durability = Durability.FULL,
        channel_id: bytes | None = None,
    ) -> SessionStore:
        """Reopen a store (after a clean exit or a crash) and check its integrity."""
        if not path.exists():
            raise ErrStoreMismatch(f"{path} does not exist")
        conn = cls._connect(path, durability)
        try:
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise ErrStoreMismatch(f"{path}: {exc}") from exc
        if meta.get("schema") != SCHEMA.encode() or meta.get("role") != role.value.encode():
            conn.close()
            raise ErrStoreMismatch(
                f"{path}: schema/role {meta.get('schema')!r}/{meta.get('role')!r}"
            )
        if channel_id is not None and meta.get("channel_id") != channel_id:
            conn.close()
            raise ErrStoreMismatch(f"{path}: another channel")
        store = cls(conn, role, _decode_state(meta["open_state"], "open_state"))
        try:
            store.check_integrity()
        except SpurcError:
            conn.close()
            raise
        except (sqlite3.Error, TypeError, ValueError) as exc:  # rows of the wrong type
            conn.close()
            raise ErrStoreCorrupt(f"{path}: {exc}") from exc
        return store

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    @property
    def connection(self) -> sqlite3.Connection:
        """The sqlite connection (diagnostics and the crash test's statement hook)."""
        return self._conn

    # --- reads ----------------------------------------------------------------------------

    def terms(self) -> ChannelTerms:
        """The channel terms agreed at open."""
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key = 'terms'").fetchone()
        return terms_from_bytes(row[0])

    def checkpoint(self) -> Checkpoint:
        """The latest cosigned state and its frontier."""
        with self._lock:
            row = self._conn.execute("SELECT state, frontier FROM checkpoint").fetchone()
        if row is None:
            raise ErrStoreCorrupt("no checkpoint row")
        return Checkpoint(_decode_state(row[0], "checkpoint"), Frontier.decode(row[1]))

    def receipts(self) -> tuple[Receipt, ...]:
        """Every receipt of a cosigned state, by call_seq."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT call_seq, receipt FROM receipts ORDER BY call_seq"
            ).fetchall()
        return tuple(_decode_receipt(r[1], f"receipt {r[0]}") for r in rows)

    def receipt_rows(self) -> tuple[tuple[int, bytes], ...]:
        """(call_seq, receipt bytes) of every stored receipt, by call_seq."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT call_seq, receipt FROM receipts ORDER BY call_seq"
            ).fetchall()
        return tuple((int(r[0]), _blob(r[1], f"receipt {r[0]}")) for r in rows)

    def offences(self) -> tuple[Offence, ...]:
        """Every refused message, oldest first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT at_turn, now_ms, codespace, code, name, log, receipt, headers,"
                " request, response FROM offences ORDER BY id"
            ).fetchall()
        return tuple(
            Offence(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                None if r[6] is None else bytes(r[6]),
                tuple((str(k), str(v)) for k, v in json.loads(r[7])),
                bytes(r[8]),
                bytes(r[9]),
            )
            for r in rows
        )

    def issued(self) -> IssuedRow | None:
        """Host: the outstanding provisional state, if any."""
        with self._lock:
            row = self._conn.execute("SELECT receipt, state, frontier FROM issued").fetchone()
        if row is None:
            return None
        return IssuedRow(
            _decode_receipt(row[0], "issued receipt"),
            _decode_state(row[1], "issued state"),
            Frontier.decode(row[2]),
        )

    def abandoned(self) -> tuple[tuple[int, Receipt], ...]:
        """Host: provisional receipts the tenant never cosigned, oldest first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT call_seq, receipt FROM abandoned ORDER BY id"
            ).fetchall()
        return tuple((int(r[0]), _decode_receipt(r[1], "abandoned")) for r in rows)

    def check_integrity(self) -> None:
        """The checkpoint and the receipts agree: receipts are exactly call_seq 1..n with
        n = call_count, their merkle root is the state's root, their prices sum to spent,
        and the frontier is the state's. ErrStoreCorrupt otherwise."""
        cp = self.checkpoint()
        rows = self.receipt_rows()
        state = cp.state
        if state.channel_id != self.open_state.channel_id:
            raise ErrStoreCorrupt("checkpoint of another channel")
        if [seq for seq, _ in rows] != list(range(1, state.call_count + 1)):
            raise ErrStoreCorrupt(f"{len(rows)} receipts for call_count {state.call_count}")
        receipts = [_decode_receipt(data, f"receipt {seq}") for seq, data in rows]
        if merkle_root([data for _, data in rows]) != state.receipts_merkle_root:
            raise ErrStoreCorrupt("receipts do not hash to the checkpoint's root")
        if sum(r.price_uDAIT for r in receipts) != state.spent_amount:
            raise ErrStoreCorrupt("receipt prices do not sum to spent_amount")
        if cp.frontier.size != state.call_count or cp.frontier.root() != state.receipts_merkle_root:
            raise ErrStoreCorrupt("frontier does not match the checkpoint")

    # --- writes (one transaction each) -------------------------------------------------------

    def _expect_turn(self, turn: int) -> None:
        row = self._conn.execute("SELECT turn_num FROM checkpoint").fetchone()
        if row is None or row[0] != turn:
            raise ErrStoreConflict(
                f"checkpoint at turn {None if row is None else row[0]}, want {turn}"
            )

    def _write_checkpoint(self, receipt: Receipt, state: ChannelState, frontier: Frontier) -> None:
        self._conn.execute(
            "INSERT INTO receipts VALUES (?, ?)", (receipt.call_seq, receipt.encode())
        )
        self._conn.execute(
            "UPDATE checkpoint SET turn_num = ?, state = ?, frontier = ? WHERE id = 1",
            (state.turn_num, state.encode(), frontier.encode()),
        )

    def commit_cosigned(
        self, receipt: Receipt, state: ChannelState, frontier: Frontier, *, prev_turn: int
    ) -> None:
        """Tenant: receipt n and cosigned state n, atomically, if the checkpoint is still
        at `prev_turn` (else ErrStoreConflict: another writer advanced it)."""
        with self._lock, _transaction(self._conn):
            self._expect_turn(prev_turn)
            self._write_checkpoint(receipt, state, frontier)

    def host_commit(
        self,
        *,
        prev_turn: int,
        cosigned: tuple[Receipt, ChannelState, Frontier] | None,
        abandon: bool,
        issue: IssuedRow | None,
    ) -> None:
        """Host: in one transaction, record the cosigned state the tenant sent (or abandon
        the outstanding provisional state), and record the newly issued one."""
        with self._lock, _transaction(self._conn):
            self._expect_turn(prev_turn)
            if cosigned is not None:
                self._write_checkpoint(*cosigned)
                self._conn.execute("DELETE FROM issued")
            if abandon:
                row = self._conn.execute("SELECT call_seq, receipt FROM issued").fetchone()
                if row is not None:
                    self._conn.execute(
                        "INSERT INTO abandoned (call_seq, receipt) VALUES (?, ?)", row
                    )
                    self._conn.execute("DELETE FROM issued")
            if issue is not None:
                self._conn.execute(
                    "INSERT OR REPLACE INTO issued VALUES (1, ?, ?, ?, ?)",
                    (
                        issue.receipt.call_seq,
                        issue.receipt.encode(),
                        issue.state.encode(),
                        issue.frontier.encode(),
                    ),
                )

    def record_offence(
        self,
        error: SpurcError,
        *,
        at_turn: int,
        now_ms: int,
        receipt: bytes | None,
        headers: tuple[tuple[str, str], ...],
        request: bytes,
        response: bytes,
    ) -> None:
        """Persist a refused message with its registered error (seed 002 §7)."""
        with self._lock, _transaction(self._conn):
            self._conn.execute(
                "INSERT INTO offences (at_turn, now_ms, codespace, code, name, log, receipt,"
                " headers, request, response) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    at_turn,
                    now_ms,
                    error.codespace,
                    error.code,
                    type(error).__name__,
                    error.log,
                    receipt,
                    json.dumps([list(h) for h in headers]),
                    request,
                    response,
                ),
            )


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE (take the write lock first) ... COMMIT, or ROLLBACK on any error."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
