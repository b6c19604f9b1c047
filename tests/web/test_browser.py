"""The pages in a real browser (Debian's headless Chromium, driven by Selenium) against a corpus crawled from the
test sites: search, narrow by a place, open a document, save the search and read its feed; a crawled article's
script payloads stay inert. A screenshot of each page goes to test-artifacts/screenshots/."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import feedparser
import httpx
import pytest

from newscorpus.config import Settings
from newscorpus.web.app import create_app
from tests.conftest import LocalSite
from tests.test_cli import run
from tests.web.conftest import serving

if TYPE_CHECKING:
    from selenium.webdriver import Chrome

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
         "--disable-default-apps", "--no-default-browser-check", "--window-size=1280,1000",
         # no name resolves but loopback's: the browser reaches nothing beyond the test servers
         "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost")


def _missing(why: str) -> NoReturn:
    message = f"{why}: `make test` installs Debian's chromium and chromium-driver"
    if os.environ.get("CI"):  # CI installs them: a skip there would hide a missing install step
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chrome]:
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("selenium is not installed")
    for program in (CHROMIUM, CHROMEDRIVER):
        if not os.access(program, os.X_OK):
            _missing(f"{program} is missing")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # The driver's path given: Selenium Manager never runs, so nothing is looked up or downloaded.
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def site_url(site: LocalSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("browser")
    for feed in ("/news/", "/wire/feed.xml", "/payload/feed.xml"):
        assert run(data, "sources", "add", site.url(feed)).exit_code == 0
    assert run(data, "crawl").exit_code == 0
    with serving(create_app(data, Settings())) as base:
        yield base


def _shot(browser: Chrome, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def _wait(condition: Callable[[], object], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the page did not get there in time"
        time.sleep(0.05)


def test_browser_search_narrow_read_save_and_follow(browser: Chrome, site_url: str) -> None:
    from selenium.webdriver.common.by import By

    browser.get(site_url + "/")
    _shot(browser, "1-search-empty")
    box = browser.find_element(By.ID, "q")
    box.send_keys("strike OR glaciers OR library OR council")
    box.submit()
    _wait(lambda: "q=strike" in browser.current_url)
    hits = browser.find_elements(By.CSS_SELECTOR, "#hits li.hit")
    before = int(browser.find_element(By.ID, "count").text.split(" of ")[1].split()[0])
    assert len(hits) == before >= 4
    bars_before = len(browser.find_elements(By.CSS_SELECTOR, "#timeline rect"))
    assert bars_before >= 2 and browser.find_elements(By.CSS_SELECTOR, "#map svg path")
    browser.find_element(By.CSS_SELECTOR, "#hits a.copies").click()  # the copies listed in place, by app.js
    _wait(lambda: browser.find_elements(By.CSS_SELECTOR, "#hits .copy-list li a"))
    assert "/search" not in browser.current_url and "q=strike" in browser.current_url
    _shot(browser, "2-search-results")

    browser.find_element(By.CSS_SELECTOR, "#facet-place a[href*='Mombasa']").click()
    _wait(lambda: "place=Mombasa" in browser.current_url)
    narrowed = browser.find_elements(By.CSS_SELECTOR, "#hits li.hit")
    assert 1 <= len(narrowed) < before
    assert all("Mombasa" in h.text or "dock" in h.text.lower() for h in narrowed)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#timeline rect")) < bars_before
    assert "place: Mombasa" in browser.find_element(By.ID, "understood").text
    _shot(browser, "3-search-narrowed-by-place")

    narrowed[0].find_element(By.CSS_SELECTOR, "a.title").click()
    _wait(lambda: "/documents/" in browser.current_url)
    assert browser.find_elements(By.CSS_SELECTOR, "#text a.place")
    law = browser.find_element(By.CSS_SELECTOR, "#text a.law")
    assert "Labour Relations Act" in (law.get_attribute("title") or "")
    _shot(browser, "4-document")

    browser.back()
    _wait(lambda: "place=Mombasa" in browser.current_url)
    browser.find_element(By.CSS_SELECTOR, "form.save input[name=name]").send_keys("mombasa docks")
    browser.find_element(By.CSS_SELECTOR, "form.save button").click()
    _wait(lambda: browser.current_url.endswith("/searches/mombasa%20docks"))
    _shot(browser, "5-saved-search")
    feed_url = browser.find_element(By.ID, "feed").get_attribute("href")
    assert feed_url
    feed = feedparser.parse(httpx.get(feed_url, timeout=30).content)
    assert not feed.bozo and feed.entries
    assert {e.title for e in feed.entries} == {h.text for h in browser.find_elements(By.CSS_SELECTOR, "#hits a.title")}


def test_browser_runs_no_script_from_a_crawled_page(browser: Chrome, site_url: str) -> None:
    from selenium.webdriver.common.by import By

    browser.get(site_url + "/?q=council")
    _wait(lambda: browser.find_elements(By.CSS_SELECTOR, "#hits a.title"))
    assert "<img src=x onerror=window.pwned=1>" in browser.find_element(By.ID, "hits").text  # shown as text
    _shot(browser, "6-payload-in-results")
    browser.find_element(By.CSS_SELECTOR, "#hits a.title").click()
    _wait(lambda: "/documents/" in browser.current_url)
    assert "<script>window.pwned=1</script>" in browser.find_element(By.ID, "text").text
    _shot(browser, "7-payload-document")
    assert browser.execute_script("return typeof window.pwned") == "undefined"  # no payload ran
    assert browser.execute_script("return document.documentElement.dataset.enhanced") == "true"  # our script did
