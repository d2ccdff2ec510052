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
