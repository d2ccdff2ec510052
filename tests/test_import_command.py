"""The import_articles command: failures reported one line each, options, the report, progress, dry runs."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article, Author, Category
from tests.utils import make_image, run_import, write

pytestmark = pytest.mark.django_db


def test_one_bad_file_is_reported_and_the_rest_import(tmp_path):
    write(tmp_path, "good-1.md", "---\ntitle: Good one\n---\nText")
    write(tmp_path, "bad.md", "---\ntitle: [unclosed\n---\nText")
    write(tmp_path, "good-2.md", "---\ntitle: Good two\n---\nText")
    write(tmp_path, "untitled.md", "---\nauthor: Someone\n---\nText")
    with pytest.raises(CommandError) as excinfo:
        run_import(tmp_path)
    assert "2 created, 0 updated, 0 unchanged, 1 skipped, 1 failed" in str(excinfo.value)
    assert set(Article.objects.values_list("title", flat=True)) == {"Good one", "Good two"}
    assert not Author.objects.filter(name="Someone").exists()  # nothing half-written


def test_failure_lines_name_the_file_and_the_reason(tmp_path):
    bad = write(tmp_path, "bad.md", "---\ntitle: [unclosed\n---\nText")
    untitled = write(tmp_path, "untitled.md", "---\nauthor: Someone\n---\nText")
    plain = write(tmp_path, "plain.md", "Just text, no front matter.")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_articles", str(tmp_path), stdout=StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert f"{bad}: front matter is not valid YAML: did not find expected ',' or ']' (line 3)" in lines
    assert f"{untitled}: skipped: no title in the front matter (not an article)" in lines
    assert any(line.startswith(f"{plain}: skipped: no front matter") for line in lines)


def test_dry_run_writes_nothing(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: Not yet\nauthor: Ann\ncategories: [X]\n---\nBody")
    out, _ = run_import(tmp_path, dry_run=True)
    assert "Dry run, nothing written. 1 files: 1 readable" in out
    assert not Article.objects.exists() and not Author.objects.exists() and not Category.objects.exists()


def test_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such file or folder"):
        run_import(tmp_path / "nope")


def test_extensions_option_picks_the_files(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: Md\n---\nBody")
    write(tmp_path, "b.txt", "---\ntitle: Txt\n---\nBody")
    run_import(tmp_path, extensions=".txt")
    assert list(Article.objects.values_list("title", flat=True)) == ["Txt"]


def test_progress_bar_on_a_terminal_only(tmp_path):
    for n in range(60):
        write(tmp_path, f"{n}.md", f"---\ntitle: Story {n}\n---\nBody")

    class Terminal(StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    call_command("import_articles", str(tmp_path), stdout=StringIO(), stderr=terminal)
    assert "\r[" in terminal.getvalue() and "60/60" in terminal.getvalue()
    piped = StringIO()
    call_command("import_articles", str(tmp_path), stdout=StringIO(), stderr=piped)
    assert piped.getvalue() == ""
    quiet = Terminal()
    call_command("import_articles", str(tmp_path), stdout=StringIO(), stderr=quiet, verbosity=0)
    assert quiet.getvalue() == ""


def test_links_outside_the_folder_are_not_followed(tmp_path):
    outside = write(tmp_path, "outside/secret.md", "---\ntitle: Outside\n---\nB")
    write(tmp_path, "archive/inside.md", "---\ntitle: Inside\n---\nB")
    (tmp_path / "archive" / "link.md").symlink_to(outside)
    (tmp_path / "archive" / "dir").symlink_to(tmp_path / "outside")
    run_import(tmp_path / "archive")
    assert list(Article.objects.values_list("title", flat=True)) == ["Inside"]


def test_report_file_lists_every_file(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: A\ndate: Invalid Date\n---\nB")
    write(tmp_path, "b.md", "no front matter")
    report = tmp_path / "report.json"
    run_import(tmp_path / "a.md", tmp_path / "b.md", report=str(report))
    data = json.loads(report.read_text())
    assert data["counts"]["created"] == 1 and data["counts"]["skipped"] == 1
    by_path = {f["path"]: f for f in data["files"]}
    assert by_path[str(tmp_path / "a.md")]["warnings"][0].startswith("unreadable date 'Invalid Date'")
    assert by_path[str(tmp_path / "b.md")]["outcome"] == "skipped"


def test_dry_run_stores_no_images(tmp_path, media_root):
    make_image(tmp_path / "content" / "x" / "chart.png")
    write(tmp_path, "content/x/index.md", "---\ntitle: T\ncover: chart.png\n---\nB")
    out, _ = run_import(tmp_path, dry_run=True)
    assert "1 readable" in out
    assert not Article.objects.exists() and not (media_root / "imported").exists()


def test_templates_are_skipped_not_failed(tmp_path):
    path = write(tmp_path, "layouts/list.html", '{{ define "main" }}{{ .Content }}{{ end }}')
    _, err = run_import(tmp_path)
    assert f"{path}: skipped: no front matter" in err
