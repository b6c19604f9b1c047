"""One document, as `newscorpus show` and the document page present it: the article with its dates, places, laws
and entities, where each field came from, the other URLs it was found at, and its story's other copies."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from newscorpus.corpus import Store
from newscorpus.errors import NotFoundError
from newscorpus.models import Document


@dataclass(frozen=True)
class Copy:
    """Another outlet's copy of the same story (a near-duplicate in the document's cluster)."""

    id: int
    title: str | None
    url: str
    source: str | None
    published: str | None


@dataclass(frozen=True)
class DocumentView:
    document: Document
    other_urls: list[str]  # the same text found at other URLs
    copies: list[Copy]  # the story's other copies, earliest published first

    def to_dict(self) -> dict[str, Any]:
        record = asdict(self.document)
        record["annotations"] = self.document.annotations.to_dict()
        record["other_urls"] = self.other_urls
        record["copies"] = [asdict(c) for c in self.copies]
        return record


def get_document(store: Store, document_id: int) -> DocumentView:
    """A document by id. Raises NotFoundError when there is none."""
    doc = store.get_document(document_id)
    if doc is None:
        raise NotFoundError(f"no document with id {document_id}", "document", str(document_id))
    copies: list[Copy] = []
    if doc.cluster_id is not None:
        members = [m for m in store.cluster_members(doc.cluster_id) if m != doc.id]
        others = store.get_documents(members)
        copies = sorted((Copy(d.id, d.title, d.url, d.source, d.published) for d in others.values()),
                        key=lambda c: (c.published is None, c.published or "", c.id))
    return DocumentView(doc, store.other_urls(doc.id), copies)
