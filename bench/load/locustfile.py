"""Traffic for the load benchmark; run by bench/load/run.py, not by hand.

LOAD_MIX=mixed: the portal's expected mix (search page with a place and words
60 %, JSON search 20 %, offer page 15 %, home page 5 %). LOAD_MIX=trivial:
only /healthz, a view that does nothing but passes the same middleware,
which shows the framework's ceiling on this machine. LOAD_RATE, when set,
caps each simulated user at that many requests per second (for the soak).
"""

from __future__ import annotations

import json
import os
import random

from locust import FastHttpUser, constant, constant_throughput, task

with open(os.environ["LOAD_SAMPLES"], encoding="utf-8") as samples_file:
    SAMPLES = json.load(samples_file)
MIX = os.environ.get("LOAD_MIX", "mixed")
RATE = float(os.environ.get("LOAD_RATE") or 0)


def _search_params() -> dict[str, str]:
    return {"q": random.choice(SAMPLES["words"]), "where": random.choice(SAMPLES["places"])}


class Visitor(FastHttpUser):
    """One simulated visitor, as fast as the server answers (or at LOAD_RATE)."""

    wait_time = constant_throughput(RATE) if RATE else constant(0)

    @task(60)
    def search_page(self) -> None:
        """Search with words near a town."""
        if MIX == "trivial":
            self.client.get("/healthz", name="trivial")
            return
        self.client.get("/search", params=_search_params(), name="search page")

    @task(20)
    def search_json(self) -> None:
        """Ask the JSON twin of the search page."""
        if MIX == "trivial":
            self.client.get("/healthz", name="trivial")
            return
        self.client.get("/search.json", params=_search_params(), name="search json")

    @task(15)
    def offer_page(self) -> None:
        """Open an offer."""
        if MIX == "trivial":
            self.client.get("/healthz", name="trivial")
            return
        self.client.get(f"/tilbud/{random.choice(SAMPLES['offers'])}", name="offer page")

    @task(5)
    def home(self) -> None:
        """Open the home page."""
        if MIX == "trivial":
            self.client.get("/healthz", name="trivial")
            return
        self.client.get("/", name="home")
