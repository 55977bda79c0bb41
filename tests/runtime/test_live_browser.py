"""The live view in a real browser: Debian's headless Chromium, driven by selenium.

Needs `apt-get install chromium chromium-driver` (.ci/run does it) and selenium (the dev extra).
A screenshot of each page goes to $TEST_ARTIFACTS (else the test's tmp folder): look at it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import time
import urllib.request
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--window-size=1280,1100"]
NUMBER = [4, 0, 9, 6]
WAIT = 30  # seconds for anything the page shows


def _helper(name: str):
    spec = importlib.util.spec_from_file_location(f"runtime_test_{name}", HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


cli = _helper("test_live_cli")  # its Running / running fixture start the CLIs
running = cli.running


@pytest.fixture(scope="module")
def webdriver_module():
    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).is_file():
            pytest.fail(f"{path} is missing: apt-get install chromium chromium-driver (.ci/run "
                        "does it)")
    try:
        from selenium import webdriver
    except ImportError:
        pytest.fail("selenium is missing: pip install -e '.[dev]'")
    return webdriver


@pytest.fixture
def browser(webdriver_module, tmp_path):
    options = webdriver_module.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    service = webdriver_module.ChromeService(executable_path=CHROMEDRIVER)
    driver = webdriver_module.Chrome(options=options, service=service)
    yield driver
    driver.quit()


@pytest.fixture
def artifacts(tmp_path) -> Path:
    folder = Path(os.environ.get("TEST_ARTIFACTS") or tmp_path / "artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def clip(tmp_path_factory, pages, mnist_test):
    """(path, number): 20 s of a page with a 4-digit number, the camera shaking a little."""
    path = tmp_path_factory.mktemp("browser") / "number.avi"
    return path, _helper("live_clip").write_clip(path, pages, mnist_test, NUMBER, seconds=20)


def until(condition, what: str, timeout: float = WAIT):
    """condition()'s first truthy value within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            if value := condition():
                return value
        except Exception as e:  # the page is still loading
            last = e
        time.sleep(0.2)
    raise AssertionError(f"the page never showed {what} ({last})")


def text(driver, element_id: str) -> str:
    return driver.find_element("id", element_id).text


def snapshot(url: str) -> bytes:
    with urllib.request.urlopen(url + "/snapshot.jpg", timeout=20) as response:
        return response.read()


def test_the_page_shows_the_stream_and_the_number(running, clip, browser, artifacts):
    path, number = clip
    r = running("runtime.webcam", "--video", str(path), "--headless", "--serve", "127.0.0.1:0")
    url = cli.base(r.url())
    browser.get(url + "/")
    size = until(lambda: browser.execute_script(
        "const i = document.getElementById('stream');"
        "return i.complete && i.naturalWidth ? [i.naturalWidth, i.naturalHeight] : null;"),
        "a frame of the stream")
    assert size == [640, 480]
    until(lambda: text(browser, "reading") == number, f"the reading {number}")
    stream = browser.find_element("id", "stream")
    first, first_shot = snapshot(url), stream.screenshot_as_png
    time.sleep(1.0)
    second, second_shot = snapshot(url), stream.screenshot_as_png
    assert first != second  # the server's frames move...
    assert first_shot != second_shot  # ...and so does the picture in the browser
    from runtime.auto import choose

    assert text(browser, "model") == choose().path.name  # no --model: auto's choice here
    assert float(text(browser, "fps")) > 0
    line = json.loads(urllib.request.urlopen(url + "/reading", timeout=20).read())
    assert line["digits"] == number
    shot = artifacts / "live-view.png"
    browser.save_screenshot(str(shot))
    print(f"screenshot: {shot}")
    assert r.stop() == (0, "")  # SIGTERM, as systemd stops it: a clean exit


def draw_seven(browser) -> None:
    """A 7 with pointer actions: the bar left to right, then the stem down to the left."""
    from selenium.webdriver.common.action_chains import ActionChains

    pad = browser.find_element("id", "pad")
    width = pad.size["width"]
    unit = width / 560  # the offsets below are in pad pixels (the pad is 560x280)
    actions = ActionChains(browser, duration=20)
    actions.move_to_element_with_offset(pad, int(-60 * unit), int(-90 * unit)).click_and_hold()
    for _ in range(6):
        actions.move_by_offset(int(20 * unit), 0)
    for _ in range(8):
        actions.move_by_offset(int(-9 * unit), int(22 * unit))
    actions.release().perform()


def test_a_refused_request_then_the_pad_with_the_token(running, int8_model, browser, artifacts):
    r = running("runtime.serve", "--model", str(int8_model), "0.0.0.0:0")
    url = r.url()
    local = url.replace("0.0.0.0", "127.0.0.1")
    browser.get(cli.base(local) + "/")
    assert "forbidden" in browser.find_element("tag name", "body").text
    assert not browser.find_elements("id", "pad")

    browser.get(local)  # with ?token=: the page sets its cookie and drops the token from the URL
    until(lambda: text(browser, "model") == int8_model.name, "the model name")
    assert "token" not in browser.current_url
    assert not browser.find_element("id", "camera").is_displayed()  # no camera here
    draw_seven(browser)
    until(lambda: text(browser, "pad-reading") == "7", "the drawn 7 read as 7")
    detail = text(browser, "pad-detail")
    assert detail.startswith("7 ")
    shot = artifacts / "drawing-pad.png"
    browser.save_screenshot(str(shot))
    print(f"screenshot: {shot}")
    browser.find_element("id", "clear").click()
    assert text(browser, "pad-reading") == "nothing drawn yet"
    assert r.stop() == (0, "")  # SIGTERM, as systemd stops it: a clean exit
