"""The item bank on disk: the only package that imports duckdb.

Every SQL statement of the project lives in this package, with bound parameters, behind
`Store` methods named for what they do. Open the bank with `BankFile(path).read()` or
`.write()`: connections are short (DuckDB locks the whole file against other
processes), batch writes are one transaction, and bulk inserts go through Arrow.

Modules: `connection` (opening the file, waiting for a lock), `migrations` (the schema),
`base` (statements and transactions), one module of queries per concern (`items`,
`reviews`, `learners`, `runs`, `embeddings`, `blueprints`), `store` (the `Store` that
composes them), `access` (`BankAccess`, `BankFile`, `open_store`) and `embedding_cache`.
"""

from bank.store.access import DEFAULT_DB, BankAccess, BankFile, open_store
from bank.store.connection import connect
from bank.store.embedding_cache import StoreEmbeddingCache
from bank.store.items import SaveResult
from bank.store.migrations import MIGRATIONS
from bank.store.store import Store

__all__ = [
    "DEFAULT_DB",
    "MIGRATIONS",
    "BankAccess",
    "BankFile",
    "SaveResult",
    "Store",
    "StoreEmbeddingCache",
    "connect",
    "open_store",
]
