"""runtime.measure.report: each writer rewrites only its own marked section of a shared Markdown
file."""

from __future__ import annotations

from runtime.measure.report import update_section


def test_a_section_is_replaced_and_what_follows_it_is_kept(tmp_path):
    page = tmp_path / "README.md"
    page.write_text("# Title\n\n<!-- a:start -->\nold\n<!-- a:end -->\n\n## Next\ntext\n")
    update_section(page, "a", "new")
    update_section(page, "a", "newer")
    expected = "# Title\n\n<!-- a:start -->\nnewer\n<!-- a:end -->\n\n## Next\ntext\n"
    assert page.read_text() == expected


def test_a_missing_section_is_appended_and_a_missing_file_made(tmp_path):
    report = tmp_path / "REPORT.md"
    update_section(report, "export", "| table |")
    update_section(report, "benchmark", "| speed |")
    text = report.read_text()
    assert text.startswith("# Release artifacts")
    assert text.index("| table |") < text.index("| speed |")
    update_section(report, "export", "| table 2 |")
    assert report.read_text().count("<!-- export:start -->") == 1
    assert "| table 2 |" in report.read_text() and "| speed |" in report.read_text()
