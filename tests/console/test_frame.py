"""The console's frame in a real browser: sign-in, the language switch, what a district officer may see."""

from __future__ import annotations

import re

from tests.console.browser import check_page, sign_in


def test_sign_in_page_then_the_first_page_of_the_role(system, page, browser_log):
    console = system["console"]
    page.goto(console + "/")
    assert page.url.startswith(console + "/sign-in")
    assert page.locator("html").get_attribute("lang") == "vi"
    check_page(page, browser_log, "sign-in")
    sign_in(page, console, "provincial_office", actor="vp-an")
    assert page.url == console + "/"
    assert "vp-an" in page.locator("#signed-in-as").inner_text()


def test_language_switch_keeps_the_page_and_changes_every_text(system, page, browser_log):
    console = system["console"]
    sign_in(page, console, "provincial_office")
    heading_vi = page.locator("h1").inner_text()
    with page.expect_navigation():
        page.click("#language-switch")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.url == console + "/"
    heading_en = page.locator("h1").inner_text()
    assert heading_en != heading_vi and heading_en == "Programme"
    check_page(page, browser_log, "programme-en")
    with page.expect_navigation():
        page.click("#language-switch")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("h1").inner_text() == heading_vi


def test_keyboard_reaches_the_content_first(system, page):
    console = system["console"]
    sign_in(page, console, "provincial_office")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert re.search(r"#content$", page.url)
