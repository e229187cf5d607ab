"""`{% fragment name topics var ... %}…{% endfragment %}`: a part of a page cached per visibility scope.

`topics` is a space-separated string of core.cache.TOPICS whose changes make the part stale; the further
values are what else it varies on. Signed-in viewers get the part rendered every time (core.cache.scope_of).
"""

from django import template

from partnerhub.core.cache import cached_fragment

register = template.Library()


class FragmentNode(template.Node):
    def __init__(self, nodelist, name, topics, varies):
        self.nodelist, self.name, self.topics, self.varies = nodelist, name, topics, varies

    def render(self, context):
        request = context.get("request")
        if request is None:
            return self.nodelist.render(context)
        topics = self.topics.resolve(context).split()
        parts = [v.resolve(context) for v in self.varies]
        return cached_fragment(
            request, self.name.resolve(context), topics, parts, lambda: self.nodelist.render(context)
        )


@register.tag
def fragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError("{% fragment name topics [value ...] %} needs a name and topics")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    name, topics, *varies = (parser.compile_filter(b) for b in bits[1:])
    return FragmentNode(nodelist, name, topics, varies)
