"""The web page end to end in Debian's headless Chromium: the AI notice, a streamed answer, the crisis
panel, and a new conversation."""

from __future__ import annotations

import json
import os
import shutil
from contextlib import contextmanager

import pytest

from warmline.backends import ScriptedBackend

from .test_api import serve


@contextmanager
def browser_page(srv, enforce_csp: bool = False):
    """A page of Debian's headless Chromium on the server's web page. Playwright's wait_for_function evaluates
    strings, which the page's Content-Security-Policy forbids: tests that use it run with the policy bypassed, and
    one test runs the page under its policy with other waits."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("WARMLINE_REQUIRE_BROWSER"):
            pytest.fail("chromium is required here (WARMLINE_REQUIRE_BROWSER is set) but not installed")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with srv, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page(locale="en-US", bypass_csp=not enforce_csp)
        page.goto(srv.url + "/")
        yield page
        browser.close()


@pytest.mark.browser
def test_chat_page_streams_and_opens_the_crisis_panel():
    reply = "I'm really glad you reached out. What has the week been like for you?"
    srv, backend = serve(ScriptedBackend(default=reply))
    with browser_page(srv) as page:
        page.wait_for_function("document.getElementById('notice').textContent.length > 0")
        assert "talking to an AI" in page.inner_text("#notice")
        assert not page.is_visible("#resources")
        page.fill("#input", "It's been a rough week at work.")
        page.click("#send")
        page.wait_for_function(
            f"document.querySelectorAll('.assistant').length === 1 && "
            f"document.querySelector('.assistant').textContent === {reply!r}"
        )
        assert page.inner_text(".user") == "It's been a rough week at work."
        page.fill("#input", "I want to kill myself tonight.")
        page.click("#send")
        page.wait_for_selector("#resources.open")
        assert "988" in page.inner_text("#resources")
        assert "988" in page.locator(".assistant").nth(1).inner_text()
        page.click("#new")
        assert page.locator(".msg").count() == 0 and not page.is_visible("#resources")
    assert len(backend.calls) == 1  # imminent risk never reached the model
    assert backend.calls[0]["messages"][-1]["content"] == "It's been a rough week at work."


@pytest.mark.browser
def test_chat_page_with_elevated_reply_opens_the_panel_and_streams_the_reply_after_the_resources():
    reply = "That sounds so heavy. Are you safe right now?"
    srv, backend = serve(ScriptedBackend(default=reply), elevated_reply=True, safety_classifier=False)
    with browser_page(srv) as page:
        page.fill("#input", "I don't want to live anymore.")
        page.click("#send")
        page.wait_for_selector("#resources.open")
        page.wait_for_function(f"document.querySelector('.assistant').textContent.endsWith({reply!r})")
        shown = page.inner_text(".assistant")
        assert "988" in shown and shown.index("988") < shown.index(reply)
    assert len(backend.calls) == 1


@pytest.mark.browser
def test_chat_page_shows_the_explanation_apart_from_the_reply():
    reply = "You sound exhausted. What has the week been like?"
    answer = json.dumps(
        {"observation": "She sounds worn out.", "reasoning": "Reflect the tiredness first.", "reply": reply}
    )
    srv, _ = serve(ScriptedBackend(default=answer), explain="prompt")
    with browser_page(srv) as page:
        page.wait_for_function("document.getElementById('notice').textContent.length > 0")
        page.fill("#input", "This week was too much.")
        page.click("#send")
        page.wait_for_selector(".why")
        page.wait_for_function(f"document.querySelector('.assistant').textContent === {reply!r}")
        assert "worn out" in page.inner_text(".why") and "Reflect" in page.inner_text(".why")
        assert "worn out" not in page.inner_text(".assistant")


@pytest.mark.browser
def test_enter_sends_and_shift_enter_starts_a_new_line_under_the_pages_security_policy():
    from playwright.sync_api import expect

    reply = "I'm here. Tell me more."
    srv, backend = serve(ScriptedBackend(default=reply))
    with browser_page(srv, enforce_csp=True) as page:
        violations = []
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        expect(page.locator("#notice")).to_contain_text("talking to an AI")  # the page's own script ran
        page.click("#input")
        page.keyboard.type("First line")
        page.keyboard.press("Shift+Enter")
        page.keyboard.type("second line")
        assert page.input_value("#input") == "First line\nsecond line" and page.locator(".msg").count() == 0
        page.keyboard.press("Enter")
        expect(page.locator(".assistant")).to_have_text(reply)
        assert page.inner_text(".user") == "First line\nsecond line" and page.input_value("#input") == ""
        assert violations == []
    assert backend.calls[0]["messages"][-1]["content"] == "First line\nsecond line"
