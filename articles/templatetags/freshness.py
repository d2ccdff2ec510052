"""`{% fresh name vary... [shows=names] %}…{% endfresh %}`: a template fragment kept until
something it shows changes (`articles.freshness`).

Like Django's `{% cache %}`, but with no timeout to guess and no generation to pass: what the
fragment shows is collected while it renders (from `freshness.shows` calls made by what it
reads, plus `shows=`, a list or a callable the view provides), and kept with it.
"""

from django import template

from .. import freshness

register = template.Library()


class FreshNode(template.Node):
    def __init__(self, nodelist, name, vary, shows):
        self.nodelist, self.name, self.vary, self.shows = nodelist, name, vary, shows

    def render(self, context):
        key = freshness.key("fragment", self.name, *(v.resolve(context) for v in self.vary))

        def build():
            if self.shows is not None:
                names = self.shows.resolve(context)
                freshness.shows(*(names() if callable(names) else names))
            return self.nodelist.render(context)

        return freshness.kept(key, build)


@register.tag("fresh")
def do_fresh(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("'fresh' needs a fragment name")
    shows = None
    vary = []
    for bit in bits[2:]:
        if bit.startswith("shows="):
            shows = parser.compile_filter(bit.removeprefix("shows="))
        else:
            vary.append(parser.compile_filter(bit))
    nodelist = parser.parse(("endfresh",))
    parser.delete_first_token()
    return FreshNode(nodelist, bits[1].strip("\"'"), vary, shows)
