"""Near-duplicate clustering: quality on syndicated variants of the newsmirror articles, and speed at scale.

Quality: each English ground-truth body of ../shared/benchmarks/newsmirror becomes a story with syndicated
copies of the kinds outlets make (another headline, other boilerplate, a paragraph dropped, one added, two
swapped, and mixes of these), shuffled together with the other stories and with follow-up articles on the
same events: each quotes a story's lead paragraph and goes on with other text, so it is a distinct article
that shares a passage with the story. All go through the store as the crawler sends them; pairwise
precision and recall compare the clusters with the truth.

Speed: --docs synthetic articles (sentences of the mirror drawn at random, so term statistics are news-like)
are clustered one by one; the per-document cost of clustering (MinHash signature, LSH lookup and insert) is
the time of storing with clustering minus storing without, measured in the same run.

    python benchmarks/dedup.py [--docs 100000]
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import tempfile
import time
from pathlib import Path

from newscorpus.corpus import open_store
from newscorpus.corpus import dedup
from newscorpus.crawler.extract import content_hash
from newscorpus.models import Annotations, Article

TRUTH = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "newsmirror" / "truth"
BOILERPLATE = [
    "Sign up for our morning newsletter to get the day's top stories in your inbox.",
    "Copyright 2019 The Associated Press. All rights reserved. This material may not be published, broadcast, "
    "rewritten or redistributed.",
    "Reporting by staff correspondents; Editing by the world desk.",
    "Follow us on social media for the latest updates.",
]
LOCAL_CONTEXT = ("Local officials said they were following the situation closely and would brief residents "
                 "at a public meeting later in the week, according to a statement released by the council.")


def variants(paragraphs: list[str], rng: random.Random) -> list[list[str]]:
    """Syndicated copies of a story, as outlets make them."""
    head = ["UPDATED: " + " ".join(reversed(paragraphs[0].split()[:8]))]
    body = paragraphs[1:] if len(paragraphs) > 3 else paragraphs
    dropped = list(paragraphs)
    if len(dropped) > 2:
        del dropped[rng.randrange(1, len(dropped))]
    added = list(paragraphs)
    added.insert(rng.randrange(1, len(added) + 1), LOCAL_CONTEXT)
    swapped = list(paragraphs)
    if len(swapped) > 2:
        i = rng.randrange(1, len(swapped) - 1)
        swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
    boiler = [rng.choice(BOILERPLATE)] + paragraphs + rng.sample(BOILERPLATE, 2)
    mixed = head + [rng.choice(BOILERPLATE)] + [p for j, p in enumerate(added) if j != 1 or len(added) < 4]
    return [head + body, boiler, dropped, added, swapped, mixed]


def stories() -> list[list[str]]:
    found = []
    for path in sorted(TRUTH.glob("*.json")):
        truth = json.loads(path.read_text(encoding="utf-8"))
        paragraphs = [p.strip() for p in truth["body"].split("\n") if p.strip()]
        if truth.get("lang", "en") == "en" and len(" ".join(paragraphs)) >= 1500 and len(paragraphs) >= 3:
            found.append(paragraphs)
    return found


def article(n: int, text: str) -> Article:
    url = f"https://outlet{n % 50}.example/story/{n}"
    return Article(url=url, canonical_url=url, title=None, authors=(), published=None, language="en", text=text)


def quality(seed: int) -> None:
    rng = random.Random(seed)
    docs: list[tuple[int, str]] = []
    everything = stories()
    pool = [p for paragraphs in everything for p in paragraphs]
    for story, paragraphs in enumerate(everything):
        docs.append((story, "\n".join(paragraphs)))
        docs.extend((story, "\n".join(v)) for v in variants(paragraphs, rng))
        if story % 3 == 0:  # a follow-up on the same event: its own cluster
            follow_up = [paragraphs[0]] + rng.sample(pool, 6)
            docs.append((-1 - story, "\n".join(follow_up)))
    rng.shuffle(docs)
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder))
        clusters = {}
        for n, (_, text) in enumerate(docs):
            doc_id, _ = store.save_document(article(n, text), Annotations(), None, "2026-01-01T00:00:00+00:00",
                                            content_hash(text), signature=dedup.signature(text))
            clusters[n] = store.get_documents([doc_id])[doc_id].cluster_id
        store.close()
    true_pairs = predicted_pairs = both = 0
    for a, b in itertools.combinations(range(len(docs)), 2):
        same_story, same_cluster = docs[a][0] == docs[b][0], clusters[a] == clusters[b]
        true_pairs += same_story
        predicted_pairs += same_cluster
        both += same_story and same_cluster
    precision, recall = both / predicted_pairs, both / true_pairs
    print(f"quality: {len(everything)} stories with 6 syndicated copies each, {sum(s < 0 for s, _ in docs)} follow-ups; "
          f"{len(docs)} documents")
    print(f"  pairwise precision {precision:.3f}, recall {recall:.3f}, F1 {2 * precision * recall / (precision + recall):.3f}")
    print(f"  method: MinHash of word {dedup.SHINGLE_WORDS}-grams, {dedup.NUM_PERM} permutations, LSH {dedup.BANDS} bands "
          f"x {dedup.ROWS} rows, joined when the estimated Jaccard similarity >= {dedup.THRESHOLD}")


def speed(count: int, seed: int) -> None:
    rng = random.Random(seed)
    sentences = [s for paragraphs in stories() for p in paragraphs for s in re.split(r"(?<=[.!?])\s+", p) if len(s) > 40]
    texts = [" ".join(rng.choices(sentences, k=rng.randint(15, 40))) for _ in range(count)]
    timings = {}
    for label, with_clusters in [("store only", False), ("store + clustering", True)]:
        with tempfile.TemporaryDirectory() as folder:
            store = open_store(Path(folder))
            started = time.perf_counter()
            for n, text in enumerate(texts):
                store.save_document(article(n, text), Annotations(), None, "2026-01-01T00:00:00+00:00",
                                    content_hash(text), signature=dedup.signature(text) if with_clusters else None)
            timings[label] = time.perf_counter() - started
            clustered = store.stats()["documents"]
            store.close()
        print(f"  {label:20} {timings[label]:8.1f} s  ({1000 * timings[label] / count:.2f} ms per document)")
    extra = timings["store + clustering"] - timings["store only"]
    print(f"speed: {count} synthetic documents ({sum(map(len, texts)) // count} characters on average), "
          f"{clustered} stored; clustering costs {1000 * extra / count:.2f} ms per document")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    quality(args.seed)
    speed(args.docs, args.seed)


if __name__ == "__main__":
    main()
