"""Finding the files to import under the paths an operator names."""

import os
from collections.abc import Iterator
from pathlib import Path

DEFAULT_EXTENSIONS = (".md", ".markdown", ".html", ".htm", ".txt")


def find_sources(paths: list[str], extensions=DEFAULT_EXTENSIONS) -> Iterator[tuple[Path, str]]:
    """Yield (file, key) for each file to import. The key is the file's path relative to the
    folder it was found under (its own name for a file named directly). Folders are walked
    recursively; links leading outside the named folder are not followed."""
    extensions = tuple(e.lower() for e in extensions)
    for given in paths:
        root = Path(given)
        if root.is_file():
            yield root, root.name
            continue
        if not root.is_dir():
            raise FileNotFoundError(given)
        resolved_root = root.resolve()
        for folder, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                path = Path(folder, name)
                if not name.lower().endswith(extensions) or name.startswith("."):
                    continue
                if path.is_symlink() and not path.resolve().is_relative_to(resolved_root):
                    continue
                yield path, path.relative_to(root).as_posix()
