"""A real portal (launcher: embedded Redis, worker, gunicorn) driven by Debian's Chromium."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from app.config import REPO_ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"width": 390, "height": 844}
# Every element's right edge inside the screen; what is visually hidden (clipped to 1 px, such as a stacked
# table's header row, kept for screen readers) does not count, nor the lines of a code block (<pre> scrolls).
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')].filter(el => {
    const box = el.getBoundingClientRect();
    return box.width > 1 && box.right > width + 0.5 && !el.closest('.visually-hidden, .stack-table thead, pre *');
  }).map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().right));
}"""
# Content a reader cannot see whole, each named with the start of its text:
# - a box that clips or scrolls its content sideways (overflow hidden, clip or auto; text-overflow needs one of
#   them): a table in a scrolling wrapper hides its last columns until scrolled, which nobody notices;
# - a box that clips its content at the bottom (overflow-y hidden or clip);
# - a table cell whose content is wider than the cell, spilling over its neighbour;
# - an SVG text outside its viewBox, which the SVG cuts off (a chart label losing its first letters).
# Not counted: what is visually hidden on purpose (clipped to nothing, 1 px), form fields (a long value scrolls
# inside its field), code blocks (<pre> keeps a script's lines and scrolls) and what is not rendered.
CLIPPED = """() => {
  const label = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
    + ' "' + (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 50) + '"';
  const hiddenOnPurpose = el => {
    for (let a = el; a && a !== document.body; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (style.clip !== 'auto' || style.clipPath !== 'none') return true;
      const box = a.getBoundingClientRect();
      if (box.width <= 1 || box.height <= 1) return true;
    }
    return false;
  };
  const problems = [];
  for (const el of document.querySelectorAll('body *')) {
    if (!el.getClientRects().length || el.closest('svg, pre, input, textarea, select') || hiddenOnPurpose(el)) continue;
    const style = getComputedStyle(el);
    const sideways = el.scrollWidth - el.clientWidth, below = el.scrollHeight - el.clientHeight;
    if (style.overflowX !== 'visible' && sideways > 1) problems.push(label(el) + ` hides ${sideways} px at the side`);
    else if (['hidden', 'clip'].includes(style.overflowY) && below > 1) problems.push(label(el) + ` hides ${below} px below`);
    else if (['TD', 'TH'].includes(el.tagName) && sideways > 1) problems.push(label(el) + ` spills ${sideways} px out of its cell`);
  }
  for (const svg of document.querySelectorAll('svg[viewBox]')) {
    if (!svg.getClientRects().length || hiddenOnPurpose(svg)) continue;
    const view = svg.viewBox.baseVal;
    for (const text of svg.querySelectorAll('text')) {
      const b = text.getBBox();
      if (b.x < view.x - 0.5 || b.y < view.y - 0.5 || b.x + b.width > view.x + view.width + 0.5
          || b.y + b.height > view.y + view.height + 0.5)
        problems.push(label(text) + ` is cut by its chart: x ${b.x.toFixed(0)}..${(b.x + b.width).toFixed(0)}`
                      + ` of ${view.x}..${view.x + view.width}`);
    }
  }
  return problems;
}"""


def pytest_collection_modifyitems(items):
    if shutil.which(CHROMIUM):
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"{CHROMIUM} is missing in CI; .ci/run installs Debian's chromium package")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=f"{CHROMIUM} not installed (apt-get install chromium)"))


@pytest.fixture(scope="module")
def portal_env(tmp_path_factory):
    """The environment of the scratch portal: its own instance directory, embedded database and Redis.
    CLI commands run with it act on the portal's data (`flask users create`, `flask tokens create`)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PUBLIC_URL")}
    env.update(RAASTA_INSTANCE_DIR=str(tmp_path_factory.mktemp("portal")))
    return env


@pytest.fixture(scope="module")
def portal(portal_env):
    """The base URL of a portal started exactly as `make run` starts it, on a scratch instance."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(portal_env, PORT=str(port), WEB_CONCURRENCY="1")
    launcher = subprocess.Popen([sys.executable, "-m", "app.runtime.launcher"], cwd=REPO_ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    yield base
    os.killpg(launcher.pid, signal.SIGINT)
    launcher.wait(timeout=60)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
