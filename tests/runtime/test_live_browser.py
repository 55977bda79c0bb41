"""The live view in a real browser: Debian's headless Chromium, driven by selenium.

Needs `apt-get install chromium chromium-driver` (scripts/test.sh does it) and selenium (the dev
extra).
A screenshot of each page goes to $TEST_ARTIFACTS (else the test's tmp folder): look at it.
"""

from __future__ import annotations

import hashlib
import http.server
import importlib.util
import json
import os
import threading
import time
import urllib.request
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--window-size=1280,800",
                  # DNS rebinding, simulated: another site's name that resolves to this machine
                  "--host-resolver-rules=MAP evil.example 127.0.0.1"]
NUMBER = [4, 0, 9, 6]
WAIT = 30  # seconds for anything the page shows
# a browser or driver that stops answering fails its test, never the whole run
pytestmark = pytest.mark.timeout(240)


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
            pytest.fail(f"{path} is missing: apt-get install chromium chromium-driver "
                        "(scripts/test.sh does it)")
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
    driver.set_page_load_timeout(WAIT)
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


def snapshot(url: str) -> str:
    """The digest of the server's current frame (digests: a failed comparison prints two lines)."""
    with urllib.request.urlopen(url + "/snapshot.jpg", timeout=20) as response:
        return digest(response.read())


def digest(picture: bytes) -> str:
    return hashlib.sha256(picture).hexdigest()


def shown(element) -> str:
    """The digest of what the browser shows in this element."""
    return digest(element.screenshot_as_png)


def steady(element, pause: float = 0.7) -> str | None:
    """What the element shows, if it still shows exactly that `pause` seconds later."""
    before = shown(element)
    time.sleep(pause)
    return before if shown(element) == before else None


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
    first, first_shot = snapshot(url), shown(stream)
    time.sleep(1.0)
    second, second_shot = snapshot(url), shown(stream)
    assert first != second  # the server's frames move...
    assert first_shot != second_shot  # ...and so does the picture in the browser
    from runtime.models.auto import choose

    assert text(browser, "model") == choose().path.name  # no --model: auto's choice here
    assert float(text(browser, "fps")) > 0
    line = json.loads(urllib.request.urlopen(url + "/reading", timeout=20).read())
    assert line["digits"] == number
    assert text(browser, "fps") == f"{line['fps']:.1f}" or float(text(browser, "fps")) <= 10.5
    assert float(text(browser, "read-ms")) > 0
    fits_the_window(browser, "stream", "pad", "reading")
    shot = artifacts / "live-view.png"
    browser.save_screenshot(str(shot))
    print(f"screenshot: {shot}")
    assert r.stop() == (0, "")  # SIGTERM, as systemd stops it: a clean exit


def fits_the_window(browser, *ids: str) -> None:
    """Each element is wholly inside the window as it opens, with no scrolling (1280x800)."""
    for element_id in ids:
        box = browser.execute_script(
            "const r = document.getElementById(arguments[0]).getBoundingClientRect();"
            "return [r.left, r.top, r.right, r.bottom, innerWidth, innerHeight];", element_id)
        left, top, right, bottom, width, height = box
        assert 0 <= left and 0 <= top and right <= width and bottom <= height, (element_id, box)


@pytest.fixture(scope="module")
def short_clip(tmp_path_factory, pages, mnist_test):
    """(path, number): 3 s of a page with a 4-digit number."""
    path = tmp_path_factory.mktemp("browser") / "short.avi"
    return path, _helper("live_clip").write_clip(path, pages, mnist_test, [7, 2, 5], seconds=3)


def test_the_page_says_when_the_video_ended_and_when_the_server_is_gone(
        running, short_clip, browser, artifacts):
    path, number = short_clip
    r = running("runtime.webcam", "--video", str(path), "--headless", "--serve", "127.0.0.1:0")
    url = cli.base(r.url())
    browser.get(url + "/")
    r.wait_line("end of video")
    until(lambda: "video ended" in text(browser, "state"), "'video ended'")
    assert text(browser, "reading") == number and text(browser, "fps") == "–"
    stream = browser.find_element("id", "stream")
    # the page may say "ended" a moment before the last frame itself arrives: wait for it
    first = until(lambda: steady(stream), "the last frame, holding still")
    assert browser.execute_script("return document.getElementById('stream').naturalWidth") == 640
    time.sleep(2)  # the stream goes on sending its last frame: the picture stays
    assert shown(stream) == first
    browser.save_screenshot(str(artifacts / "video-ended.png"))

    assert r.stop() == (0, "")  # the server is gone
    until(lambda: "connection lost" in text(browser, "state"), "'connection lost'", timeout=10)
    assert browser.execute_script("return document.body.dataset.state") == "lost"
    assert text(browser, "fps") == "–"
    shot = artifacts / "connection-lost.png"
    browser.save_screenshot(str(shot))
    print(f"screenshot: {shot}")


class CountingPad:
    """The pad's recognizer, counting the drawings it is asked to read."""

    def __init__(self, model):
        from runtime.reader.recognizer import Recognizer

        self.recognizer, self.reads = Recognizer.open(model), 0

    def read(self, image):
        self.reads += 1
        return self.recognizer.read(image)


class EvilSite(http.server.BaseHTTPRequestHandler):
    """Another site's page: it POSTs to the live view, as any page may without asking."""

    target = ""

    def do_GET(self):
        page = (f"<script>fetch('{self.target}/read', {{method: 'POST', mode: 'no-cors', "
                "body: 'not even an image', headers: {'Content-Type': 'text/plain'}})"
                ".then(() => document.title = 'sent', () => document.title = 'failed');</script>")
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(page.encode())

    def log_message(self, *args):
        pass


def test_another_sites_page_can_neither_read_nor_write(int8_model, browser):
    from runtime.live import LiveServer

    pad = CountingPad(int8_model)
    server = LiveServer("127.0.0.1", 0, pad=pad, model_name=int8_model.name).start()
    EvilSite.target = f"http://127.0.0.1:{server.server_port}"
    evil = http.server.ThreadingHTTPServer(("127.0.0.1", 0), EvilSite)
    threading.Thread(target=evil.serve_forever, daemon=True).start()
    try:
        # DNS rebinding: evil.example resolves to 127.0.0.1; the browser says Host: evil.example
        browser.get(f"http://evil.example:{server.server_port}/")
        assert "is not this server's name" in browser.find_element("tag name", "body").text
        assert not browser.find_elements("id", "pad")
        # a page of another origin writes to the pad: the browser sends it, the server refuses
        browser.get(f"http://localhost:{evil.server_port}/")
        # the fetch settles once the server has answered (Cross-Origin-Resource-Policy makes
        # it fail in the page: net::ERR_BLOCKED_BY_RESPONSE)
        until(lambda: browser.title in ("sent", "failed"), "the cross-origin POST settled")
        assert pad.reads == 0
        browser.get(EvilSite.target + "/")  # our own page, same browser: its drawing is read
        draw_seven(browser)
        until(lambda: text(browser, "pad-reading") == "7", "the drawn 7 read as 7")
        assert pad.reads >= 1
    finally:
        evil.shutdown()
        server.stop()


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
