"""The playground against a server with a bearer token: the page itself is open, the API
answers 401 until the user pastes the token (scripts/browser.sh passes it in
PAYNORM_TOKEN and that server's address in PAYNORM_TOKEN_BASE)."""

import os

from playwright.sync_api import expect

from test_playground import STRIPE_INSUFFICIENT_FUNDS, browser  # noqa: F401 (fixture)

import json


def test_the_page_asks_for_the_token_and_then_works(browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(os.environ["PAYNORM_TOKEN_BASE"] + "/")
    # Without the token: the providers cannot be loaded, and the page says why.
    expect(page.locator("#notice")).to_be_visible()
    expect(page.locator("#notice")).to_contain_text("401")
    expect(page.locator("#notice")).to_contain_text("bearer token")
    page.fill("#token", os.environ["PAYNORM_TOKEN"])
    page.locator("#token").dispatch_event("change")
    expect(page.locator('#provider option[value="stripe"]')).to_have_count(1)
    expect(page.locator("#notice")).to_be_hidden()
    page.select_option("#provider", "stripe")
    page.fill("#response", json.dumps(STRIPE_INSUFFICIENT_FUNDS))
    page.click("#run")
    expect(page.locator("#record-code")).to_have_text("100100")
    context.close()
