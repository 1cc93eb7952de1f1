"""paynorm: map payment providers' failure responses to one canonical code.

The engine is the Rust crate ``paynorm`` (``paynorm._paynorm`` is built from it); this
package adds the Arrow conveniences. Records are those of the CLI (``paynorm normalize``,
``paynorm batch``)::

    >>> import paynorm
    >>> engine = paynorm.Engine()
    >>> r = engine.normalize("stripe", {"error": {"code": "card_declined",
    ...                                            "decline_code": "insufficient_funds"}})
    >>> r["code"], r["action"]
    (100100, 'retry_later')
"""

from __future__ import annotations

import gc
from typing import Any, Iterable

from paynorm._paynorm import (
    RECORD_COLUMNS,
    Error,
    InvalidInputError,
    MappingError,
    RecordBatchStream,
    UnknownProviderError,
    __version__,
)
from paynorm._paynorm import Engine as _NativeEngine

__all__ = [
    "Engine",
    "SharedEngine",
    "Error",
    "MappingError",
    "UnknownProviderError",
    "InvalidInputError",
    "RecordBatchStream",
    "RECORD_COLUMNS",
    "normalize_pandas",
    "normalize_polars",
    "__version__",
]


class Engine(_NativeEngine):
    """A validated, compiled mapping set: the built-in one, or ``mappings`` (a directory of
    ``*.toml`` mapping files, with an optional ``decisions/``) layered over it.

    Raises :class:`MappingError` (with every diagnostic) when the set has problems. An
    engine is safe to share between threads; :meth:`reload` swaps the set atomically and
    keeps the old one when the new one has problems.
    """

    def normalize_many(
        self,
        items: Iterable[Any],
        *,
        lang: str = "en",
        as_json: bool = False,
        threads: int | None = None,
    ) -> list[Any]:
        """One record per item, in order, as ``paynorm batch`` writes them (see the native
        method). While dict records are built the cyclic garbage collector is paused: the
        records hold no cycles, and a collection pass over a million fresh dicts (and the
        caller's input) costs more than building them."""
        if as_json or not gc.isenabled():
            return super().normalize_many(items, lang=lang, as_json=as_json, threads=threads)
        gc.disable()
        try:
            return super().normalize_many(items, lang=lang, as_json=as_json, threads=threads)
        finally:
            gc.enable()

    def normalize_arrow(
        self,
        data: Any,
        provider: str = "provider",
        response: str = "response",
        *,
        lang: str = "en",
        threads: int | None = None,
    ) -> Any:
        """Normalizes every row of an Arrow table or record batch.

        ``data`` is any object with ``__arrow_c_stream__`` or ``__arrow_c_array__``
        (pyarrow Table / RecordBatch / RecordBatchReader, a Polars DataFrame, a DuckDB
        relation...). ``provider`` names the column of provider ids, ``response`` the column
        of response JSON texts. The result has one row per input row, in order, with the
        record's columns (:data:`RECORD_COLUMNS`, ``raw`` as JSON text) and ``error_kind``,
        ``error_message`` (null unless the row could not be normalized).

        Returns a ``pyarrow.RecordBatch`` for a record batch, a ``pyarrow.Table`` otherwise,
        when pyarrow is installed; without pyarrow, a :class:`RecordBatchStream` (which
        Polars and DuckDB read through ``__arrow_c_stream__``).
        """
        stream = self._normalize_arrow(data, provider, response, lang=lang, threads=threads)
        try:
            import pyarrow as pa
        except ImportError:
            return stream
        table = pa.table(stream)
        if isinstance(data, pa.RecordBatch):
            batches = table.combine_chunks().to_batches()
            return batches[0] if batches else pa.RecordBatch.from_pylist([], schema=table.schema)
        return table


# The Rust library's name for a reloadable engine (`paynorm::SharedEngine`): every Engine is one.
SharedEngine = Engine


def normalize_pandas(
    engine: Engine, df: Any, provider: str = "provider", response: str = "response", *, lang: str = "en"
) -> Any:
    """The records of a pandas DataFrame's rows as a DataFrame (needs pyarrow)::

        engine.normalize_arrow(pyarrow.Table.from_pandas(df)).to_pandas()
    """
    import pyarrow as pa

    table = pa.Table.from_pandas(df[[provider, response]], preserve_index=False)
    return engine.normalize_arrow(table, provider, response, lang=lang).to_pandas()


def normalize_polars(
    engine: Engine, df: Any, provider: str = "provider", response: str = "response", *, lang: str = "en"
) -> Any:
    """The records of a Polars DataFrame's rows as a Polars DataFrame::

        polars.DataFrame(engine._normalize_arrow(df))
    """
    import polars as pl

    return pl.DataFrame(engine._normalize_arrow(df.select(provider, response), provider, response, lang=lang))
