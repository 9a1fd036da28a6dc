"""The simulated portal users of ``bench/load.py`` (a locustfile; run by ``bench/load.py``, not on its own).

Each user is an agent already signed in (its session cookie, OTP-verified, from ``LOAD_SESSIONS``, a JSON file
written by ``bench/load.py``) who, with ``LOAD_THINK`` seconds of think time between pages (``min,max``, default 1 to 2), opens the customer list, a customer's
page and the first step of the upgrade wizard for one of its subscriptions. The stack runs the production settings
behind no proxy: each request says what the TLS proxy would (``X-Forwarded-Proto: https``) and carries the Secure
session cookie itself (over plain HTTP on the loopback the client would keep it back).
"""

from __future__ import annotations

import csv
import itertools
import json
import os
import random
import time

from locust import HttpUser, between, events, task

with open(os.environ["LOAD_SESSIONS"], encoding="utf-8") as fh:
    DATA = json.load(fh)
SESSIONS = itertools.cycle(DATA["sessions"])
SUBSCRIPTIONS = DATA["subscriptions"]  # [tenant id, subscription id] pairs the agents may upgrade
THINK = [float(x) for x in os.environ.get("LOAD_THINK", "1,2").split(",")]  # seconds between two pages


class Agent(HttpUser):
    wait_time = between(THINK[0], THINK[1])

    def on_start(self):
        self.client.headers.update({"X-Forwarded-Proto": "https", "Cookie": f"sessionid={next(SESSIONS)}"})

    def open(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} {response.headers.get('Location', '')}")

    @task(3)
    def customer_list(self):
        self.open("/customers/", "customer list")

    @task(2)
    def customer_page(self):
        tenant, _subscription = random.choice(SUBSCRIPTIONS)
        self.open(f"/customers/{tenant}/", "customer page")

    @task(2)
    def wizard_first_step(self):
        tenant, subscription = random.choice(SUBSCRIPTIONS)
        self.open(f"/customers/{tenant}/subscriptions/{subscription}/upgrade/", "upgrade wizard (step 1)")


# Every request's end time, page and response time (ms), and its failure if any, for bench/load.py's percentiles
# over the batch's window (locust's own statistics cover the whole run only).
SAMPLES: list[tuple[float, str, float, str]] = []


@events.request.add_listener
def record(request_type, name, response_time, response_length, exception=None, **_kwargs):
    SAMPLES.append((time.time(), name, response_time, str(exception) if exception else ""))


@events.quitting.add_listener
def write_samples(environment, **_kwargs):
    with open(os.environ["LOAD_SAMPLES"], "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(SAMPLES)
