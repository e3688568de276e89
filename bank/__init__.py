"""The item bank: shared models, the DuckDB store, and import/export formats."""
