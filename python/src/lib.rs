//! `paynorm._paynorm`: the native module of the Python package (`python/paynorm/`).
//!
//! A thin binding over the engine crate: every answer comes from the library's own
//! functions (`Engine::normalize_with` and the record's serde form for `normalize`,
//! `batch::process_line` for `normalize_many`, `Explanation::with_record` for `explain`), so
//! the package and the CLI write the same records. Mapping directories are read with the
//! CLI's own reader (`src/cli/fs.rs`, compiled in here): the engine crate does no I/O, the
//! edges (CLI, service, this binding) own the disk. Rust work runs with the GIL released.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use paynorm::batch::{self, BatchOptions, LineErrorKind};
use paynorm::json::{Json, ParseError};
use paynorm::{Context, Diagnostics, Engine, Lang, SharedEngine};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString};

mod arrow;
mod convert;

/// The CLI's mapping-directory reader (`load_engine`: the built-in set with a directory
/// layered over it, unreadable files as diagnostics). Compiled from the same file so the
/// package and `paynorm --mappings DIR` load a directory the same way.
#[allow(dead_code)]
#[path = "../../src/cli/fs.rs"]
mod fs;

use convert::{ToPython, write_json};

pyo3::create_exception!(
    paynorm,
    Error,
    pyo3::exceptions::PyValueError,
    "Base class of paynorm's errors (a ValueError)."
);
pyo3::create_exception!(
    paynorm,
    MappingError,
    Error,
    "The mapping set has problems and was not loaded. `diagnostics` lists every problem \
     (dicts with code, severity, file, line, column, message, help); `rendered` is the text \
     `paynorm check` prints."
);
pyo3::create_exception!(
    paynorm,
    UnknownProviderError,
    Error,
    "No loaded mapping has this provider id (see `Engine.providers()`)."
);
pyo3::create_exception!(
    paynorm,
    InvalidInputError,
    Error,
    "The response or context is not usable: not JSON, not UTF-8, too deep, not an object or array."
);

/// Items of `normalize_many` gathered per round trip with the GIL released.
const CHUNK_ITEMS: usize = 16_384;

/// Fewer items than this per thread are not worth a thread.
const MIN_ITEMS_PER_THREAD: usize = 2_048;

fn mapping_error(py: Python<'_>, diags: &Diagnostics) -> PyErr {
    let rendered = diags.render();
    let err = MappingError::new_err(rendered.clone());
    let value = err.value(py);
    let attach = || -> PyResult<()> {
        let json = serde_json::to_vec(&diags.to_json()).expect("diagnostics serialize");
        value.setattr("diagnostics", ToPython::new(py).record(&json)?)?;
        value.setattr("rendered", rendered)?;
        Ok(())
    };
    match attach() {
        Ok(()) => err,
        Err(e) => e,
    }
}

fn load(py: Python<'_>, dir: Option<&Path>) -> PyResult<Engine> {
    py.detach(|| fs::load_engine(dir))
        .map_err(|d| mapping_error(py, &d))
}

/// The text of a response or context argument: `str`/`bytes` as given, anything else as the
/// JSON `json.dumps` would write.
fn json_text(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<u8>> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(s.to_cow()?.as_bytes().to_vec());
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    let mut out = Vec::new();
    write_json(obj, &mut out)
        .map_err(|e| InvalidInputError::new_err(format!("the {what} is not JSON: {e}")))?;
    Ok(out)
}

/// The response as a document, with the CLI's rules (`paynorm normalize`): UTF-8, JSON, at
/// most `MAX_DEPTH` levels, an object or an array.
fn parse_response(text: &[u8]) -> PyResult<Json<'_>> {
    if let Err(e) = std::str::from_utf8(text) {
        return Err(InvalidInputError::new_err(format!(
            "the response is not UTF-8 (bad byte at offset {})",
            e.valid_up_to()
        )));
    }
    let doc = Json::parse(text).map_err(|e| match e {
        ParseError::TooDeep(n) => {
            InvalidInputError::new_err(format!("the response nests deeper than {n} levels"))
        }
        ParseError::Syntax(e) => {
            InvalidInputError::new_err(format!("the response is not valid JSON: {e}"))
        }
    })?;
    if !doc.is_container() {
        return Err(InvalidInputError::new_err(
            "the response must be a JSON object or array",
        ));
    }
    Ok(doc)
}

