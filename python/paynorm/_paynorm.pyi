"""Type stubs of the native module ``paynorm._paynorm`` (built from ``python/src/``)."""

from os import PathLike
from typing import Any, Iterable, Literal, Optional, TypedDict, Union, overload

__version__: str
RECORD_COLUMNS: list[str]

JSONText = Union[str, bytes]

class Record(TypedDict):
    """One normalized response (the README's *Output record*); ``id`` only in batch records."""

    code: int
    category: str
    message: str
    customer_message: str
    outcome: str
    decline_type: Optional[str]
    action: str
    retry_after_seconds: Optional[int]
    provider: str
    rule: Optional[str]
    via: Optional[str]
    raw: dict[str, Union[str, list[str]]]

class ErrorDetail(TypedDict):
    kind: str
    message: str

class ErrorRecord(TypedDict, total=False):
    """The record of an item that could not be normalized (as ``paynorm batch`` writes it)."""

    line: int
    id: Any
    error: ErrorDetail

class Diagnostic(TypedDict):
    code: str
    severity: str
    file: str
    line: Optional[int]
    column: Optional[int]
    message: str
    help: Optional[str]

class ProviderInfo(TypedDict):
    id: str
    name: str
    entries: int
    sources: list[str]
    edition: str
    file: str

class Error(ValueError):
    """Base class of paynorm's errors."""

class MappingError(Error):
    """The mapping set has problems and was not loaded."""

    diagnostics: list[Diagnostic]
    rendered: str

class UnknownProviderError(Error):
    """No loaded mapping has this provider id."""

class InvalidInputError(Error):
    """The response or context is not usable (not JSON, not UTF-8, too deep, not a container)."""

class RecordBatchStream:
    """Record batches behind the Arrow PyCapsule stream interface."""

    @property
    def num_rows(self) -> int: ...
    @property
    def column_names(self) -> list[str]: ...
    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any: ...
    def __len__(self) -> int: ...

class Engine:
    def __init__(self, mappings: Union[str, "PathLike[str]", None] = None) -> None: ...
    @property
    def mappings(self) -> Optional[str]: ...
    def reload(self, mappings: Union[str, "PathLike[str]", None] = None) -> None: ...
    def providers(self) -> list[ProviderInfo]: ...
    def catalog(self) -> list[dict[str, Any]]: ...
    @overload
    def normalize(
        self,
        provider: str,
        response: Union[dict[str, Any], list[Any], JSONText],
        *,
        context: Union[dict[str, Any], JSONText, None] = None,
        lang: str = "en",
        as_json: Literal[False] = False,
    ) -> Record: ...
    @overload
    def normalize(
        self,
        provider: str,
        response: Union[dict[str, Any], list[Any], JSONText],
        *,
        context: Union[dict[str, Any], JSONText, None] = None,
        lang: str = "en",
        as_json: Literal[True],
    ) -> str: ...
    @overload
    def explain(
        self,
        provider: str,
        response: Union[dict[str, Any], list[Any], JSONText],
        *,
        context: Union[dict[str, Any], JSONText, None] = None,
        lang: str = "en",
        format: Literal["json"] = "json",
    ) -> dict[str, Any]: ...
    @overload
    def explain(
        self,
        provider: str,
        response: Union[dict[str, Any], list[Any], JSONText],
        *,
        context: Union[dict[str, Any], JSONText, None] = None,
        lang: str = "en",
        format: Literal["text"],
    ) -> str: ...
    @overload
    def normalize_many(
        self,
        items: Iterable[Union[dict[str, Any], JSONText]],
        *,
        lang: str = "en",
        as_json: Literal[False] = False,
        threads: Optional[int] = None,
    ) -> list[Union[Record, ErrorRecord]]: ...
    @overload
    def normalize_many(
        self,
        items: Iterable[Union[dict[str, Any], JSONText]],
        *,
        lang: str = "en",
        as_json: Literal[True],
        threads: Optional[int] = None,
    ) -> list[str]: ...
    def _normalize_arrow(
        self,
        data: Any,
        provider: str = "provider",
        response: str = "response",
        *,
        lang: str = "en",
        threads: Optional[int] = None,
    ) -> RecordBatchStream: ...
