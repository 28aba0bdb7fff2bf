"""The page in Debian's headless Chromium with a fake microphone that plays a synthesized question.

Chromium's fake capture device reads the WAV in a loop; the page's AudioWorklet turns it into PCM16
frames for the websocket exactly as with a real microphone. The test clicks start, waits for the
expected passage and the latency bars, and saves screenshots (desktop and phone) under artifacts/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from live_server import PAUSED_QUESTION, QUESTION, spoken, spoken_with_pause, with_silence
from models.audio import write_wav

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


@pytest.fixture(scope="module")
def question_wav(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("mic") / "question.wav"
    write_wav(path, with_silence(spoken(QUESTION[0]), before_s=1.0, after_s=3.0))
    return path


@pytest.fixture(scope="module")
def paused_wav(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("mic") / "paused.wav"
    write_wav(path, with_silence(spoken_with_pause(*PAUSED_QUESTION), before_s=1.0, after_s=3.0))
    return path


def _launch(playwright, wav: Path):
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={wav}",
            "--autoplay-policy=no-user-gesture-required",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    )


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 1000}, {"width": 390, "height": 844}], ids=["desktop", "phone"])
def test_spoken_question_in_the_browser_shows_passage_latency_and_answer(server, question_wav, viewport):
    playwright_api = pytest.importorskip("playwright.sync_api")
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    with playwright_api.sync_playwright() as p:
        browser = _launch(p, question_wav)
        try:
            page = browser.new_page(viewport=viewport)
            page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
            page.on("console", lambda msg: msg.type == "error" and problems.append(f"console: {msg.text}"))
            page.goto(server.base + "/")
            page.click("#mic")
            page.wait_for_selector("#connection[data-state=online]", timeout=30_000)
            # The ASR column's top passage is the expected one (SEAL's may be anything while untrained).
            page.wait_for_selector(f'#hit-asr-1[data-doc="{QUESTION[1]}"]', timeout=90_000)
            page.wait_for_selector("#latency-seal .latency-bar .seg-encoder", timeout=30_000)
            page.wait_for_selector("#latency-asr .latency-bar .seg-decode", timeout=30_000)
            page.wait_for_selector("#answer a.cite", timeout=30_000)
            assert "library" in page.inner_text("#transcript").lower()
            assert "fallback" in page.inner_text("#answer-source")
            assert page.locator("#hits-seal .hit").count() == 5
            assert "end of speech" in page.inner_text("#latency-seal")
            shot = ARTIFACTS / f"browser-{'phone' if viewport['width'] < 600 else 'desktop'}.png"
            page.screenshot(path=str(shot), full_page=True)
            page.click("#mic")  # stop: the session closes cleanly
        finally:
            browser.close()
    assert shot.stat().st_size > 10_000
    assert not problems, problems


def test_live_hits_show_as_provisional_while_the_person_talks_then_final(server, paused_wav):
    """The question comes in two breaths: SEAL's hits for the first one show, marked provisional,
    while the second is spoken; when the turn ends they are final, and the fused column is filled."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    with playwright_api.sync_playwright() as p:
        browser = _launch(p, paused_wav)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
            page.goto(server.base + "/")
            page.click("#mic")
            page.wait_for_selector("#hits-seal.provisional .hit", timeout=90_000)
            assert "provisional" in page.inner_text("#live-seal")
            page.screenshot(path=str(ARTIFACTS / "browser-live-provisional.png"), full_page=True)
            page.wait_for_selector("#live-seal[data-state=final]", timeout=60_000)
            assert not page.locator("#hits-seal.provisional").count()
            page.wait_for_selector("#hit-fused-1", timeout=90_000)
            assert page.locator("#col-fused").is_visible()
            page.click("#mic")
        finally:
            browser.close()
    assert not problems, problems


def test_uploaded_wav_is_answered_like_speech(server, question_wav):
    playwright_api = pytest.importorskip("playwright.sync_api")
    problems: list[str] = []
    with playwright_api.sync_playwright() as p:
        browser = _launch(p, question_wav)
        try:
            page = browser.new_page()
            page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
            page.goto(server.base + "/")
            page.set_input_files("#upload", str(question_wav))
            page.wait_for_selector(f'#hit-asr-1[data-doc="{QUESTION[1]}"]', timeout=90_000)
            page.wait_for_selector("#answer a.cite", timeout=30_000)
            page.wait_for_function("document.querySelector('#status').textContent.includes('question.wav')", timeout=30_000)
            assert not page.locator("#mic[aria-pressed=true]").count()  # no microphone was needed
        finally:
            browser.close()
    assert not problems, problems


def test_push_to_talk_in_the_browser(server, question_wav):
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        browser = _launch(p, question_wav)
        try:
            page = browser.new_page()
            page.goto(server.base + "/")
            page.click("#settings summary")
            page.select_option("#mode", "ptt")
            page.click("#mic")
            page.wait_for_selector("#connection[data-state=online]", timeout=30_000)
            talk = page.locator("#talk")
            assert talk.is_visible()
            # The fake microphone plays the file from the start: hold through the question, then let go.
            talk.hover()
            page.mouse.down()
            page.wait_for_timeout(3500)
            page.mouse.up()
            page.wait_for_selector(f'#hit-asr-1[data-doc="{QUESTION[1]}"]', timeout=90_000)
            assert page.get_attribute("#vad-state", "data-state") in ("listening", "thinking", "speech")
        finally:
            browser.close()


def test_the_page_sends_the_token_outside_any_url(server, question_wav, monkeypatch):
    """A link with #token=... (never sent to the server) opens a guarded server; the websocket carries
    the token as a subprotocol, so no URL the server or a proxy logs holds it."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    monkeypatch.setattr(server.settings, "api_token", "tok-page-5e1f")
    sockets: list[str] = []
    problems: list[str] = []
    with playwright_api.sync_playwright() as p:
        browser = _launch(p, question_wav)
        try:
            page = browser.new_page()
            page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
            page.on("websocket", lambda ws: sockets.append(ws.url))
            page.goto(server.base + "/#token=tok-page-5e1f")
            assert "tok-page-5e1f" not in page.url  # the page took it out of the address bar
            page.click("#mic")
            page.wait_for_selector("#connection[data-state=online]", timeout=30_000)
            page.click("#mic")
        finally:
            browser.close()
    assert sockets and not any("token" in url for url in sockets)
    assert not problems, problems