fn parse_context(context: Option<&Bound<'_, PyAny>>) -> PyResult<Context> {
    match context {
        None => Ok(Context::default()),
        Some(c) if c.is_none() => Ok(Context::default()),
        Some(c) => {
            let text = json_text(c, "context")?;
            serde_json::from_slice(&text)
                .map_err(|e| InvalidInputError::new_err(format!("invalid context: {e}")))
        }
    }
}

fn unknown_provider(e: paynorm::Error) -> PyErr {
    UnknownProviderError::new_err(e.to_string())
}

fn lang_of(tag: &str) -> Lang {
    Lang::from_tag(tag)
}

/// One item of `normalize_many`: a range of the gathered bytes, or why it has none.
enum Item {
    Line(std::ops::Range<usize>),
    NotJson(String),
}

/// One chunk of `normalize_many`'s items, gathered with the GIL held.
#[derive(Default)]
struct Gathered {
    data: Vec<u8>,
    items: Vec<Item>,
}

impl Gathered {
    fn clear(&mut self) {
        self.data.clear();
        self.items.clear();
    }

    /// Takes up to `CHUNK_ITEMS` items; true when the iterator is exhausted.
    fn gather(&mut self, iter: &mut Bound<'_, pyo3::types::PyIterator>) -> PyResult<bool> {
        for item in iter.by_ref() {
            let item = item?;
            let start = self.data.len();
            if let Ok(s) = item.cast::<PyString>() {
                self.data.extend_from_slice(s.to_cow()?.as_bytes());
                self.items.push(Item::Line(start..self.data.len()));
            } else if let Ok(b) = item.cast::<PyBytes>() {
                self.data.extend_from_slice(b.as_bytes());
                self.items.push(Item::Line(start..self.data.len()));
            } else {
                match write_json(&item, &mut self.data) {
                    Ok(()) => self.items.push(Item::Line(start..self.data.len())),
                    Err(e) => {
                        self.data.truncate(start);
                        self.items.push(Item::NotJson(e));
                    }
                }
            }
            if self.items.len() == CHUNK_ITEMS {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// Normalizes `items` (line numbers from `first_line`) into one buffer of records, each
/// ended by `\n`; returns the buffer and the end offset of each record.
fn run_items(
    engine: &Engine,
    options: &BatchOptions,
    data: &[u8],
    items: &[Item],
    first_line: u64,
) -> (Vec<u8>, Vec<usize>) {
    let mut out = Vec::with_capacity(data.len() * 2 + items.len() * 64);
    let mut ends = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let line_no = first_line + i as u64;
        match item {
            Item::Line(range) => {
                let _ =
                    batch::process_line(engine, options, line_no, &data[range.clone()], &mut out);
            }
            Item::NotJson(message) => {
                batch::write_error(
                    line_no,
                    None,
                    LineErrorKind::InvalidJson,
                    &format!("the item is not JSON: {message}"),
                    &mut out,
                );
                out.push(b'\n');
            }
        }
        ends.push(out.len());
    }
    (out, ends)
}

/// [`run_items`] split over `threads` threads, parts in order.
fn run_parallel(
    engine: &Engine,
    options: &BatchOptions,
    data: &[u8],
    items: &[Item],
    first_line: u64,
    threads: usize,
) -> Vec<(Vec<u8>, Vec<usize>)> {
    let threads = threads.min(items.len() / MIN_ITEMS_PER_THREAD).max(1);
    if threads == 1 {
        return vec![run_items(engine, options, data, items, first_line)];
    }
    let per = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(per)
            .enumerate()
            .map(|(i, part)| {
                let first = first_line + (i * per) as u64;
                scope.spawn(move || run_items(engine, options, data, part, first))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a worker does not panic"))
            .collect()
    })
}

pub(crate) fn default_threads() -> usize {
    batch::default_threads()
}

/// The normalization engine: a validated, compiled mapping set (the built-in one, or a
/// directory layered over it). Safe to share between threads; `reload` swaps the set
/// atomically and never leaves a broken one in place.
#[pyclass(module = "paynorm._paynorm", name = "Engine", subclass, frozen)]
pub struct PyEngine {
    shared: SharedEngine,
    mappings: Mutex<Option<PathBuf>>,
}

impl PyEngine {
    fn current(&self) -> Arc<Engine> {
        self.shared.current()
    }

    fn dir(&self) -> Option<PathBuf> {
        self.mappings.lock().expect("not poisoned").clone()
    }
}

#[pymethods]
impl PyEngine {
    #[new]
    #[pyo3(signature = (mappings=None))]
    fn new(py: Python<'_>, mappings: Option<PathBuf>) -> PyResult<Self> {
        let engine = load(py, mappings.as_deref())?;
        Ok(PyEngine {
            shared: SharedEngine::new(engine),
            mappings: Mutex::new(mappings),
        })
    }

    /// The mapping directory layered over the built-in set, or None.
    #[getter]
    fn mappings(&self) -> Option<String> {
        self.dir().map(|d| d.display().to_string())
    }

    /// Loads the set again (from `mappings`, else the directory given before) and swaps it
    /// in. On any problem the current set stays and `MappingError` is raised.
    #[pyo3(signature = (mappings=None))]
    fn reload(&self, py: Python<'_>, mappings: Option<PathBuf>) -> PyResult<()> {
        let dir = mappings.or_else(|| self.dir());
        let engine = load(py, dir.as_deref())?;
        self.shared.replace(engine);
        *self.mappings.lock().expect("not poisoned") = dir;
        Ok(())
    }

    /// The loaded providers, sorted by id: dicts of id, name, entries, sources, edition, file.
    fn providers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let engine = self.current();
        let json = serde_json::to_vec(&engine.providers()).expect("providers serialize");
        ToPython::new(py).record(&json)
    }

    /// Every catalog code: dicts of code, category, en, zh, decline_type, action,
    /// customer_message, outcome (as in `catalog/catalog.toml`).
    fn catalog<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let json = serde_json::to_vec(paynorm::catalog::entries()).expect("catalog serializes");
        ToPython::new(py).record(&json)
    }

    /// The record of one response (as `paynorm normalize` writes it).
    #[pyo3(signature = (provider, response, *, context=None, lang="en", as_json=false))]
    fn normalize<'py>(
        &self,
        py: Python<'py>,
        provider: &str,
        response: &Bound<'py, PyAny>,
        context: Option<&Bound<'py, PyAny>>,
        lang: &str,
        as_json: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let text = json_text(response, "response")?;
        let context = parse_context(context)?;
        let engine = self.current();
        let lang = lang_of(lang);
        let json = py.detach(|| -> PyResult<Vec<u8>> {
            let doc = parse_response(&text)?;
            let result = engine
                .normalize_with(provider, &doc, &context)
                .map_err(unknown_provider)?;
            Ok(serde_json::to_vec(&result.record(lang)).expect("records serialize"))
        })?;
        if as_json {
            let s = std::str::from_utf8(&json).expect("records are UTF-8");
            return Ok(PyString::new(py, s).into_any());
        }
        ToPython::new(py).record(&json)
    }

