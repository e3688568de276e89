"""`Store`: every query of the bank over one open connection.

The queries live with their concern (items, reviews, learners, runs, embeddings,
blueprints, migrations) as mixins over `StoreBase`; `Store` composes them so callers
keep one object with methods named for intent. Open one with `BankFile` (or
`open_store`), not by hand.
"""

from __future__ import annotations

from bank.store.blueprints import BlueprintsMixin
from bank.store.embeddings import EmbeddingsMixin
from bank.store.items import ItemsMixin
from bank.store.learners import LearnersMixin
from bank.store.migrations import MigrationsMixin
from bank.store.reviews import ReviewsMixin
from bank.store.runs import RunsMixin
from bank.store.sessions import SessionsMixin


class Store(
    MigrationsMixin,
    BlueprintsMixin,
    ItemsMixin,
    ReviewsMixin,
    LearnersMixin,
    RunsMixin,
    EmbeddingsMixin,
    SessionsMixin,
):
    """Methods over one open connection; get one from `BankFile.read()` or `.write()`.

    Attributes:
        con: the DuckDB connection, owned by whoever opened it.
        path: the bank file.
    """
