//! Python objects to JSON text and JSON text to Python objects.
//!
//! The engine reads JSON text, so a Python value is written as the text `json.dumps` would
//! give for it (dicts with string keys, lists and tuples, str, int, float, bool, None), then
//! parsed by the library like any batch line. Records come back as the library's JSON bytes
//! and are turned into dicts here, so a dict record and a text record cannot differ.

use rustc_hash::FxHashMap;

use paynorm::json::Json;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

/// Deeper than any line the library accepts (`MAX_DEPTH` + 1), so the library still decides
/// `too-deep`; the writer stops here so hostile nesting cannot exhaust the stack.
const WRITE_DEPTH_LIMIT: usize = 128;

/// Appends the JSON text of `obj` to `out`, or says why it has none.
pub fn write_json(obj: &Bound<'_, PyAny>, out: &mut Vec<u8>) -> Result<(), String> {
    write_value(obj, out, 0)
}

fn write_str(s: &str, out: &mut Vec<u8>) {
    serde_json::to_writer(&mut *out, s).expect("writing to a Vec cannot fail");
}

/// A list's or a tuple's items as a JSON array.
fn write_array<'py>(
    items: impl Iterator<Item = Bound<'py, PyAny>>,
    out: &mut Vec<u8>,
    depth: usize,
) -> Result<(), String> {
    out.push(b'[');
    for (i, v) in items.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_value(&v, out, depth + 1)?;
    }
    out.push(b']');
    Ok(())
}

fn write_value(obj: &Bound<'_, PyAny>, out: &mut Vec<u8>, depth: usize) -> Result<(), String> {
    if depth > WRITE_DEPTH_LIMIT {
        return Err(format!("nests deeper than {WRITE_DEPTH_LIMIT} levels"));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        let text = s.to_cow().map_err(|e| format!("a str is not UTF-8: {e}"))?;
        write_str(&text, out);
    } else if let Ok(d) = obj.cast::<PyDict>() {
        out.push(b'{');
        for (i, (k, v)) in d.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            let Ok(key) = k.cast::<PyString>() else {
                return Err(format!(
                    "keys must be str, not {}",
                    k.get_type()
                        .name()
                        .map_or_else(|_| "?".into(), |n| n.to_string())
                ));
            };
            let key = key
                .to_cow()
                .map_err(|e| format!("a key is not UTF-8: {e}"))?;
            write_str(&key, out);
            out.push(b':');
            write_value(&v, out, depth + 1)?;
        }
        out.push(b'}');
    } else if obj.is_none() {
        out.extend_from_slice(b"null");
    } else if let Ok(b) = obj.cast::<PyBool>() {
        out.extend_from_slice(if b.is_true() { b"true" } else { b"false" });
    } else if obj.cast::<PyInt>().is_ok() {
        if let Ok(n) = obj.extract::<i64>() {
            out.extend_from_slice(n.to_string().as_bytes());
        } else {
            // Larger than 64 bits: its decimal text, as `json.dumps` writes it.
            let text = obj.str().map_err(|e| e.to_string())?;
            out.extend_from_slice(text.to_cow().map_err(|e| e.to_string())?.as_bytes());
        }
    } else if let Ok(f) = obj.cast::<PyFloat>() {
        let v = f.value();
        if !v.is_finite() {
            return Err(format!("{v} is not a JSON number"));
        }
        serde_json::to_writer(&mut *out, &v).expect("writing to a Vec cannot fail");
    } else if let Ok(l) = obj.cast::<PyList>() {
        write_array(l.iter(), out, depth)?;
    } else if let Ok(t) = obj.cast::<PyTuple>() {
        write_array(t.iter(), out, depth)?;
    } else {
        let name = obj
            .get_type()
            .name()
            .map_or_else(|_| "?".to_string(), |n| n.to_string());
        return Err(format!("a {name} is not JSON"));
    }
    Ok(())
}

/// Turns records (JSON text written by the library) into Python objects, sharing one
/// `str` per distinct short text: the keys and the catalog words repeat on every record.
pub struct ToPython<'py> {
    py: Python<'py>,
    strings: FxHashMap<String, Py<PyString>>,
}

/// Texts up to this length are shared; longer ones (raw messages) rarely repeat.
const SHARED_MAX: usize = 64;

impl<'py> ToPython<'py> {
    pub fn new(py: Python<'py>) -> Self {
        ToPython {
            py,
            strings: FxHashMap::default(),
        }
    }

    /// The Python value of one record's JSON text.
    pub fn record(&mut self, text: &[u8]) -> PyResult<Bound<'py, PyAny>> {
        let doc = Json::parse_with_depth(text, 127).map_err(|e| {
            pyo3::exceptions::PyRuntimeError::new_err(format!(
                "paynorm wrote a record that is not JSON (a bug): {e}"
            ))
        })?;
        self.value(&doc)
    }

    fn string(&mut self, s: &str) -> Bound<'py, PyAny> {
        if s.len() > SHARED_MAX {
            return PyString::new(self.py, s).into_any();
        }
        if let Some(p) = self.strings.get(s) {
            return p.bind(self.py).clone().into_any();
        }
        let p = PyString::new(self.py, s);
        self.strings.insert(s.to_string(), p.clone().unbind());
        p.into_any()
    }

    pub fn value(&mut self, v: &Json<'_>) -> PyResult<Bound<'py, PyAny>> {
        let py = self.py;
        Ok(match v {
            Json::Null => py.None().into_bound(py),
            Json::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
            Json::Number(text) => number(py, text)?,
            Json::Str(s) => self.string(s),
            Json::Array(items) => {
                let list = PyList::empty(py);
                for item in items {
                    list.append(self.value(item)?)?;
                }
                list.into_any()
            }
            Json::Object(members) => {
                let dict = PyDict::new(py);
                for (k, item) in members {
                    let key = self.string(k);
                    dict.set_item(key, self.value(item)?)?;
                }
                dict.into_any()
            }
        })
    }
}

/// A JSON number as Python reads it with `json.loads`: an int when written without a fraction
/// or exponent (of any size), else a float.
fn number<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    if let Ok(n) = text.parse::<i64>() {
        return Ok(n.into_pyobject(py)?.into_any());
    }
    if !text.contains(['.', 'e', 'E']) {
        return py.get_type::<PyInt>().call1((text,)).map(Bound::into_any);
    }
    let f: f64 = text
        .parse()
        .map_err(|e| pyo3::exceptions::PyValueError::new_err(format!("bad number {text}: {e}")))?;
    Ok(PyFloat::new(py, f).into_any())
}
