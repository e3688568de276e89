"""The bank's schema: ordered, named migrations, recorded in the database as they run.

Each migration runs once, in its own transaction, and is recorded in `_migrations`
(seq, name, applied_at); a bank is current when every name of MIGRATIONS is recorded.
Append new migrations at the end; never edit or reorder one that has shipped.
"""

from __future__ import annotations

from bank.store.base import StoreBase, now_utc

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_initial",
        """
        CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR);
        CREATE TABLE blueprints (
            id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, body JSON NOT NULL,
            loaded_at TIMESTAMPTZ NOT NULL);
        CREATE TABLE items (
            id VARCHAR PRIMARY KEY,
            content_hash VARCHAR NOT NULL,
            domain INTEGER NOT NULL,
            topic VARCHAR,
            stem VARCHAR NOT NULL,
            options VARCHAR[] NOT NULL,
            answer VARCHAR NOT NULL,
            rationale VARCHAR,
            sources JSON,
            difficulty VARCHAR,
            bloom VARCHAR,
            extra JSON,
            status VARCHAR NOT NULL,
            flaws JSON,
            reasons JSON,
            generator VARCHAR,
            generator_version VARCHAR,
            model VARCHAR,
            prompt_version VARCHAR,
            run_id VARCHAR,
            notes VARCHAR[],
            tokens_in BIGINT,
            tokens_out BIGINT,
            cost_usd DOUBLE,
            assigned_to VARCHAR,
            created_at TIMESTAMPTZ NOT NULL,
            updated_at TIMESTAMPTZ NOT NULL);
        CREATE SEQUENCE review_seq START 1;
        CREATE TABLE review_events (
            seq BIGINT PRIMARY KEY DEFAULT nextval('review_seq'),
            item_id VARCHAR NOT NULL, reviewer VARCHAR NOT NULL, decided_at TIMESTAMPTZ NOT NULL,
            decision VARCHAR NOT NULL, reason VARCHAR, note VARCHAR,
            before JSON, after JSON);
        CREATE TABLE learners (
            id VARCHAR PRIMARY KEY, exam_date DATE, hours_per_week DOUBLE,
            created_at TIMESTAMPTZ NOT NULL, token_hash VARCHAR, settings JSON);
        CREATE TABLE responses (
            learner_id VARCHAR NOT NULL, item_id VARCHAR NOT NULL,
            answered_at TIMESTAMPTZ NOT NULL, correct BOOLEAN NOT NULL,
            chosen VARCHAR, seconds DOUBLE);
        CREATE TABLE plans (
            id VARCHAR PRIMARY KEY, learner_id VARCHAR NOT NULL,
            created_at TIMESTAMPTZ NOT NULL, body JSON NOT NULL);
        CREATE TABLE runs (
            id VARCHAR PRIMARY KEY, flow VARCHAR NOT NULL,
            started_at TIMESTAMPTZ NOT NULL, finished_at TIMESTAMPTZ,
            status VARCHAR NOT NULL, params JSON, counts JSON,
            tokens_in BIGINT, tokens_out BIGINT, cost_usd DOUBLE, error VARCHAR);
        CREATE TABLE reviewers (
            name VARCHAR PRIMARY KEY, token_hash VARCHAR NOT NULL,
            created_at TIMESTAMPTZ NOT NULL);
        """,
    ),
    (
        "0002_embeddings",
        """
        CREATE TABLE embeddings (
            item_id VARCHAR NOT NULL, model VARCHAR NOT NULL, kind VARCHAR NOT NULL,
            vector FLOAT[] NOT NULL, PRIMARY KEY (item_id, model, kind));
        """,
    ),
    (
        # Items made from one fact or one item model give each other away: no form or
        # practice set holds two items of one enemy group.
        "0003_enemy_groups",
        """
        ALTER TABLE items ADD COLUMN enemy_group VARCHAR;
        """,
    ),
    (
        # Every way in is validated: when, and by which version of the checks.
        "0004_checked",
        """
        ALTER TABLE items ADD COLUMN checked_at TIMESTAMPTZ;
        ALTER TABLE items ADD COLUMN checks_version VARCHAR;
        """,
    ),
    (
        # A learner's plan is made from a stored profile, so looking at it changes nothing.
        "0005_learner_profile",
        """
        ALTER TABLE learners ADD COLUMN profile JSON;
        ALTER TABLE learners ADD COLUMN updated_at TIMESTAMPTZ;
        """,
    ),
    (
        # A practice session or mock exam survives a reload and a restart: what was drawn,
        # answered and flagged, and the deadline the server set. `body` holds the rest of
        # the record; `revision` decides which copy is newest (a replayed journal).
        "0006_practice_sessions",
        """
        CREATE TABLE practice_sessions (
            id VARCHAR PRIMARY KEY,
            learner_id VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            created_at TIMESTAMPTZ NOT NULL,
            started_at TIMESTAMPTZ,
            deadline TIMESTAMPTZ,
            finished_at TIMESTAMPTZ,
            item_ids VARCHAR[] NOT NULL,
            answers JSON NOT NULL,
            flags INTEGER[] NOT NULL,
            revision BIGINT NOT NULL,
            updated_at TIMESTAMPTZ NOT NULL,
            body JSON NOT NULL);
        """,
    ),
    (
        # A reviewer's sessions end on sign-out, rotation and removal (the session
        # generation every session carries), and a decision a server journaled lands in
        # the bank once (its event id).
        "0007_review_sessions",
        """
        ALTER TABLE reviewers ADD COLUMN session_gen INTEGER DEFAULT 0;
        ALTER TABLE review_events ADD COLUMN event_id VARCHAR;
        """,
    ),
]


class MigrationsMixin(StoreBase):
    """Reading and applying the bank's migrations."""

    def applied_migrations(self) -> list[str]:
        """Names of the migrations this bank has recorded, in the order they ran."""
        exists = self._one(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = '_migrations'"
        )
        if not exists or not exists[0]:
            return []
        return [r[0] for r in self._q("SELECT name FROM _migrations ORDER BY seq")]

    def pending_migrations(self) -> list[str]:
        """Names of the migrations this bank has not run yet, in the order they will run."""
        done = set(self.applied_migrations())
        return [name for name, _ in MIGRATIONS if name not in done]

    def migrate(self) -> list[str]:
        """Apply pending migrations in order, each in its own transaction.

        Returns:
            The names of the migrations applied now (empty when the bank was current).
        """
        self._q(
            "CREATE TABLE IF NOT EXISTS _migrations "
            "(seq INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"
        )
        done = set(self.applied_migrations())
        applied = []
        for seq, (name, sql) in enumerate(MIGRATIONS, start=1):
            if name in done:
                continue
            with self.transaction():
                self._q(sql)
                self._q("INSERT INTO _migrations VALUES (?, ?, ?)", [seq, name, now_utc()])
            applied.append(name)
        return applied
