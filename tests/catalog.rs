//! The embedded catalog must say exactly what the seed says.

use paynorm::catalog::{self, Category};

const SEED: &str = include_str!("../reference/payment-error-codes.txt");

/// (code, category, the seed's text after the code: English and Chinese run together).
fn seed_rows() -> Vec<(u32, Category, String)> {
    let headers = [
        ("Success", Category::Success),
        ("Amount Errors", Category::Amount),
        ("Account/Card Errors", Category::Account),
        ("Risk Control Errors", Category::Risk),
        ("Parameter Validation Errors", Category::Parameter),
        ("General Errors", Category::General),
        ("Unknown Error", Category::Unknown),
        ("Uncategorized Error", Category::Uncategorized),
    ];
    let mut rows = Vec::new();
    let mut category = None;
    for line in SEED.lines().map(str::trim) {
        let Some(pos) = line.find("100") else {
            continue;
        };
        let (head, rest) = line.split_at(pos);
        if rest.len() < 6 || !rest[..6].bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        if !head.is_empty() {
            category = Some(
                headers
                    .iter()
                    .find(|(h, _)| *h == head)
                    .unwrap_or_else(|| panic!("unknown seed header {head:?}"))
                    .1,
            );
        }
        rows.push((
            rest[..6].parse().unwrap(),
            category.expect("a header precedes the first code"),
            rest[6..].to_string(),
        ));
    }
    rows
}

#[test]
fn catalog_matches_the_seed_code_for_code() {
    let rows = seed_rows();
    assert_eq!(rows.len(), 91, "the seed has 91 codes");
    assert_eq!(catalog::entries().len(), rows.len());
    for ((code, category, text), entry) in rows.iter().zip(catalog::entries()) {
        assert_eq!(entry.code, *code, "catalog order follows the seed");
        assert_eq!(entry.category, *category, "category of {code}");
        assert_eq!(
            format!("{}{}", entry.en, entry.zh),
            *text,
            "English + Chinese of {code} must be the seed text"
        );
        assert!(
            !entry.en.is_empty() && !entry.zh.is_empty(),
            "{code} has both texts"
        );
        assert!(
            !entry
                .en
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{code}: no Chinese in the English text"
        );
    }
}

#[test]
fn english_and_chinese_split_where_the_chinese_starts_with_latin_letters() {
    let expect = [
        (100411, "API rate limit exceeded", "API接口请求超限"),
        (100412, "API key error", "API密钥错误"),
        (100419, "Platform API key expired", "API密钥过期"),
        (100601, "Token expired", "token过期"),
        (100606, "3D Secure authentication timeout", "3D授权操作超时"),
        (100615, "Incorrect PIN", "PIN错误"),
    ];
    for (code, en, zh) in expect {
        let e = catalog::lookup(code).unwrap();
        assert_eq!((e.en.as_str(), e.zh.as_str()), (en, zh), "{code}");
    }
}

#[test]
fn shared_english_texts_differ_by_category() {
    // 100107/100417 and 100108/100418 share their English text: amount vs parameter.
    for (amount, parameter) in [(100107, 100417), (100108, 100418)] {
        let (a, p) = (
            catalog::lookup(amount).unwrap(),
            catalog::lookup(parameter).unwrap(),
        );
        assert_eq!(a.en, p.en);
        assert_eq!(a.category, Category::Amount);
        assert_eq!(p.category, Category::Parameter);
    }
}
