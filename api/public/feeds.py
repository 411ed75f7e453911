"""RSS 2.0 and Atom (RFC 4287) documents of upcoming meetings and recent decisions, and the
sitemap (sitemaps.org). Built with ElementTree, which escapes every text it is given."""

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.etree import ElementTree as ET

from api.public.service import SitemapEntry

ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


@dataclass
class FeedItem:
    id: str  # a stable tag: URI
    title: str
    url: str
    summary: str
    published: datetime
    updated: datetime


@dataclass
class Feed:
    id: str
    title: str
    description: str
    url: str  # the page the feed accompanies
    self_url: str  # the feed's own address
    updated: datetime
    items: list[FeedItem]


def _utc(at: datetime) -> datetime:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC)


def _xml(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def rss(feed: Feed) -> bytes:
    ET.register_namespace("atom", ATOM_NS)
    root = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(root, "channel")
    ET.SubElement(channel, "title").text = feed.title
    ET.SubElement(channel, "link").text = feed.url
    ET.SubElement(channel, "description").text = feed.description
    ET.SubElement(channel, "language").text = "en-gb"
    ET.SubElement(channel, "lastBuildDate").text = format_datetime(_utc(feed.updated))
    ET.SubElement(
        channel,
        f"{{{ATOM_NS}}}link",
        {"href": feed.self_url, "rel": "self", "type": "application/rss+xml"},
    )
    for item in feed.items:
        node = ET.SubElement(channel, "item")
        ET.SubElement(node, "title").text = item.title
        ET.SubElement(node, "link").text = item.url
        ET.SubElement(node, "description").text = item.summary
        ET.SubElement(node, "guid", {"isPermaLink": "false"}).text = item.id
        ET.SubElement(node, "pubDate").text = format_datetime(_utc(item.published))
    return _xml(root)


def _atom_time(at: datetime) -> str:
    return _utc(at).isoformat(timespec="seconds").replace("+00:00", "Z")


def atom(feed: Feed) -> bytes:
    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        node = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            node.text = text
        return node

    root = ET.Element(f"{{{ATOM_NS}}}feed", {"xml:lang": "en-GB"})
    sub(root, "id", feed.id)
    sub(root, "title", feed.title)
    sub(root, "subtitle", feed.description)
    sub(root, "updated", _atom_time(feed.updated))
    sub(root, "link", href=feed.url, rel="alternate", type="text/html")
    sub(root, "link", href=feed.self_url, rel="self", type="application/atom+xml")
    author = sub(root, "author")
    sub(author, "name", "LSP Hub")
    for item in feed.items:
        entry = sub(root, "entry")
        sub(entry, "id", item.id)
        sub(entry, "title", item.title)
        sub(entry, "link", href=item.url, rel="alternate", type="text/html")
        sub(entry, "published", _atom_time(item.published))
        sub(entry, "updated", _atom_time(item.updated))
        sub(entry, "summary", item.summary)
    return _xml(root)


def sitemap_xml(base: str, entries: list[SitemapEntry]) -> bytes:
    ET.register_namespace("", SITEMAP_NS)
    root = ET.Element(f"{{{SITEMAP_NS}}}urlset")
    for entry in entries:
        url = ET.SubElement(root, f"{{{SITEMAP_NS}}}url")
        ET.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = base + entry.path
        if entry.lastmod is not None:
            ET.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = (
                _utc(entry.lastmod).date().isoformat()
            )
    return _xml(root)
