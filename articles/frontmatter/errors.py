class ImportFailure(Exception):
    """A file that cannot become an article; the message is the reason shown to the operator."""


class ImportSkip(Exception):
    """A file that is not an article (no front matter, no title): passed over, with the reason."""
