"""URL converters. Django's own `slug` converter is ASCII-only, so Chinese slugs need these."""


class UnicodeSlugConverter:
    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class CategoryPathConverter(UnicodeSlugConverter):
    regex = r"[-\w]+(?:/[-\w]+)*"


class TwoDigitConverter:
    regex = r"[0-9]{2}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):02d}"


class YearConverter(TwoDigitConverter):
    regex = r"[0-9]{4}"

    def to_url(self, value):
        return f"{int(value):04d}"
