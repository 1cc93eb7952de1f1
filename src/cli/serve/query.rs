//! The query string of the API, read so that a bad one is the API's own JSON 400
//! (`invalid-query`), not axum's plain-text rejection.

use axum::extract::{FromRequestParts, Query};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer, Error as _};

/// `Query<T>`, with a rejection in the API's error shape.
pub(super) struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::try_from_uri(&parts.uri) {
            Ok(Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(super::error(
                StatusCode::BAD_REQUEST,
                "invalid-query",
                &rejection.body_text(),
            )),
        }
    }
}

/// The pattern of a language tag (BCP 47 shape: subtags of 1 to 8 letters or digits, the
/// first letters only; `_` is taken for `-`). The OpenAPI document states the same.
#[cfg(test)]
pub(super) const LANG_PATTERN: &str = "^[A-Za-z]{1,8}([-_][A-Za-z0-9]{1,8})*$";

/// Whether `tag` has the shape of [`LANG_PATTERN`].
pub(super) fn is_lang_tag(tag: &str) -> bool {
    let mut parts = tag.split(['-', '_']);
    let first_ok = parts
        .next()
        .is_some_and(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()));
    first_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// `?lang=`: a language tag, or the request is refused (an empty or malformed tag would
/// otherwise silently mean English).
pub(super) fn lang_tag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let tag = String::deserialize(d)?;
    if is_lang_tag(&tag) {
        Ok(Some(tag))
    } else {
        Err(D::Error::custom(format!(
            "`lang` must be a language tag such as en, zh or zh-CN, not {tag:?}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::{LANG_PATTERN, is_lang_tag};

    /// The check and the pattern the OpenAPI document states agree.
    #[test]
    fn language_tags() {
        let pattern = regex_automata::meta::Regex::new(LANG_PATTERN).unwrap();
        for good in ["en", "zh", "zh-CN", "zh_Hans", "zh-Hans-HK", "de-CH-1901"] {
            assert!(is_lang_tag(good), "{good}");
            assert!(pattern.is_match(good), "{good}");
        }
        for bad in [
            "",
            "-",
            "zh-",
            "1zh",
            "zh--CN",
            "toolongtag",
            "zh-CN!",
            "en US",
        ] {
            assert!(!is_lang_tag(bad), "{bad}");
            assert!(!pattern.is_match(bad), "{bad}");
        }
    }
}
