"""What a reader gets, parsed: elements of an HTML page with their text, as a browser would read them."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict
    parts: list = field(default_factory=list)

    @property
    def text(self):
        """The element's text, character references decoded, white space collapsed."""
        return " ".join("".join(self.parts).split())

    @property
    def classes(self):
        return (self.attrs.get("class") or "").split()


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements, self.open = [], []

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.elements.append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_startendtag(self, tag, attrs):
        self.elements.append(Element(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag):
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index].tag == tag:
                del self.open[index:]
                return

    def handle_data(self, data):
        for element in self.open:
            element.parts.append(data)


def elements(html, tag=None, cls=None, **attrs):
    """Every element of ``html`` with the given tag, class and attribute values, in document order."""
    parser = _Parser()
    parser.feed(html.decode() if isinstance(html, bytes) else html)
    parser.close()
    return [
        element
        for element in parser.elements
        if (tag is None or element.tag == tag)
        and (cls is None or cls in element.classes)
        and all(element.attrs.get(name.replace("_", "-")) == value for name, value in attrs.items())
    ]


def one(html, tag=None, cls=None, **attrs):
    """The only element matching; fails when there are none or several."""
    found = elements(html, tag, cls, **attrs)
    assert len(found) == 1, f"{len(found)} elements match {tag} {cls} {attrs}"
    return found[0]


def meta(html, name):
    """The content of ``<meta name=…>`` or ``<meta property=…>``."""
    found = [
        element.attrs.get("content")
        for element in elements(html, "meta")
        if name in (element.attrs.get("name"), element.attrs.get("property"))
    ]
    assert len(found) == 1, f"{len(found)} <meta> named {name}"
    return found[0]
