"""Parse WeChat XML without trusting it.

wechatpy hands XML to xmltodict/expat, which expands internal entities ("billion laughs").
Every body is therefore parsed first with defusedxml, which refuses any DTD, entity
declaration or external reference; only a document that passes is given to wechatpy.
"""
from __future__ import annotations

from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

MAX_BODY_BYTES = 64 * 1024


class UnsafeXmlError(ValueError):
    """The body is malformed, too large, or uses DTD/entity features WeChat never sends."""


def parse_fields(body: bytes | str) -> dict[str, str]:
    """Return the text of the root's direct children (WeChat messages are flat).

    Raises UnsafeXmlError for oversized, malformed or DTD-bearing documents.
    """
    raw = body.encode("utf-8") if isinstance(body, str) else body
    if len(raw) > MAX_BODY_BYTES:
        raise UnsafeXmlError(f"body of {len(raw)} bytes exceeds {MAX_BODY_BYTES}")
    try:
        root = fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise UnsafeXmlError(f"forbidden XML construct: {type(exc).__name__}") from exc
    except ParseError as exc:
        raise UnsafeXmlError(f"malformed XML: {exc}") from exc
    if root.tag != "xml":
        raise UnsafeXmlError(f"unexpected root element <{root.tag[:40]}>")
    return {child.tag: (child.text or "") for child in root}


def parse_message_safely(body: bytes | str):
    """A wechatpy message/event object, parsed only after defusedxml accepted the document.

    Once defusedxml has refused any DTD, xmltodict (used by wechatpy) has no entity to expand.
    """
    from wechatpy import parse_message

    fields = parse_fields(body)
    if not fields.get("MsgType"):
        raise UnsafeXmlError("message without MsgType")
    try:
        return parse_message(body)
    except Exception as exc:  # xmltodict/wechatpy raise assorted errors on odd but valid XML
        raise UnsafeXmlError(f"wechatpy could not read the message: {type(exc).__name__}") from exc
