"""A campaign's story, written in Markdown by its carrier, as the pages show it: a safe
subset (paragraphs, headings, emphasis, lists, quotes, links) rendered by markdown-it-py
with HTML disabled, so that what a carrier types is never markup of ours. Images are not
part of it (the cover picture is the campaign's one), nor tables or code blocks;
headings sit below the page's sections (# and ## as ###); links are plain links, and a
link whose scheme is not http, https or mailto stays text (markdown-it's own check).
Pure: text in, markup out."""
from markdown_it import MarkdownIt
from markupsafe import Markup

ENABLED = ("heading", "emphasis", "list", "blockquote", "link", "newline", "hr",
           "lheading", "escape", "backticks")
FIRST_HEADING = 3  # the page's title is h1 and its sections h2


def _parser() -> MarkdownIt:
    parser = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False})
    parser.enable(list(ENABLED))
    parser.validateLink = _allowed_link
    return parser


def _allowed_link(url: str) -> bool:
    return url.strip().lower().startswith(("http://", "https://", "mailto:"))


_PARSER = _parser()


def render_story(text: str | None) -> Markup:
    """The story as HTML to put in a page: its headings shifted below the page's."""
    if not text:
        return Markup("")
    tokens = _PARSER.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{max(int(token.tag[1]), FIRST_HEADING)}"
        for child in token.children or ():
            if child.type == "link_open":
                child.attrSet("rel", "nofollow noopener")
    return Markup(_PARSER.renderer.render(tokens, _PARSER.options, {}))
