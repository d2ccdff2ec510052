"""Finding the files to import under the paths an operator names."""

import os
from pathlib import Path

DEFAULT_EXTENSIONS = (".md", ".markdown", ".html", ".htm", ".txt")


def find_sources(paths: list[str], extensions=DEFAULT_EXTENSIONS) -> list[str]:
    """Absolute paths of the files to import, each once, in a stable order. Folders are walked
    recursively; links leading outside the named folder are not followed. A file named directly
    is taken whatever its ending."""
    extensions = tuple(e.lower() if e.startswith(".") else f".{e.lower()}" for e in extensions)
    found = {}
    for given in paths:
        root = Path(given)
        if root.is_file():
            found.setdefault(str(root.resolve()), None)
            continue
        if not root.is_dir():
            raise FileNotFoundError(given)
        resolved_root = root.resolve()
        for folder, dirnames, filenames in os.walk(resolved_root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.startswith(".") or not name.lower().endswith(extensions):
                    continue
                path = Path(folder, name)
                real = path.resolve()
                if real.is_relative_to(resolved_root) and real.is_file():
                    found.setdefault(str(real), None)
    return list(found)
