"""Writes kb.jsonl, the demo knowledge base, from the passages below (all written for this project, CC0).

Run from the repository root: `python data/demo/make_kb.py`. The JSONL is committed; this script only
keeps the passages readable and the ids regular (`<topic>-<nn>`).
"""

from __future__ import annotations

import json
from pathlib import Path

from passages_city import CITY
from passages_general import GENERAL

HERE = Path(__file__).resolve().parent


def records():
    for topic, (source, title_prefix, passages) in {**CITY, **GENERAL}.items():
        for number, (title, text) in enumerate(passages, 1):
            yield {
                "id": f"{topic}-{number:02d}",
                "title": f"{title_prefix}: {title}" if title_prefix else title,
                "text": " ".join(text.split()),
                "source": source,
            }


def main() -> None:
    rows = list(records())
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)), "duplicate ids"
    with open(HERE / "kb.jsonl", "w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} passages to {HERE / 'kb.jsonl'}")


if __name__ == "__main__":
    main()
