//! The Arrow entry point: a table in (any object with `__arrow_c_stream__` or
//! `__arrow_c_array__`: pyarrow, Polars, DuckDB, ...), a stream of record batches out, one
//! row per input row, through the Arrow PyCapsule interface (no pyarrow needed here).
//!
//! Each row's `response` (JSON text: utf8, large_utf8, utf8_view or a binary type) is parsed
//! by the library's batch parser (`batch::parse_line`) and normalized with
//! `Engine::normalize_with`; the columns are the fields of the library's `Record`, in its key
//! order (`RECORD_COLUMNS`), `raw` as JSON text. A row that cannot be normalized has nulls
//! there and `error_kind` / `error_message` set, with the kinds and messages of
//! `paynorm batch` (`missing-provider`, `missing-response`, `invalid-json`, `invalid-utf8`,
//! `blank-line`, `too-deep`, `invalid-response`, `unknown-provider`). The work runs with the
//! GIL released, each batch split over the threads.

use std::ffi::CStr;
use std::sync::Arc;

use arrow_array::builder::{StringBuilder, UInt32Builder, UInt64Builder};
use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema, from_ffi};
use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use arrow_array::{
    Array, ArrayRef, BinaryArray, BinaryViewArray, LargeBinaryArray, LargeStringArray, RecordBatch,
    RecordBatchIterator, StringArray, StringViewArray, StructArray, make_array,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use paynorm::batch::{LineErrorKind, parse_line};
use paynorm::{Context, Engine, Lang};
use pyo3::exceptions::{PyKeyError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyTuple};

/// The record's keys in its order (`paynorm::record::Record`); `tests/test_arrow.py` checks
/// them against the dict records.
pub const RECORD_COLUMNS: [&str; 12] = [
    "code",
    "category",
    "message",
    "customer_message",
    "outcome",
    "decline_type",
    "action",
    "retry_after_seconds",
    "provider",
    "rule",
    "via",
    "raw",
];

const STREAM: &CStr = c"arrow_array_stream";
const SCHEMA: &CStr = c"arrow_schema";
const ARRAY: &CStr = c"arrow_array";

/// Rows below this per thread stay on one thread.
const MIN_ROWS_PER_THREAD: usize = 4_096;

fn output_schema() -> SchemaRef {
    let mut fields: Vec<Field> = RECORD_COLUMNS
        .iter()
        .map(|&name| {
            let ty = match name {
                "code" => DataType::UInt32,
                "retry_after_seconds" => DataType::UInt64,
                _ => DataType::Utf8,
            };
            Field::new(name, ty, true)
        })
        .collect();
    fields.push(Field::new("error_kind", DataType::Utf8, true));
    fields.push(Field::new("error_message", DataType::Utf8, true));
    Arc::new(Schema::new(fields))
}

/// A text column of the input.
enum Col<'a> {
    Utf8(&'a StringArray),
    LargeUtf8(&'a LargeStringArray),
    Utf8View(&'a StringViewArray),
    Binary(&'a BinaryArray),
    LargeBinary(&'a LargeBinaryArray),
    BinaryView(&'a BinaryViewArray),
}

impl<'a> Col<'a> {
    fn of(batch: &'a RecordBatch, name: &str, binary_ok: bool) -> PyResult<Col<'a>> {
        let column: &ArrayRef = batch.column_by_name(name).ok_or_else(|| {
            let names: Vec<&str> = batch
                .schema_ref()
                .fields()
                .iter()
                .map(|f| f.name().as_str())
                .collect();
            PyKeyError::new_err(format!("no column {name:?} (the columns are {names:?})"))
        })?;
        let any = column.as_any();
        let col = match column.data_type() {
            DataType::Utf8 => any.downcast_ref().map(Col::Utf8),
            DataType::LargeUtf8 => any.downcast_ref().map(Col::LargeUtf8),
            DataType::Utf8View => any.downcast_ref().map(Col::Utf8View),
            DataType::Binary if binary_ok => any.downcast_ref().map(Col::Binary),
            DataType::LargeBinary if binary_ok => any.downcast_ref().map(Col::LargeBinary),
            DataType::BinaryView if binary_ok => any.downcast_ref().map(Col::BinaryView),
            _ => None,
        };
        col.ok_or_else(|| {
            PyTypeError::new_err(format!(
                "column {name:?} is {}; paynorm reads {} (cast it first, e.g. \
                 pyarrow.compute.cast or polars .cast(pl.String))",
                column.data_type(),
                if binary_ok {
                    "JSON text: string, large_string, string_view or a binary type"
                } else {
                    "string, large_string or string_view"
                }
            ))
        })
    }

    fn get(&self, i: usize) -> Option<&'a [u8]> {
        macro_rules! at {
            ($a:expr, $f:expr) => {
                if $a.is_null(i) {
                    None
                } else {
                    Some($f($a.value(i)))
                }
            };
        }
        match self {
            Col::Utf8(a) => at!(a, str::as_bytes),
            Col::LargeUtf8(a) => at!(a, str::as_bytes),
            Col::Utf8View(a) => at!(a, str::as_bytes),
            Col::Binary(a) => at!(a, |b| b),
            Col::LargeBinary(a) => at!(a, |b| b),
            Col::BinaryView(a) => at!(a, |b| b),
        }
    }
}

struct Builders {
    code: UInt32Builder,
    texts: [StringBuilder; 10],
    retry: UInt64Builder,
    error_kind: StringBuilder,
    error_message: StringBuilder,
    raw: Vec<u8>,
}

// Indexes of `Builders::texts`, the Utf8 columns in record order.
const CATEGORY: usize = 0;
const MESSAGE: usize = 1;
const CUSTOMER_MESSAGE: usize = 2;
const OUTCOME: usize = 3;
const DECLINE_TYPE: usize = 4;
const ACTION: usize = 5;
const PROVIDER: usize = 6;
const RULE: usize = 7;
const VIA: usize = 8;
const RAW: usize = 9;

impl Builders {
    fn new(rows: usize) -> Self {
        Builders {
            code: UInt32Builder::with_capacity(rows),
            texts: std::array::from_fn(|_| StringBuilder::with_capacity(rows, rows * 16)),
            retry: UInt64Builder::with_capacity(rows),
            error_kind: StringBuilder::with_capacity(rows, 0),
            error_message: StringBuilder::with_capacity(rows, 0),
            raw: Vec::with_capacity(256),
        }
    }

    fn error(&mut self, kind: LineErrorKind, message: &str) {
        self.code.append_null();
        for t in &mut self.texts {
            t.append_null();
        }
        self.retry.append_null();
        self.error_kind.append_value(kind.as_str());
        self.error_message.append_value(message);
    }

    fn row(
        &mut self,
        engine: &Engine,
        lang: Lang,
        provider: Option<&[u8]>,
        response: Option<&[u8]>,
    ) {
        use LineErrorKind as K;
        let Some(provider) = provider else {
            return self.error(K::MissingProvider, "missing `provider`");
        };
        let Ok(provider) = std::str::from_utf8(provider) else {
            return self.error(K::InvalidProvider, "`provider` must be a string");
        };
        let Some(response) = response else {
            return self.error(K::MissingResponse, "missing `response`");
        };
        let doc = match parse_line(response) {
            Ok(doc) => doc,
            Err((kind, message)) => return self.error(kind, &message),
        };
        if !doc.is_container() {
            return self.error(
                K::InvalidResponse,
                "`response` must be a JSON object or array",
            );
        }
        let result = match engine.normalize_with(provider, &doc, &Context::default()) {
            Ok(r) => r,
            Err(e) => return self.error(K::UnknownProvider, &e.to_string()),
        };
        let record = result.record(lang);
        self.code.append_value(record.code);
        let t = &mut self.texts;
        t[CATEGORY].append_value(record.category.as_str());
        t[MESSAGE].append_value(record.message);
        t[CUSTOMER_MESSAGE].append_value(record.customer_message);
        t[OUTCOME].append_value(record.outcome.as_str());
        t[DECLINE_TYPE].append_option(record.decline_type.map(|d| d.as_str()));
        t[ACTION].append_value(record.action.as_str());
        self.retry.append_option(record.retry_after_seconds);
        t[PROVIDER].append_value(record.provider);
        t[RULE].append_option(record.rule);
        t[VIA].append_option(record.via);
        self.raw.clear();
        serde_json::to_writer(&mut self.raw, record.raw).expect("raw fields serialize");
        t[RAW].append_value(std::str::from_utf8(&self.raw).expect("JSON is UTF-8"));
        self.error_kind.append_null();
        self.error_message.append_null();
    }

    fn finish(mut self, schema: SchemaRef) -> RecordBatch {
        let mut texts = self
            .texts
            .map(|mut t| Arc::new(t.finish()) as ArrayRef)
            .into_iter();
        let mut next = || texts.next().expect("ten text columns");
        let code = Arc::new(self.code.finish()) as ArrayRef;
        let (category, message, customer, outcome, decline, action) =
            (next(), next(), next(), next(), next(), next());
        let retry = Arc::new(self.retry.finish()) as ArrayRef;
        let (provider, rule, via, raw) = (next(), next(), next(), next());
        let columns = vec![
            code,
            category,
            message,
            customer,
            outcome,
            decline,
            action,
            retry,
            provider,
            rule,
            via,
            raw,
            Arc::new(self.error_kind.finish()) as ArrayRef,
            Arc::new(self.error_message.finish()) as ArrayRef,
        ];
        RecordBatch::try_new(schema, columns).expect("columns match the schema")
    }
}

fn normalize_range(
    engine: &Engine,
    lang: Lang,
    providers: &Col<'_>,
    responses: &Col<'_>,
    rows: std::ops::Range<usize>,
    schema: &SchemaRef,
) -> RecordBatch {
    let mut b = Builders::new(rows.len());
    for i in rows {
        b.row(engine, lang, providers.get(i), responses.get(i));
    }
    b.finish(schema.clone())
}

/// How a call reads its input and writes its output.
struct Job<'a> {
    engine: &'a Engine,
    lang: Lang,
    provider: &'a str,
    response: &'a str,
    threads: usize,
    schema: SchemaRef,
}

fn normalize_batch(job: &Job<'_>, batch: &RecordBatch, out: &mut Vec<RecordBatch>) -> PyResult<()> {
    let Job {
        engine,
        lang,
        threads,
        ref schema,
        ..
    } = *job;
    let providers = Col::of(batch, job.provider, false)?;
    let responses = Col::of(batch, job.response, true)?;
    let n = batch.num_rows();
    let threads = threads.min(n / MIN_ROWS_PER_THREAD).max(1);
    if threads == 1 {
        out.push(normalize_range(
            engine,
            lang,
            &providers,
            &responses,
            0..n,
            schema,
        ));
        return Ok(());
    }
    let per = n.div_ceil(threads);
    let parts: Vec<RecordBatch> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..n)
            .step_by(per)
            .map(|start| {
                let (providers, responses) = (&providers, &responses);
                let rows = start..(start + per).min(n);
                scope.spawn(move || {
                    normalize_range(engine, lang, providers, responses, rows, schema)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a worker does not panic"))
            .collect()
    });
    out.extend(parts);
    Ok(())
}

/// The record batches of `data`, read with the GIL held (a producer may be Python code).
fn read_batches(data: &Bound<'_, PyAny>) -> PyResult<Vec<RecordBatch>> {
    let arrow_err = |e: arrow_schema::ArrowError| PyValueError::new_err(e.to_string());
    if data.hasattr("__arrow_c_stream__")? {
        let capsule = data.call_method0("__arrow_c_stream__")?;
        let capsule = capsule.cast::<PyCapsule>()?;
        let ptr = capsule
            .pointer_checked(Some(STREAM))?
            .cast::<FFI_ArrowArrayStream>();
        // SAFETY: the capsule holds an Arrow C stream (checked by name); `from_raw` moves it
        // out and leaves a released stream behind, as the PyCapsule protocol asks.
        let stream = unsafe { FFI_ArrowArrayStream::from_raw(ptr.as_ptr()) };
        let reader = RecordBatchStreamReader::try_new(stream).map_err(arrow_err)?;
        return reader.map(|b| b.map_err(arrow_err)).collect();
    }
    if data.hasattr("__arrow_c_array__")? {
        let pair = data.call_method0("__arrow_c_array__")?;
        let pair = pair.cast::<PyTuple>()?;
        let schema_capsule = pair.get_item(0)?;
        let schema_capsule = schema_capsule.cast::<PyCapsule>()?;
        let array_capsule = pair.get_item(1)?;
        let array_capsule = array_capsule.cast::<PyCapsule>()?;
        let schema_ptr = schema_capsule
            .pointer_checked(Some(SCHEMA))?
            .cast::<FFI_ArrowSchema>();
        let array_ptr = array_capsule
            .pointer_checked(Some(ARRAY))?
            .cast::<FFI_ArrowArray>();
        // SAFETY: capsules checked by name; the array is moved out, the schema borrowed
        // while its capsule is alive.
        let array = unsafe {
            let array = FFI_ArrowArray::from_raw(array_ptr.as_ptr());
            from_ffi(array, schema_ptr.as_ref())
        }
        .map_err(arrow_err)?;
        let array = make_array(array);
        let Some(structs) = array.as_any().downcast_ref::<StructArray>() else {
            return Err(PyTypeError::new_err(format!(
                "expected a record batch (a struct array), got {}",
                array.data_type()
            )));
        };
        return Ok(vec![RecordBatch::from(structs.clone())]);
    }
    Err(PyTypeError::new_err(format!(
        "expected an Arrow table or record batch (an object with __arrow_c_stream__ or \
         __arrow_c_array__: pyarrow, Polars, DuckDB, ...), got {}",
        data.get_type().name()?
    )))
}

pub fn normalize(
    py: Python<'_>,
    engine: &Engine,
    data: &Bound<'_, PyAny>,
    provider: &str,
    response: &str,
    lang: Lang,
    threads: usize,
) -> PyResult<RecordBatchStream> {
    let batches = read_batches(data)?;
    let schema = output_schema();
    let job = Job {
        engine,
        lang,
        provider,
        response,
        threads,
        schema: schema.clone(),
    };
    let out = py.detach(|| -> PyResult<Vec<RecordBatch>> {
        let mut out = Vec::with_capacity(batches.len() * threads);
        for batch in &batches {
            normalize_batch(&job, batch, &mut out)?;
        }
        Ok(out)
    })?;
    Ok(RecordBatchStream {
        schema,
        batches: out,
    })
}

/// The result of `normalize_arrow`: record batches behind the Arrow PyCapsule stream
/// interface. `pyarrow.table(s)`, `polars.DataFrame(s)`, `duckdb.from_arrow(...)` read it.
#[pyclass(module = "paynorm._paynorm", frozen)]
pub struct RecordBatchStream {
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
}

#[pymethods]
impl RecordBatchStream {
    /// Rows in all batches.
    #[getter]
    fn num_rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    /// The column names.
    #[getter]
    fn column_names(&self) -> Vec<String> {
        self.schema
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect()
    }

    /// The Arrow C stream of the batches (readable more than once).
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema; // The schema is fixed; a consumer casts if it wants.
        let reader = RecordBatchIterator::new(
            self.batches.clone().into_iter().map(Ok),
            self.schema.clone(),
        );
        let stream = FFI_ArrowArrayStream::new(Box::new(reader));
        PyCapsule::new_with_value(py, stream, STREAM)
    }

    fn __len__(&self) -> usize {
        self.num_rows()
    }

    fn __repr__(&self) -> String {
        format!(
            "RecordBatchStream(rows={}, batches={})",
            self.num_rows(),
            self.batches.len()
        )
    }
}
