"""The playground (GET /) driven end to end in Chromium: scripts/browser.sh starts the
server and passes its address in PAYNORM_BASE and the browser in CHROMIUM."""

import json
import os

import pytest
from playwright.sync_api import Page, expect, sync_playwright

BASE = os.environ["PAYNORM_BASE"]
SCREENSHOT = os.environ.get("PLAYGROUND_SCREENSHOT", "target/playground.png")

STRIPE_INSUFFICIENT_FUNDS = {
    "error": {
        "code": "card_declined",
        "decline_code": "insufficient_funds",
        "message": "Your card has insufficient funds.",
        "type": "card_error",
    }
}


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=os.environ["CHROMIUM"],
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        yield browser
        browser.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    # A CSP violation ("Refused to ...") shows up as a console error; a failed load of the
    # page's own assets as a response (the API's 4xx answers are expected, the favicon is
    # not served).
    page.on(
        "console",
        lambda m: errors.append(m.text)
        if m.type == "error" and not m.text.startswith("Failed to load resource")
        else None,
    )
    page.on(
        "response",
        lambda r: errors.append(f"{r.status} {r.url}")
        if r.status >= 400 and "/v1/" not in r.url and not r.url.endswith("/favicon.ico")
        else None,
    )
    page.goto(BASE + "/")
    yield page
    context.close()
    assert errors == [], errors


def normalize(page: Page, provider: str, response: str):
    page.select_option("#provider", provider)
    page.fill("#response", response)
    page.click("#run")


def record_value(page: Page, key: str):
    return page.locator(f'#record tr[data-key="{key}"] td')


def test_stripe_insufficient_funds_in_english_and_chinese_with_the_trace(page: Page):
    # The providers come from /v1/providers.
    expect(page.locator('#provider option[value="stripe"]')).to_have_count(1)
    normalize(page, "stripe", json.dumps(STRIPE_INSUFFICIENT_FUNDS, indent=2))
    expect(page.locator("#record-code")).to_have_text("100100")
    expect(page.locator("#record-message")).to_have_text("Insufficient balance")
    expect(record_value(page, "outcome")).to_have_text("declined")
    expect(record_value(page, "rule")).to_have_text("stripe/decline_code/insufficient_funds")
    # The trace: the deciding step is the rule's, marked decided, and the conclusion says so.
    decided = page.locator("#steps tbody tr.decided")
    expect(decided).to_have_count(1)
    expect(decided.locator("td").nth(5)).to_have_text("stripe/decline_code/insufficient_funds")
    expect(decided.locator("td.outcome")).to_have_text("decided")
    expect(page.locator("#conclusion")).to_contain_text(
        "decided by stripe/decline_code/insufficient_funds"
    )
    expect(page.locator("#fields tbody tr").first).to_be_visible()
    expect(page.locator("#error")).to_be_hidden()
    page.screenshot(path=SCREENSHOT, full_page=True)

    # 中文: the record is asked for again in Chinese, the labels change too.
    page.click("#lang-zh")
    expect(page.locator("#record-message")).to_have_text("余额不足")
    expect(page.locator("#record-code")).to_have_text("100100")
    expect(page.locator("#tab-catalog")).to_have_text("错误码目录")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.screenshot(path=SCREENSHOT.replace(".png", "-zh.png"), full_page=True)
    page.click("#lang-en")
    expect(page.locator("#record-message")).to_have_text("Insufficient balance")


def test_context_reaches_the_decision(page: Page):
    # Stripe authentication_required: authenticate, unless the merchant started the payment
    # (no cardholder to authenticate): the context picked in the page changes the action.
    normalize(page, "stripe", '{"error": {"code": "authentication_required"}}')
    expect(page.locator("#record-code")).to_have_text("100622")
    expect(record_value(page, "action")).to_have_text("authenticate")
    page.select_option("#initiator", "merchant")
    page.fill("#network", "Visa")
    page.click("#run")
    expect(record_value(page, "action")).to_have_text("use_another_method")
    expect(page.locator('#decision tr[data-key="context_adjustment"] td')).to_contain_text(
        "initiator = merchant"
    )


def test_the_catalog_in_both_languages(page: Page):
    page.click("#tab-catalog")
    row = page.locator('#catalog tbody tr[data-code="100100"]')
    expect(row.locator("td.text")).to_have_text("Insufficient balance")
    expect(row.locator("td").nth(1)).to_have_text("amount")
    page.click("#lang-zh")
    expect(row.locator("td.text")).to_have_text("余额不足")
    # The filter finds a code by its Chinese text.
    page.fill("#filter", "余额不足")
    expect(page.locator("#catalog tbody tr")).to_have_count(1)
    page.fill("#filter", "")
    assert page.locator("#catalog tbody tr").count() > 80
    page.screenshot(path=SCREENSHOT.replace(".png", "-catalog.png"))
    page.click("#lang-en")
    expect(row.locator("td.text")).to_have_text("Insufficient balance")


def test_invalid_json_shows_the_servers_error(page: Page):
    normalize(page, "stripe", '{"error": {"code": "card_declined",')
    expect(page.locator("#error")).to_be_visible()
    expect(page.locator("#error-kind")).to_have_text("invalid-json")
    expect(page.locator("#error-status")).to_have_text("HTTP 400")
    expect(page.locator("#error-message")).to_contain_text("invalid JSON")
    # The position is the paste's, not the request body's (the page wraps the paste).
    expect(page.locator("#error-message")).to_contain_text("at line 1 column 36 of the response")
    expect(page.locator("#result")).to_be_hidden()
    page.screenshot(path=SCREENSHOT.replace(".png", "-error.png"), full_page=True)
    # A 400 of another kind: a response that is not an object.
    normalize(page, "stripe", '"card_declined"')
    expect(page.locator("#error-kind")).to_have_text("invalid-response")
    # And a good one clears the error.
    normalize(page, "stripe", json.dumps(STRIPE_INSUFFICIENT_FUNDS))
    expect(page.locator("#error")).to_be_hidden()
    expect(page.locator("#record-code")).to_have_text("100100")
