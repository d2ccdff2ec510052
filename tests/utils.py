import contextlib
import io
import os
import socket
import subprocess
import sys
import threading
import uuid
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
# What production sets: DEBUG off, a long random key, its host.
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 20 + uuid.uuid4().hex + uuid.uuid4().hex,
    "ALLOWED_HOSTS": "news.example.com",
}


def settings_in_a_process(values: str, env: dict, without=()) -> dict:
    """What settings.py makes of this environment, in a process of its own: `values` is a Python
    expression over `s` (the settings) that is JSON; `without`: prefixes of the test run's own
    variables to leave out."""
    import json
    import os
    import subprocess
    import sys

    code = f"import json, django; django.setup(); from django.conf import settings as s; print(json.dumps({values}))"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(tuple(without))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "newsroom.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def manage(*args, **env):
    """`manage.py ARGS` in a process of its own, with this environment and none of the test run's
    DEBUG, SECRET_KEY and ALLOWED_HOSTS."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


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
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, color).save(path, kind)
    return path


def huge_png(width=7_000, height=7_000) -> bytes:
    """A real, complete black-and-white PNG of `width`×`height` pixels that is a few kilobytes
    on disk: its rows are zeros, which compress to almost nothing (decoded: one byte a pixel)."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\0" * (1 + (width + 7) // 8)  # filter byte, then one bit a pixel
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    pixels = zlib.compress(row * height, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


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
        "lead_image_alt": "",
        "lead_image_focus_x": "50",
        "lead_image_focus_y": "50",
        "extra": "{}",
        "bylines-TOTAL_FORMS": "0",
        "bylines-INITIAL_FORMS": "0",
        "bylines-MIN_NUM_FORMS": "0",
        "bylines-MAX_NUM_FORMS": "1000",
        "corrections-TOTAL_FORMS": "0",
        "corrections-INITIAL_FORMS": "0",
        "corrections-MIN_NUM_FORMS": "0",
        "corrections-MAX_NUM_FORMS": "1000",
        "old_addresses-TOTAL_FORMS": "0",
        "old_addresses-INITIAL_FORMS": "0",
        "old_addresses-MIN_NUM_FORMS": "0",
        "old_addresses-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def change_form(article, corrections=None, **overrides):
    """The article's change form as an editor posts it, opened now: its saved values, its byline,
    its corrections as the form shows them (`corrections`: {correction: {"text": …}} changes
    them), and `overrides` (`new_correction={"kind": …, "text": …}` adds one)."""
    import json

    from django.utils import timezone

    from articles.models import Article

    article = Article.objects.get(pk=article.pk)
    local = timezone.localtime(article.published_at) if article.published_at else None
    bylines = list(article.bylines.all())
    shown = list(article.corrections.current())
    new = overrides.pop("new_correction", None)
    data = article_form(
        title=article.title,
        slug=article.slug,
        standfirst=article.standfirst,
        body_source=article.body_source,
        body_format=article.body_format,
        status=article.status,
        published_at_0=local.strftime("%Y-%m-%d") if local else "",
        published_at_1=local.strftime("%H:%M:%S") if local else "",
        category=str(article.category_id or ""),
        tags=sorted(article.tags.names()),
        language=article.language,
        extra=json.dumps(article.extra),
        **{
            name: getattr(article, name)
            for name in (
                "lead_image_url",
                "lead_image_caption",
                "lead_image_alt",
                "lead_image_credit",
                "lead_image_copyright",
                "lead_image_license_url",
                "lead_image_acquire_license_url",
            )
        },
        lead_image_focus_x=str(article.lead_image_focus_x),
        lead_image_focus_y=str(article.lead_image_focus_y),
        **({"lead_image_decorative": "on"} if article.lead_image_decorative else {}),
        opened_version=str(article.edit_version),
        **{
            "bylines-TOTAL_FORMS": str(len(bylines)),
            "bylines-INITIAL_FORMS": str(len(bylines)),
            "corrections-TOTAL_FORMS": str(len(shown) + bool(new)),
            "corrections-INITIAL_FORMS": str(len(shown)),
        },
    )
    for n, byline in enumerate(bylines):
        data |= {f"bylines-{n}-id": byline.pk, f"bylines-{n}-article": article.pk}
        data |= {f"bylines-{n}-author": byline.author_id, f"bylines-{n}-position": byline.position}
        data |= {f"bylines-{n}-role": byline.role}
    for n, correction in enumerate(shown):
        changed = (corrections or {}).get(correction, {})
        data |= {f"corrections-{n}-id": correction.pk, f"corrections-{n}-article": article.pk}
        data |= {f"corrections-{n}-{name}": changed.get(name, getattr(correction, name)) for name in ("kind", "text")}
    if new:
        data |= {f"corrections-{len(shown)}-{name}": value for name, value in new.items()}
    data.update(overrides)
    return data


SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-results" / "screenshots"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
# Flags the machine needs: no sandbox as root, and no background calls to a network that is closed.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


@contextlib.contextmanager
def open_page(browser, viewport):
    """A page in a fresh context that records console errors, uncaught exceptions and
    Content-Security-Policy violations."""
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    # Whatever the Content-Security-Policy refuses, reported or blocked, is an error too.
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', (e) =>"
        " console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`))"
    )
    page.viewport_name = viewport
    try:
        yield page
    finally:
        context.close()


BROWSER_PASSWORD = "a-long-password"


@contextlib.contextmanager
def signed_in_page(browser, live_server, username, password=BROWSER_PASSWORD):
    """A desktop browser of its own, signed in through the admin's login form; by its end it
    must have met no console error or Content-Security-Policy violation."""
    with open_page(browser, "desktop") as page:
        page.live_url = live_server.url
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.click("input[type=submit]")
        yield page
        assert page.console_errors == []


@contextlib.contextmanager
def editor_page(browser, live_server):
    """`signed_in_page` as a new member of Editors."""
    from tests.factories import UserFactory

    user = UserFactory(username="eda", groups=["Editors"])
    user.set_password(BROWSER_PASSWORD)
    user.save()
    with signed_in_page(browser, live_server, "eda") as page:
        yield page


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

    get.server, get.url = server, f"http://127.0.0.1:{port}"
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


def database_url() -> str:
    """The test database as a DATABASE_URL, for processes a test starts (SQLite's is a file:
    conftest's django_db_modify_db_settings)."""
    from django.db import connection

    database = connection.settings_dict
    if database["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{database['NAME']}"
    return (
        f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
    )


class CeleryProcess:
    """`celery -A newsroom <worker|beat>` as a process of the test's, with `env`; its output is
    kept in a file beside the test's other files (shown when a test fails)."""

    def __init__(self, kind: str, env: dict, folder: Path):
        import subprocess
        import sys

        self.log = folder / f"celery-{kind}-{free_port()}.log"
        args = [Path(sys.executable).with_name("celery"), "-A", "newsroom", kind, "--loglevel", "INFO"]
        if kind == "worker":
            args += ["--pool", "solo", "--queues", env["JOBS_QUEUE"], "--without-gossip", "--without-mingle"]
            args += ["--hostname", f"test-{self.log.stem}@%h"]
        else:
            args += ["--schedule", str(folder / f"{self.log.stem}-schedule")]
        with open(self.log, "w") as out:
            self.process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)

    def output(self) -> str:
        return self.log.read_text()

    def wait_until_ready(self, text: str, timeout=30.0):
        import time

        deadline = time.monotonic() + timeout
        while text not in self.output():
            assert self.process.poll() is None, self.output()
            assert time.monotonic() < deadline, self.output()
            time.sleep(0.1)

    def kill(self):
        """SIGKILL: a worker that dies, with no chance to hand anything back."""
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except Exception:  # noqa: BLE001 - a worker that will not stop is killed
                self.kill()


def wait_for(condition, timeout=30.0, every=0.05, what="the condition"):
    """Poll `condition()` until it is true; its last value, or a failure naming `what`."""
    import time

    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout} s"
        time.sleep(every)
    return value


