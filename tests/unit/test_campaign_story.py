"""A campaign's story: the Markdown a carrier types, as the pages show it (safe)."""
import pytest

from gateway.web.story import render_story


def test_the_usual_formatting_is_rendered_with_headings_below_the_pages():
    html = render_story("# Le projet\n\nUn **camion** pour *tous*.\n\n- collecte\n- tri\n\n"
                        "> Une citation\n\n[Notre site](https://exemple.org)")
    assert "<h3>Le projet</h3>" in html
    assert render_story("## Pourquoi\n\n#### Détail") == "<h3>Pourquoi</h3>\n<h4>Détail</h4>\n"
    assert "<strong>camion</strong>" in html and "<em>tous</em>" in html
    assert "<ul>\n<li>collecte</li>" in html and "<blockquote>" in html
    assert '<a href="https://exemple.org" rel="nofollow noopener">Notre site</a>' in html


@pytest.mark.parametrize("typed, absent", [
    ("<script>alert(1)</script>", "<script"),
    ("<img src=x onerror=alert(1)>", "<img"),
    ("[clic](javascript:alert(1))", 'href="javascript'),
    ("[clic](data:text/html;base64,PHNjcmlwdD4=)", 'href="data'),
    ("![photo](https://exemple.org/x.png)", "<img"),
    ('<a href="https://exemple.org">lien</a>', "<a "),
])
def test_what_a_carrier_types_is_never_markup_of_the_page(typed, absent):
    html = render_story(typed)
    assert absent not in html
    assert html.strip()  # said as text, not dropped


def test_tables_and_code_blocks_stay_text_and_no_story_is_nothing():
    assert "<table" not in render_story("| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<pre" not in render_story("    du code")
    assert render_story(None) == "" and render_story("") == ""
