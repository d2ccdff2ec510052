import contextlib
import socket
import threading
from io import StringIO
from pathlib import Path

from django.core.management import call_command


def run_import(*paths, **options):
    """Run import_articles; return (stdout, stderr). Raises CommandError when a file failed."""
    out, err = StringIO(), StringIO()
    call_command("import_articles", *map(str, paths), stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def make_image(path: Path, size=(40, 30), color=(200, 30, 30), kind="PNG") -> Path:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, color).save(path, kind)
    return path


def article_form(**overrides):
    """The article add form as the admin posts it, with `overrides`."""
    data = {
        "title": "海港市新渡轮下水",
        "slug": "",
        "standfirst": "",
        "body_source": "First *paragraph*.\n\n<script>alert(1)</script>",
        "body_format": "markdown",
        "status": "published",
        "published_at_0": "",
        "published_at_1": "",
        "category": "",
        "tags": [],
        "language": "zh-hans",
        "lead_image_url": "",
        "lead_image_caption": "",
        "lead_image_credit": "",
        "extra": "{}",
        "bylines-TOTAL_FORMS": "0",
        "bylines-INITIAL_FORMS": "0",
        "bylines-MIN_NUM_FORMS": "0",
        "bylines-MAX_NUM_FORMS": "1000",
        "old_addresses-TOTAL_FORMS": "0",
        "old_addresses-INITIAL_FORMS": "0",
        "old_addresses-MIN_NUM_FORMS": "0",
        "old_addresses-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-results" / "screenshots"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
# Flags the machine needs: no sandbox as root, and no background calls to a network that is closed.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


@contextlib.contextmanager
def open_page(browser, viewport):
    """A page in a fresh context that records console errors and uncaught exceptions."""
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    page.viewport_name = viewport
    try:
        yield page
    finally:
        context.close()


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}-{page.viewport_name}.png", full_page=True)


def logged_in(user):
    """A test client signed in as `user`."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def only():
    """The one article in the database (fails when there are none or several)."""
    from articles.models import Article

    return Article.objects.get()


class TcpProxy:
    """A TCP forwarder on a spare loopback port, in front of a server the test started. `cut()`
    is a partition: open connections die, and new ones are accepted but never answered (so a
    client waits for its timeout, as it would for a host that vanished); `restore()` ends it."""

    def __init__(self, target_port: int):
        self.target = ("127.0.0.1", target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.cut_off = False
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            with self.lock:
                self.sockets.append(client)
                if self.cut_off:
                    continue  # held, unanswered
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets.append(upstream)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for s in (source, sink):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def cut(self):
        with self.lock:
            self.cut_off = True
            for s in self.sockets:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
            self.sockets.clear()

    def restore(self):
        self.cut()  # the held connections go too: their clients gave up long ago
        with self.lock:
            self.cut_off = False

    def close(self):
        self.cut()
        self.listener.close()


ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn_serving(env: dict, stdout=None):
    """The project served by gunicorn with its own gunicorn.conf.py and `env` (one worker, a
    spare port); yields a `get(path) -> (status, text)`. Stopped on leaving; its output, when
    `stdout` is subprocess.PIPE, is left on the process as `.output`."""
    import subprocess
    import sys
    import time
    import urllib.request

    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    env = {**env, "PORT": str(port), "WEB_CONCURRENCY": "1"}
    server = subprocess.Popen([gunicorn, "newsroom.wsgi"], cwd=ROOT, env=env, stdout=stdout, text=True)

    def get(path):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.status, response.read().decode()

    get.server = server
    try:
        for _ in range(100):
            try:
                get("/healthz")
                break
            except OSError:
                time.sleep(0.1)
        yield get
    finally:
        server.terminate()
        server.output = server.communicate(timeout=30)[0]
