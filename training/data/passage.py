"""The unit every source yields: one passage a question can be about, with its class label."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class LabeledPassage:
    id: str
    text: str  # what the knowledge base stores and the text tower embeds
    title: str  # the thing the passage is about (package, word, command)
    source: str  # debian | wordnet | gcide | man
    label: str  # class for the contrastive classification task (Debian section, WordNet lexname...)
    summary: str  # a short phrase the question templates build on (synopsis, gloss, NAME line)
    extra: dict = field(default_factory=dict)

    def to_kb(self) -> dict:
        """The knowledge-base JSONL record (``{"id", "text", "title", "source"}``, docs/architecture.md)."""
        return {"id": self.id, "text": self.text, "title": self.title, "source": self.source}

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "LabeledPassage":
        return cls(**data)
