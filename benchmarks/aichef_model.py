"""The honest record of a real model: N profiles (every target in turn) through SmolLM2-135M-Instruct on
llama-cpp-python's OpenAI-compatible server, and per target how many recipes were served from the model
as it answered, after one or two repairs, or replaced by the offline recipe, and why; with the p50 and
p95 of the generation time (all rounds of one recipe, start to verdict).

    python benchmarks/aichef_model.py --profiles 20           # starts the server itself (the model extra)
    python benchmarks/aichef_model.py --base-url http://127.0.0.1:8080 --model NAME --context 8192

A 135M model tests the path (structured output, review, repairs, fallback), not recipe quality.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "aichef" / "providers"))

from real_model_server import ModelServer, model_server

from aichef.models import SessionRequest
from aichef.providers import Outcome
from aichef.providers.openai_compat import openai_provider

TARGETS = ("keto", "diabetes", "diet", "baby_food", "fridge")
ALLERGIES = ([], [], ["새우"], ["땅콩"], ["우유"], ["달걀"], ["밀"])
FRIDGES = (
    ["egg", "tofu", "spinach", "onion"],
    ["돼지고기", "김치", "양파", "두부"],
    ["chicken breast", "broccoli", "carrot"],
)


def profiles(count: int, seed: int, language: str) -> list[SessionRequest]:
    rng = random.Random(seed)
    out = []
    for index in range(count):
        target = TARGETS[index % len(TARGETS)]
        lang = language if language != "mixed" else ("ko", "en")[(index // len(TARGETS)) % 2]
        profile: dict[str, Any] = {
            "target": target,
            "language": lang,
            "servings": rng.choice([1, 2, 2, 4]),
            "allergies": rng.choice(ALLERGIES) if target != "baby_food" else [],
        }
        if target == "baby_food":
            profile["babyAgeMonths"] = rng.randint(6, 15)
        if target == "fridge":
            profile["fridgeIngredients"] = rng.choice(FRIDGES)
        out.append(SessionRequest.model_validate({"sessionId": f"bench-{index}", "profile": profile}))
    return out


def verdict(outcome: Outcome) -> str:
    if outcome.source == "model":
        return ("as is", "1 repair", "2 repairs")[min(2, len(outcome.rounds) - 1)]
    return f"fallback: {outcome.category}"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@contextlib.contextmanager
def endpoint(args: argparse.Namespace) -> Iterator[ModelServer]:
    if args.base_url:
        yield ModelServer(args.base_url, args.model, args.context)
    else:
        with model_server(threads=args.threads) as server:
            yield server


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--profiles", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--language", choices=["ko", "en", "mixed"], default="mixed")
    parser.add_argument("--max-tokens", type=int, default=500)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds to wait for one answer")
    parser.add_argument(
        "--base-url", help="an already running OpenAI-compatible server (default: start SmolLM2)"
    )
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--context", type=int, default=4096)
    parser.add_argument("--json", action="store_true", help="print each outcome as a JSON line too")
    args = parser.parse_args()

    requests = profiles(args.profiles, args.seed, args.language)
    by_target: dict[str, Counter[str]] = defaultdict(Counter)
    seconds: dict[str, list[float]] = defaultdict(list)
    tokens = 0
    started_all = time.perf_counter()
    with endpoint(args) as server:
        env = {
            **server.env(),
            "AICHEF_OPENAI_MAX_TOKENS": str(args.max_tokens),
            "AICHEF_OPENAI_TIMEOUT": str(args.timeout),
        }
        with openai_provider(env) as provider:
            for request in requests:
                started = time.perf_counter()
                outcome = provider.run(request)
                took = time.perf_counter() - started
                target = request.profile.target
                by_target[target][verdict(outcome)] += 1
                seconds[target].append(took)
                tokens += sum(r.usage.get("completion_tokens", 0) for r in outcome.rounds)
                if args.json:
                    record = {
                        "target": target, "language": request.profile.language, "verdict": verdict(outcome),
                        "rounds": len(outcome.rounds), "seconds": round(took, 2), "reason": outcome.reason,
                    }  # fmt: skip
                    print(json.dumps(record, ensure_ascii=False))
    wall = time.perf_counter() - started_all
    print(f"# {platform.machine()}, {platform.python_version()}, model {args.model}, context {args.context}, "
          f"max_tokens {args.max_tokens}, {args.profiles} profiles ({args.language}), {wall:.0f} s in all, "
          f"{tokens} completion tokens")  # fmt: skip
    head = (
        "target",
        "profiles",
        "model as is",
        "after 1 repair",
        "after 2 repairs",
        "fallback (why)",
        "p50 s",
    )
    print("| " + " | ".join(head) + " | p95 s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    everything: Counter[str] = Counter()
    for target in TARGETS:
        if by_target.get(target):
            everything.update(by_target[target])
            print(row(target, by_target[target], seconds[target]))
    print(row("all", everything, [t for values in seconds.values() for t in values]))


def row(name: str, counts: Counter[str], times: list[float]) -> str:
    """One line of the table: the counts by verdict, the fallbacks by reason, p50 and p95 seconds."""
    falls = ", ".join(
        f"{n} {k.removeprefix('fallback: ')}" for k, n in sorted(counts.items()) if "fallback" in k
    )
    served = " | ".join(str(counts[c]) for c in ("as is", "1 repair", "2 repairs"))
    p50, p95 = statistics.median(times), percentile(times, 0.95)
    return f"| {name} | {len(times)} | {served} | {falls or 0} | {p50:.1f} | {p95:.1f} |"


if __name__ == "__main__":
    main()
