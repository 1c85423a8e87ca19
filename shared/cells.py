"""Text for a cell of a CSV file people open in a spreadsheet.

A cell that begins with `=`, `+`, `-`, `@` (or a tab or carriage return) is run as a
formula by Excel and LibreOffice: a name such as `=HYPERLINK("https://…","clic")` typed
into the platform would become a live formula on the animator's machine (CSV
injection). Such a cell gets a leading apostrophe, which the spreadsheet shows as text.
"""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value) -> str:
    """The text of `value` (None: empty), never a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in FORMULA_STARTS else text
