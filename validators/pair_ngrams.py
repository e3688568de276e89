"""validators.tfidf.raw_counts, vectorized: the same hashed n-gram counts, ten times sooner.

scikit-learn's HashingVectorizer builds every n-gram as a Python string and hashes them
one by one: for 1,000 medical stems and their 4,000 options that took 1.2 of the 5.2 s
a check of 1,000 candidates took against a 100,000-item bank. Here each text is split
in Python (lower-casing, whitespace and word tokens, C-speed string methods), and the
n-grams are windows into one byte buffer, hashed together with numpy's uint32
arithmetic (MurmurHash3 x86 32-bit, seed 0, as scikit-learn hashes). The counts are
those of `raw_counts` (tests check it on the labeled pairs): a text with characters
beyond ASCII has its n-grams counted in characters and hashed on their UTF-8 bytes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from validators.tfidf import HASH_FEATURES, raw_counts

_WORD = re.compile(r"(?u)\b\w+\b")  # the word vectorizer's token_pattern (validators.tfidf)
_C1, _C2 = np.uint32(0xCC9E2D51), np.uint32(0x1B873593)
CHAR_NGRAMS = (3, 4, 5)  # the char_wb vectorizer's ngram_range (validators.tfidf)


def _rotl(x: np.ndarray, r: int) -> np.ndarray:
    out: np.ndarray = (x << np.uint32(r)) | (x >> np.uint32(32 - r))
    return out


def murmur3(buf: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """MurmurHash3_x86_32 (seed 0), as int32, of the byte windows buf[start:start+length]."""
    n = starts.size
    h = np.zeros(n, dtype=np.uint32)
    blocks = lengths // 4
    for j in range(int(blocks.max()) if n else 0):
        m = blocks > j
        at = starts[m] + 4 * j
        k = (
            buf[at].astype(np.uint32)
            | (buf[at + 1].astype(np.uint32) << np.uint32(8))
            | (buf[at + 2].astype(np.uint32) << np.uint32(16))
            | (buf[at + 3].astype(np.uint32) << np.uint32(24))
        )
        k = _rotl(k * _C1, 15) * _C2
        hm = _rotl(h[m] ^ k, 13)
        h[m] = hm * np.uint32(5) + np.uint32(0xE6546B64)
    rest = lengths & 3
    base = starts + 4 * blocks
    k = np.zeros(n, dtype=np.uint32)
    for r in (3, 2, 1):
        m = rest >= r
        k[m] ^= buf[base[m] + r - 1].astype(np.uint32) << np.uint32(8 * (r - 1))
    m = rest > 0
    h[m] ^= _rotl(k[m] * _C1, 15) * _C2
    h ^= lengths.astype(np.uint32)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h.view(np.int32)


def _columns(h: np.ndarray, n_features: int = HASH_FEATURES) -> np.ndarray:
    """scikit-learn's column of each hash: abs(h) % n_features (abs(-2**31) defined)."""
    wide = np.abs(h.astype(np.int64)) % n_features
    wide[h == np.iinfo(np.int32).min] = (2147483647 - (n_features - 1)) % n_features
    return wide


def _windows(
    lengths: np.ndarray, widths: Sequence[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(start, width, piece) of every window of each width inside consecutive pieces."""
    piece_len = np.asarray(lengths, dtype=np.int64)
    piece_at = np.concatenate([[0], np.cumsum(piece_len)[:-1]]).astype(np.int64)
    pieces = np.arange(piece_len.size)
    starts, sizes, owners = [], [], []
    for w in widths:
        count = np.maximum(piece_len - w + 1, 0)
        first = np.repeat(piece_at, count)
        within = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
        starts.append(first + within)
        sizes.append(np.full(first.size, w, dtype=np.int64))
        owners.append(np.repeat(pieces, count))
    return np.concatenate(starts), np.concatenate(sizes), np.concatenate(owners)


def _bytes(joined: str) -> tuple[np.ndarray, np.ndarray]:
    """The UTF-8 bytes of `joined`, and the byte offset of each of its characters (and the end)."""
    buf = np.frombuffer(joined.encode("utf-8"), dtype=np.uint8)
    if joined.isascii():
        return buf, np.arange(len(joined) + 1, dtype=np.int64)
    points = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    size = 1 + (points >= 0x80).astype(np.int64) + (points >= 0x800) + (points >= 0x10000)
    return buf, np.concatenate([[0], np.cumsum(size)])


def _block(pieces: list[list[str]], widths: Sequence[int] | None) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of each hashed n-gram of each text, its text given as `pieces`.

    With `widths`: the char n-grams of those widths inside each piece (a padded word).
    Without: each piece (a word) and each pair of neighbouring pieces joined by a space.
    Windows are counted in characters and hashed on their UTF-8 bytes, as scikit-learn
    encodes each n-gram before hashing it.
    """
    flat = [p for ps in pieces for p in ps]
    per_text = np.array([len(ps) for ps in pieces], dtype=np.int64)
    owner = np.repeat(np.arange(len(pieces)), per_text)
    if not flat:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    lengths = np.array([len(p) for p in flat], dtype=np.int64)
    if widths is not None:
        buf, byte_at = _bytes("".join(flat))
        starts, sizes, piece = _windows(lengths, widths)
        rows = owner[piece]
    else:
        # Words joined by one space: a word is a window, and so is a word, space, next word.
        buf, byte_at = _bytes(" ".join(flat))
        at = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]]).astype(np.int64)
        last = np.cumsum(per_text) - 1  # a text's last word starts no pair
        pair = np.ones(len(flat), dtype=bool)
        pair[last[per_text > 0]] = False
        starts = np.concatenate([at, at[pair]])
        sizes = np.concatenate([lengths, lengths[pair] + 1 + lengths[1:][pair[:-1]]])
        rows = np.concatenate([owner, owner[pair]])
    first = byte_at[starts]
    return rows, _columns(murmur3(buf, first, byte_at[starts + sizes] - first))


def _counts(rows: np.ndarray, cols: np.ndarray, n_rows: int) -> sp.csr_matrix:
    """The CSR count matrix of (row, col) occurrences: indices sorted, duplicates summed."""
    width = 2 * HASH_FEATURES
    keys, counts = np.unique(rows * width + cols, return_counts=True)
    indptr = np.searchsorted(keys // width, np.arange(n_rows + 1)).astype(np.int32)
    return sp.csr_matrix(
        (counts.astype(np.float32), (keys % width).astype(np.int32), indptr),
        shape=(n_rows, width),
    )


def fast_raw_counts(texts: Sequence[str]) -> sp.csr_matrix:
    """`raw_counts(texts)`: char_wb 3-5 counts, then word 1-2 counts, one row per text."""
    texts = list(texts)
    if not texts:
        return raw_counts(texts)
    lowered = [t.lower() for t in texts]
    char_rows, char_cols = _block([[f" {w} " for w in t.split()] for t in lowered], CHAR_NGRAMS)
    word_rows, word_cols = _block([_WORD.findall(t) for t in lowered], None)
    rows = np.concatenate([char_rows, word_rows])
    cols = np.concatenate([char_cols, word_cols + HASH_FEATURES])
    return _counts(rows, cols, len(texts))
