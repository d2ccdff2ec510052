class ImportFailure(Exception):
    """A file that cannot become an article; the message is the reason shown to the operator."""