class Varnish:
    """Debian's varnishd with Newsroom's VCL (newsroom/varnish/newsroom.vcl), on a spare
    loopback port (or `port`) in front of the origins on `backend_ports` (round robin), probing
    each one's /healthz every half second. `get(path)` answers (status, headers, text)."""

    def __init__(self, backend_ports, folder: Path, port: int | None = None):
        import shutil
        import subprocess

        varnishd = shutil.which("varnishd") or "/usr/sbin/varnishd"
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        ports = [backend_ports] if isinstance(backend_ports, int) else list(backend_ports)
        backends = "".join(
            f'backend origin{n} {{ .host = "127.0.0.1"; .port = "{p}"; .probe = up;'
            " .connect_timeout = 0.5s; .first_byte_timeout = 10s; }\n"
            for n, p in enumerate(ports)
        )
        adding = "".join(f"origins.add_backend(origin{n}); " for n in range(len(ports)))
        site = folder / f"varnish-{self.port}.vcl"
        site.write_text(
            "vcl 4.1;\nimport directors;\n"
            'probe up { .url = "/healthz"; .interval = 0.5s; .timeout = 0.3s; .window = 2; .threshold = 1; }\n'
            f"{backends}"
            'acl newsroom_purgers { "127.0.0.1"; }\n'
            f"sub vcl_init {{ new origins = directors.round_robin(); {adding}}}\n"
            "sub vcl_recv { set req.backend_hint = origins.backend(); }\n"
            f'include "{ROOT / "newsroom" / "varnish" / "newsroom.vcl"}";\n'
        )
        self.workdir = folder / f"varnish-{self.port}"
        args = [varnishd, "-F", "-j", "none", "-n", str(self.workdir), "-a", f"127.0.0.1:{self.port}"]
        args += ["-f", str(site), "-s", "malloc,256m", "-T", "none", "-p", "default_grace=0"]
        self.log = folder / f"varnish-{self.port}.log"
        with open(self.log, "w") as out:
            self.process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
        wait_for(self._answers, timeout=30, what=f"Varnish answering on {self.url} ({self.log})")

    def _answers(self) -> bool:
        assert self.process.poll() is None, self.log.read_text()
        try:
            return self.get("/healthz")[0] == 200
        except OSError:
            return False

    def get(self, path: str, headers=None):
        import urllib.error
        import urllib.request

        request = urllib.request.Request(self.url + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def counters(self) -> dict[str, int]:
        """Varnish's own count of requests from readers and to the origin."""
        import subprocess

        command = ["varnishstat", "-n", str(self.workdir), "-1", "-f", "MAIN.client_req", "-f", "MAIN.backend_req"]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        return {line.split()[0]: int(line.split()[1]) for line in out.splitlines() if line.strip()}

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=15)


