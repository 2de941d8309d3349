"""The electronic journal: an append-only, durable SQLite file.

kassasystemforskrifta § 1-2 bokstav k and § 2-7 første ledd: all continuous use of the
system is stored continuously in the electronic journal, which is protected against
alteration and deletion (§ 2-6 andre ledd: corrections are new registrations).

Storage decisions:

* SQLite in WAL mode with ``synchronous=FULL``: a commit returns only after the WAL is
  on disk, so a record the till has acted on (printed, opened the drawer for) survives
  power loss and ``SIGKILL``.
* Triggers reject every ``UPDATE`` and ``DELETE`` on the journal tables; the only way to
  change history is to append.
* One table ``journal`` holds events and signed transactions in one total order
  (``seq``); a unique index on ``(register_id, nr)`` makes the per-register signature
  chain gapless and unique. Each row carries the record as JSON
  (:func:`reference_till.model.to_json`).
* ``print_log`` records, also append-only, which documents were sent to the printer
  (``queued``/``printed``/``failed``); it is local bookkeeping for crash recovery and is
  not exported. See :mod:`reference_till.till` for the order of journal write and
  printing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

from reference_till.model import CashTransaction, Event, JournalEntry, from_json, to_json

__all__ = ["Journal", "JournalCorrupt", "PrintJob"]

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS journal (
    seq         INTEGER PRIMARY KEY,
    register_id TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('event', 'transaction')),
    type        TEXT NOT NULL,
    at          TEXT NOT NULL,
    day         TEXT NOT NULL,
    trans_id    TEXT,
    nr          INTEGER,
    payload     TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS journal_chain ON journal (register_id, nr) WHERE nr IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS journal_trans ON journal (trans_id) WHERE kind = 'transaction';
CREATE INDEX IF NOT EXISTS journal_register ON journal (register_id, seq);
CREATE INDEX IF NOT EXISTS journal_day ON journal (day, seq);
CREATE TABLE IF NOT EXISTS print_log (
    id          INTEGER PRIMARY KEY,
    job         INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    register_id TEXT NOT NULL,
    document    TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('queued', 'printed', 'failed')),
    at          TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS print_log_job ON print_log (job);
"""

_APPEND_ONLY = "the electronic journal is append-only (kassasystemforskrifta § 2-6 andre ledd, § 2-7)"
_TRIGGERS = "".join(
    f"""
CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table}
BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END;"""
    for table in ("journal", "print_log", "meta")
    for op in ("UPDATE", "DELETE")
)


class JournalCorrupt(Exception):
    """The journal file cannot be used: not a journal, a newer schema, or damaged."""


class PrintJob:
    """A document sent (or to be sent) to the printer, as recorded in ``print_log``."""

    __slots__ = ("document", "job", "register_id", "seq", "state")

    def __init__(self, job: int, seq: int, register_id: str, document: str, state: str) -> None:
        self.job = job
        self.seq = seq
        self.register_id = register_id
        self.document = document
        self.state = state

    def __repr__(self) -> str:
        return f"PrintJob({self.job}, seq={self.seq}, {self.register_id}, {self.document!r}, {self.state})"


