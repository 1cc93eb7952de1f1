from typing import Any, Optional

from paynorm._paynorm import (
    RECORD_COLUMNS as RECORD_COLUMNS,
    Diagnostic as Diagnostic,
    Engine as _NativeEngine,
    Error as Error,
    ErrorRecord as ErrorRecord,
    InvalidInputError as InvalidInputError,
    MappingError as MappingError,
    ProviderInfo as ProviderInfo,
    Record as Record,
    RecordBatchStream as RecordBatchStream,
    UnknownProviderError as UnknownProviderError,
    __version__ as __version__,
)

class Engine(_NativeEngine):
    def normalize_arrow(
        self,
        data: Any,
        provider: str = "provider",
        response: str = "response",
        *,
        lang: str = "en",
        threads: Optional[int] = None,
    ) -> Any: ...

SharedEngine = Engine

def normalize_pandas(
    engine: Engine, df: Any, provider: str = "provider", response: str = "response", *, lang: str = "en"
) -> Any: ...
def normalize_polars(
    engine: Engine, df: Any, provider: str = "provider", response: str = "response", *, lang: str = "en"
) -> Any: ...
