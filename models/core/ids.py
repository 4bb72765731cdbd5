"""Ids of objects kept inside another document, and of views of an object inside another one.

An object kept inside a document (an exit checklist item, a template's question) has a key unique only in that
document; its API id is ``<document id>:<key>``, unique across every type, so a normalised cache may key on it.
A view of one object inside another (a goal in an alignment tree, in a review form) is ``<holder id><sep><object
id>``, so it never repeats the object's own id. Mutations that take such an object beside its parent accept
either the key or the whole id.
"""

from __future__ import annotations

KEY_SEPARATOR = ":"  # <holding document's id>:<key inside it>
TREE_SEPARATOR = "/"  # <root goal id>/<goal id>: a goal as one alignment tree shows it


def scoped_id(parent_id: str, key: str, separator: str = KEY_SEPARATOR) -> str:
    """The API id of ``key`` held in (or shown by) the document ``parent_id``."""
    return f"{parent_id}{separator}{key}"


def key_in(parent_id: str, sent: str) -> str:
    """The key a client means by ``sent`` inside ``parent_id``: the key itself, or the key of the scoped id
    ``<parent_id>:<key>``. A scoped id of another parent is returned unchanged: no key contains the separator,
    so it matches nothing and is refused as unknown."""
    prefix = f"{parent_id}{KEY_SEPARATOR}"
    return sent[len(prefix):] if sent.startswith(prefix) else sent
