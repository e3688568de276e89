"""Checks of items: schema and flaws, duplicates, enemies, grounding, review decisions.

Flaw rules: flaws (the registry), flaw_options, flaw_stem, flaw_cues, flaw_inputs.
Duplicates: detector (the layered detector), layer (its rules and protocol), lexical,
semantic, identifiers, calibration; their vectors: encoders, vector_cache, tfidf,
similarity. Also enemies, grounding, report (a batch's verdicts), file_check (an item
file, line by line) and review (review decisions). Imports only `bank`.
"""