class Journal:
    """The append-only electronic journal of one till (all its kassapunkter).

    Args:
        path: The SQLite file; created with the schema if it does not exist.

    Raises:
        JournalCorrupt: The file exists but is not a kassakontroll journal.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._db = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA + _TRIGGERS)
            row = self._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if row is None:
                self._db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
            elif int(row[0]) > SCHEMA_VERSION:
                raise JournalCorrupt(
                    f"{self.path} has journal schema {row[0]}; this version reads "
                    f"{SCHEMA_VERSION}. Use a newer kassakontroll."
                )
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise JournalCorrupt(f"{self.path} is not a usable journal: {exc}") from None
        self._next_seq: int = int(self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM journal").fetchone()[0]) + 1
        self._next_job: int = int(self._db.execute("SELECT COALESCE(MAX(job), 0) FROM print_log").fetchone()[0]) + 1

    # ------------------------------------------------------------------ writing

    def append(
        self,
        records: Sequence[CashTransaction | Event],
        *,
        print_documents: Sequence[tuple[int, str]] = (),
        print_states: Sequence[tuple[int, str]] = (),
    ) -> tuple[list[int], list[int]]:
        """Append records atomically and durably (one SQLite transaction, fsync on commit).

        Args:
            records: Events and signed transactions, in the order they happened.
            print_documents: ``(index into records, document name)`` for documents to
                queue for printing; the job refers to that record's ``seq``.
            print_states: ``(job, state)`` updates of earlier jobs (``printed``/``failed``),
                written in the same commit.

        Returns:
            The ``seq`` of each record and the job number of each queued document.
        """
        seqs: list[int] = []
        jobs: list[int] = []
        rows = []
        seq = self._next_seq
        for record in records:
            is_tx = isinstance(record, CashTransaction)
            rows.append(
                (
                    seq,
                    record.register_id,
                    "transaction" if is_tx else "event",
                    record.kind.value if isinstance(record, CashTransaction) else record.event_type,
                    record.at.isoformat(),
                    record.at.date().isoformat(),
                    record.trans_id or None,
                    record.nr if isinstance(record, CashTransaction) else None,
                    to_json(record),
                )
            )
            seqs.append(seq)
            seq += 1
        now = datetime.now().isoformat()
        log_rows = []
        job = self._next_job
        for index, document in print_documents:
            record = records[index]
            log_rows.append((job, seqs[index], record.register_id, document, "queued", now))
            jobs.append(job)
            job += 1
        for old_job, state in print_states:
            log_rows.append((old_job, 0, "", "", state, now))
        cur = self._db.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            cur.executemany("INSERT INTO journal VALUES (?,?,?,?,?,?,?,?,?)", rows)
            if log_rows:
                cur.executemany(
                    "INSERT INTO print_log (job, seq, register_id, document, state, at) VALUES (?,?,?,?,?,?)", log_rows
                )
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        self._next_seq = seq
        self._next_job = job
        return seqs, jobs

    def mark_printed(self, jobs: Sequence[tuple[int, str]]) -> None:
        """Record the outcome of print jobs (``(job, "printed" | "failed")``) in their own commit."""
        if jobs:
            self.append((), print_states=jobs)

    # ------------------------------------------------------------------ reading

    def entries(
        self,
        *,
        register_id: str | None = None,
        start: date | None = None,
        end: date | None = None,
        after_seq: int = 0,
        kind: str | None = None,
    ) -> Iterator[JournalEntry]:
        """Iterate journal records in ``seq`` order.

        Args:
            register_id: Only this kassapunkt.
            start: First day (inclusive), by the record's local date.
            end: Last day (inclusive).
            after_seq: Only records with ``seq`` greater than this.
            kind: ``"event"`` or ``"transaction"``.
        """
        sql = "SELECT seq, payload FROM journal WHERE seq > ?"
        args: list[object] = [after_seq]
        if register_id is not None:
            sql += " AND register_id = ?"
            args.append(register_id)
        if start is not None:
            sql += " AND day >= ?"
            args.append(start.isoformat())
        if end is not None:
            sql += " AND day < ?"
            args.append((end + timedelta(days=1)).isoformat())
        if kind is not None:
            sql += " AND kind = ?"
            args.append(kind)
        sql += " ORDER BY seq"
        cursor = self._db.execute(sql, args)
        while batch := cursor.fetchmany(512):
            for seq, payload in batch:
                yield JournalEntry(seq, from_json(payload))

    def first_day(self) -> date | None:
        """The local date of the oldest record (``None`` for an empty journal)."""
        row = self._db.execute("SELECT min(day) FROM journal").fetchone()
        return date.fromisoformat(str(row[0])[:10]) if row is not None and row[0] is not None else None

    def last_transaction(self, register_id: str) -> CashTransaction | None:
        """The register's latest signed transaction (the head of its signature chain)."""
        row = self._db.execute(
            "SELECT payload FROM journal WHERE register_id = ? AND nr IS NOT NULL ORDER BY nr DESC LIMIT 1",
            (register_id,),
        ).fetchone()
        if row is None:
            return None
        record = from_json(row[0])
        assert isinstance(record, CashTransaction)
        return record

    def transaction(self, trans_id: str) -> CashTransaction | None:
        """Look up a transaction by its transID."""
        row = self._db.execute(
            "SELECT payload FROM journal WHERE trans_id = ? AND kind = 'transaction'", (trans_id,)
        ).fetchone()
        if row is None:
            return None
        record = from_json(row[0])
        assert isinstance(record, CashTransaction)
        return record

    def count_events(self, event_type: str, *, trans_id: str | None = None, register_id: str | None = None) -> int:
        """Count events of one type, optionally for one transID and/or one register."""
        sql = "SELECT COUNT(*) FROM journal WHERE kind = 'event' AND type = ?"
        args: list[object] = [event_type]
        if trans_id is not None:
            sql += " AND trans_id = ?"
            args.append(trans_id)
        if register_id is not None:
            sql += " AND register_id = ?"
            args.append(register_id)
        return int(self._db.execute(sql, args).fetchone()[0])

    def last_event(self, event_type: str, register_id: str) -> JournalEntry | None:
        """The latest event of a type on a register (for example the last Z report)."""
        row = self._db.execute(
            "SELECT seq, payload FROM journal WHERE kind='event' AND type=? AND register_id=? "
            "ORDER BY seq DESC LIMIT 1",
            (event_type, register_id),
        ).fetchone()
        return None if row is None else JournalEntry(row[0], from_json(row[1]))

    def max_number(self, register_id: str, series: str) -> int:
        """Highest document number used in a series on a register (0 if none)."""
        prefix = f"{register_id}-{series}"
        row = self._db.execute(
            "SELECT MAX(trans_id) FROM journal WHERE kind='transaction' AND register_id=? "
            "AND trans_id >= ? AND trans_id < ?",
            (register_id, prefix, prefix + "\x7f"),
        ).fetchone()
        return int(row[0][len(prefix) :]) if row and row[0] else 0

    def unfinished_print_jobs(self) -> list[PrintJob]:
        """Print jobs queued but never confirmed as printed (crash or printer failure)."""
        rows = self._db.execute(
            "SELECT q.job, q.seq, q.register_id, q.document, "
            "  (SELECT state FROM print_log s WHERE s.job = q.job ORDER BY s.id DESC LIMIT 1) "
            "FROM print_log q WHERE q.state = 'queued' ORDER BY q.job"
        ).fetchall()
        return [PrintJob(job, seq, reg, doc, state) for job, seq, reg, doc, state in rows if state != "printed"]

    @property
    def last_seq(self) -> int:
        """The ``seq`` of the newest record (0 for an empty journal)."""
        return self._next_seq - 1

    def integrity_check(self) -> str:
        """Run SQLite's integrity check; returns ``"ok"`` for a sound file."""
        return str(self._db.execute("PRAGMA integrity_check").fetchone()[0])

    def close(self) -> None:
        """Close the database file."""
        self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