    /// The record and the trace of one response: `format="json"` gives the dict
    /// `paynorm explain --format json` writes (`record`, `trace`), `format="text"` the text.
    #[pyo3(signature = (provider, response, *, context=None, lang="en", format="json"))]
    fn explain<'py>(
        &self,
        py: Python<'py>,
        provider: &str,
        response: &Bound<'py, PyAny>,
        context: Option<&Bound<'py, PyAny>>,
        lang: &str,
        format: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        if format != "json" && format != "text" {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "format must be \"json\" or \"text\", not {format:?}"
            )));
        }
        let text = json_text(response, "response")?;
        let context = parse_context(context)?;
        let engine = self.current();
        let lang = lang_of(lang);
        let as_text = format == "text";
        let out = py.detach(|| -> PyResult<Vec<u8>> {
            let doc = parse_response(&text)?;
            let explanation = engine
                .explain(provider, &doc, &context)
                .map_err(unknown_provider)?;
            Ok(if as_text {
                explanation.render_in(lang).into_bytes()
            } else {
                serde_json::to_vec(&explanation.with_record(lang)).expect("traces serialize")
            })
        })?;
        if as_text {
            let s = std::str::from_utf8(&out).expect("text is UTF-8");
            return Ok(PyString::new(py, s).into_any());
        }
        ToPython::new(py).record(&out)
    }

    /// One record per item, in order, as `paynorm batch` writes them: an item is a batch
    /// line (`{"provider", "response", "id"?, "context"?}`) as a dict, or its JSON text as
    /// str or bytes. A bad item gets an error record in its place; no item raises.
    #[pyo3(signature = (items, *, lang="en", as_json=false, threads=None))]
    fn normalize_many<'py>(
        &self,
        py: Python<'py>,
        items: &Bound<'py, PyAny>,
        lang: &str,
        as_json: bool,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyList>> {
        let engine = self.current();
        let options = BatchOptions {
            lang: lang_of(lang),
            ..BatchOptions::default()
        };
        let threads = threads.unwrap_or_else(default_threads).max(1);
        let result = PyList::empty(py);
        let mut convert = ToPython::new(py);
        let mut iter = items.try_iter()?;
        let mut emit = |parts: Vec<(Vec<u8>, Vec<usize>)>| -> PyResult<()> {
            for (out, ends) in parts {
                let mut start = 0;
                for end in ends {
                    let record = &out[start..end - 1];
                    start = end;
                    if as_json {
                        let s = std::str::from_utf8(record).expect("records are UTF-8");
                        result.append(PyString::new(py, s))?;
                    } else {
                        result.append(convert.record(record)?)?;
                    }
                }
            }
            Ok(())
        };
        // A pipeline of chunks: while the workers normalize chunk k (no GIL), this thread
        // turns chunk k - 1's records into Python objects and gathers chunk k + 1; it lets the
        // GIL go while it waits for the workers.
        let (mut current, mut next) = (Gathered::default(), Gathered::default());
        let mut exhausted = current.gather(&mut iter)?;
        let mut pending = None;
        let mut next_line = 1u64;
        while !current.items.is_empty() {
            let first = next_line;
            next_line += current.items.len() as u64;
            let (parts, emitted, gathered) = std::thread::scope(|scope| {
                let (engine, options, current) = (&*engine, &options, &current);
                let work = scope.spawn(move || {
                    run_parallel(
                        engine,
                        options,
                        &current.data,
                        &current.items,
                        first,
                        threads,
                    )
                });
                let emitted = pending.take().map_or(Ok(()), &mut emit);
                let gathered = match (&emitted, exhausted) {
                    (Ok(()), false) => next.gather(&mut iter),
                    _ => Ok(true),
                };
                let parts = py.detach(move || work.join().expect("a worker does not panic"));
                (parts, emitted, gathered)
            });
            emitted?;
            exhausted = gathered?;
            pending = Some(parts);
            std::mem::swap(&mut current, &mut next);
            next.clear();
        }
        if let Some(parts) = pending {
            emit(parts)?;
        }
        Ok(result)
    }

    /// The Arrow entry point (see `paynorm.Engine.normalize_arrow`): reads an object with
    /// `__arrow_c_stream__` or `__arrow_c_array__`, returns a stream of record batches with
    /// one row per input row.
    #[pyo3(signature = (data, provider="provider", response="response", *, lang="en", threads=None))]
    fn _normalize_arrow<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        provider: &str,
        response: &str,
        lang: &str,
        threads: Option<usize>,
    ) -> PyResult<arrow::RecordBatchStream> {
        let engine = self.current();
        let threads = threads.unwrap_or_else(default_threads).max(1);
        arrow::normalize(
            py,
            &engine,
            data,
            provider,
            response,
            lang_of(lang),
            threads,
        )
    }

    fn __repr__(&self) -> String {
        let engine = self.current();
        // Python's own repr of the list of ids (single quotes).
        let ids: Vec<String> = engine
            .providers()
            .iter()
            .map(|p| format!("'{}'", p.id))
            .collect();
        let ids = ids.join(", ");
        match self.mappings() {
            Some(dir) => format!("Engine(mappings='{dir}', providers=[{ids}])"),
            None => format!("Engine(providers=[{ids}])"),
        }
    }
}

#[pymodule]
fn _paynorm(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<PyEngine>()?;
    m.add_class::<arrow::RecordBatchStream>()?;
    m.add("Error", py.get_type::<Error>())?;
    m.add("MappingError", py.get_type::<MappingError>())?;
    m.add(
        "UnknownProviderError",
        py.get_type::<UnknownProviderError>(),
    )?;
    m.add("InvalidInputError", py.get_type::<InvalidInputError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("RECORD_COLUMNS", arrow::RECORD_COLUMNS.to_vec())?;
    Ok(())
}