MEDIA_BUCKET = "newsroom-media"  # in the object_storage fixture's S3 server


def stored_keys(object_storage) -> list[str]:
    listing = object_storage.client.list_objects_v2(Bucket=MEDIA_BUCKET)
    return sorted(item["Key"] for item in listing.get("Contents", []))


GPS = 0x8825  # EXIF tags
MAKE, SERIAL, ORIENTATION = 0x010F, 0xA431, 0x0112


def located_photo(kind="JPEG", orientation=1, size=(900, 600)) -> bytes:
    """A photo as a phone takes it: where (GPS), with what (maker, body serial), which way up."""
    exif = Image.Exif()
    exif[MAKE] = "Secret Camera Co"
    exif[ORIENTATION] = orientation
    exif.get_ifd(0x8769)[SERIAL] = "SN-4471-0932"
    gps = exif.get_ifd(GPS)
    gps.update({1: "N", 2: (31.0, 14.0, 6.5), 3: "E", 4: (121.0, 28.0, 9.1)})
    image = Image.linear_gradient("L").convert("RGB").resize(size)
    buffer = io.BytesIO()
    image.save(
        buffer, kind, exif=exif.tobytes(), **({"comment": b"shot at the source's flat"} if kind == "JPEG" else {})
    )
    return buffer.getvalue()


def assert_no_identifying_metadata(content: bytes, orientation=1):
    with Image.open(io.BytesIO(content)) as image:
        exif = image.getexif()
        assert dict(exif) == ({ORIENTATION: orientation} if orientation != 1 else {}), dict(exif)
        assert not exif.get_ifd(GPS) and "comment" not in image.info and "xmp" not in image.info
    for secret in (b"Secret Camera", b"SN-4471", b"source's flat"):
        assert secret not in content


def empty_content():
    """Every article, author, section and tag gone, and no deletion remembered: a fresh site."""
    from articles.models import Article, Author, Category, DeletedArticle, Retraction, Tag

    Retraction.objects.all().delete()  # a record protects its story from deletion
    Article.objects.all().delete()
    Author.objects.all().delete()
    while Category.objects.exists():  # leaves first: a section with children is protected
        Category.objects.filter(children__isnull=True).delete()
    Tag.objects.all().delete()
    DeletedArticle.objects.all().delete()


def front_page_form(front_page=None, lead=None, top=(), rails=(), goes_live_at=None, name=""):
    """The front page's admin form as an editor posts it: `lead` a story, `top` stories in
    order, `rails` (section, story) pairs in order; `front_page` an arrangement whose slots the
    form shows (its rows take the wanted stories, the rest are deleted)."""
    from django.utils import timezone

    when = timezone.localtime(goes_live_at or timezone.now())
    data = {"name": name, "goes_live_at_0": when.strftime("%Y-%m-%d"), "goes_live_at_1": when.strftime("%H:%M:%S")}
    existing = {place: [] for place in ("lead", "top", "rail")}
    if front_page is not None:
        for slot in front_page.slots.order_by("position", "pk"):
            existing[slot.place].append(slot)
    wanted = {"lead": [(None, lead)] if lead else [], "top": [(None, s) for s in top], "rail": list(rails)}
    for place in ("lead", "top", "rail"):
        prefix = f"slots-{place}"
        shown = existing[place]
        rows = [
            {"article": story.pk, **({"section": section.pk} if section else {})} for section, story in wanted[place]
        ]
        # Shown rows are given the wanted stories in turn (as an editor picks another in a
        # row); those left over are deleted.
        rows = [{"id": slot.pk, **row} for slot, row in zip(shown, rows, strict=False)] + rows[len(shown) :]
        rows += [{"id": slot.pk, "article": slot.article_id, "DELETE": "on"} for slot in shown[len(rows) :]]
        data |= {
            f"{prefix}-TOTAL_FORMS": str(len(rows)),
            f"{prefix}-INITIAL_FORMS": str(len(shown)),
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
        for n, row in enumerate(rows):
            if front_page is not None:
                row["front_page"] = front_page.pk
            data |= {f"{prefix}-{n}-{key}": value for key, value in {**row, "position": n + 1}.items()}
    return data
