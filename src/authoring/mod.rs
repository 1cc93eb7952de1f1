//! Tools for mapping authors: [`coverage`] (what a mapping answers, what fixtures exercise,
//! which codes of a published list lack an entry) and [`expect`] (expectation tests, the
//! logic of `paynorm test`). Neither reads a file: the CLI passes the texts.

pub mod coverage;
pub mod expect;
