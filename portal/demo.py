"""The demo data set: a tenant-import document built in code, deterministic (fixed random seed, uuid5 ids).

``build_demo_document(today=...)`` returns the document ``manage.py seed_demo`` imports through
``importer``; dates are relative to ``today`` so the delegated admin cases (active, expiring within
30 days, expired) and the new commerce cases (mid-term, inside the 7-day cancellation window, renewing within
30 days, scheduled changes at renewal, a trial) stay what they claim to be. ``DEMO_LOGINS`` lists every login
with what to try.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from upgrades.billing import add_months

DEMO_NAMESPACE = uuid.UUID("8c1d6f0e-2b7a-4e4f-9a3c-5d2e1f0a9b88")
DEMO_PASSWORD = "Demo-Portal-2026!"
OPERATOR = "operator"
CONTOSO, WINGTIP = "contoso-csp", "wingtip-csp"
OTHER_RESELLER = "Adatum Reseller"  # a CSP partner not managed in this portal
FILLER_CUSTOMERS = 30
SEED = 2026

FIRST_NAMES = [
    "Ava",
    "Ben",
    "Chen",
    "Dara",
    "Emil",
    "Fatima",
    "Goran",
    "Hana",
    "Ines",
    "Jonas",
    "Kavya",
    "Liam",
    "Mei",
    "Nils",
    "Olu",
    "Priya",
    "Quinn",
    "Ravi",
    "Sofia",
    "Tomas",
    "Uma",
    "Vikram",
    "Wen",
    "Yara",
]
FILLER_NAMES = [
    "Alpine Ski House",
    "Blue Yonder Airlines",
    "City Power & Light",
    "Consolidated Messenger",
    "Datum Corporation",
    "Fourth Coffee",
    "Graphic Design Institute",
    "Humongous Insurance",
    "Lucerne Publishing",
    "Margie's Travel",
    "Munson's Pickles",
    "Nod Publishers",
    "Northwind Logistics",
    "Olympia Ventures",
    "Parnell Aerospace",
    "Pacific Foods",
    "Quantum Bakery",
    "Roadrunner Freight",
    "School of Fine Art",
    "Southridge Video",
    "Trey Analytics",
    "VanArsdel Ltd",
    "Wide Horizon Travel",
    "Woodland Crafts",
    "Zava Retail",
    "Bellows Consulting",
    "Cedar Health",
    "Dunmore Labs",
    "Elm Street Clinics",
    "Fjord Shipping",
]
COUNTRIES = ["US", "SE", "TW", "IN"]
SOURCE_OFFERS = ["m365-business-basic", "m365-business-standard", "m365-apps-for-business"]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    try_this: str
    password: str = DEMO_PASSWORD


DEMO_LOGINS = [
    DemoLogin(OPERATOR, "platform operator (superuser)", "Django admin: every partner, the catalog, audit records"),
    DemoLogin("contoso-admin", "Contoso global_admin", "everything of Contoso, catalog and upgrade matrix in admin"),
    DemoLogin("contoso-usermgr", "Contoso user_management_admin", "manage Contoso users and roles; no purchases"),
    DemoLogin("contoso-agent", "Contoso admin_agent", "license transfer; approves batches of over 10 items"),
    DemoLogin("contoso-sales", "Contoso sales_agent", "find a customer, see why options are blocked, upgrade"),
    DemoLogin("contoso-helpdesk", "Contoso helpdesk_agent", "reader-only GDAP group: offered upgrade_only"),
    DemoLogin("contoso-billing", "Contoso billing_admin", "billing view; upgrades are not offered"),
    DemoLogin("wingtip-admin", "Wingtip global_admin", "sees only Wingtip's customers (Proseware is shared)"),
    DemoLogin("wingtip-sales", "Wingtip sales_agent", "upgrade Proseware's Wingtip subscription"),
    DemoLogin("northwind-admin", "Northwind global_administrator", "direct E4 upgrade with add-ons in the cart"),
    DemoLogin("northwind-billing", "Northwind billing_administrator", "E4 checkout and payment method"),
    DemoLogin("northwind-users", "Northwind user_administrator", "move users between subscriptions"),
    DemoLogin("northwind-licenses", "Northwind license_administrator", "license reassignment"),
    DemoLogin(
        "adventure-admin",
        "Adventure Works global_administrator",
        "E4 by invoice: credit check; more users assigned than licenses",
    ),
    DemoLogin(
        "tailspin-admin",
        "Tailspin Toys global_administrator",
        "prepaid E4: pick Monthly in the cart to see the forfeited value warning",
    ),
]


def demo_guid(*parts) -> str:
    return str(uuid.uuid5(DEMO_NAMESPACE, "/".join(str(p) for p in parts)))


def _at(day: date) -> str:
    return datetime.combine(day, time(), tzinfo=UTC).isoformat().replace("+00:00", "Z")


def _partners() -> list[dict]:
    def user(username, roles, groups):
        return {
            "username": username,
            "email": f"{username}@{username.split('-')[0]}-csp.example",
            "password": DEMO_PASSWORD,
            "roles": roles,
            "groups": groups,
        }

    return [
        {
            "id": CONTOSO,
            "name": "Contoso CSP",
            "mpnId": "1234567",
            "tenantId": demo_guid("partner", CONTOSO),
            # four-eyes: a batch of more than 10 items waits for a second user's approval
            "approvalThreshold": {"items": 10},
            "groups": ["Admin Agents", "Helpdesk Agents", "Sales", "License Managers", "Readers"],
            "users": [
                user("contoso-admin", ["global_admin"], ["Admin Agents"]),
                user("contoso-usermgr", ["user_management_admin"], []),
                user("contoso-agent", ["admin_agent"], ["Admin Agents", "License Managers"]),
                user("contoso-sales", ["sales_agent"], ["Sales", "License Managers"]),
                user("contoso-helpdesk", ["helpdesk_agent"], ["Helpdesk Agents", "Readers"]),
                user("contoso-billing", ["billing_admin"], []),
            ],
        },
        {
            "id": WINGTIP,
            "name": "Wingtip CSP",
            "mpnId": "7654321",
            "tenantId": demo_guid("partner", WINGTIP),
            "groups": ["Admin Agents", "Helpdesk Agents", "Sales"],
            "users": [
                user("wingtip-admin", ["global_admin"], ["Admin Agents"]),
                user("wingtip-sales", ["sales_agent"], ["Sales"]),
            ],
        },
    ]


class _Builder:
    def __init__(self, today: date):
        self.today = today
        self.rng = random.Random(SEED)
        self.customers: list[dict] = []

    # -- pieces ------------------------------------------------------------------------------------------------
    def customer(
        self,
        name: str,
        country: str,
        *,
        resellers=(),
        dap=(),
        segment="commercial",
        incident=False,
        users: int = 5,
        admins=(),
    ) -> dict:
        slug = "".join(ch for ch in name.lower() if ch.isalnum())[:24]
        domain = f"{slug}.onmicrosoft.com"
        people = self.rng.sample(FIRST_NAMES, users)
        customer = {
            "tenantId": demo_guid("tenant", slug),
            "companyName": name,
            "domain": domain,
            "country": country,
            "segment": segment,
            "serviceHealthIncident": incident,
            "resellers": list(resellers),
            "dap": list(dap),
            "gdap": [],
            "admins": [
                {"username": u, "email": f"{u}@{domain}", "password": DEMO_PASSWORD, "roles": r} for u, r in admins
            ],
            "users": [
                {
                    "id": demo_guid("user", slug, p),
                    "userPrincipalName": f"{p.lower()}@{domain}",
                    "displayName": p,
                    "email": f"{p.lower()}@{slug}.example",
                }
                for p in people
            ],
            "subscriptions": [],
        }
        self.customers.append(customer)
        return customer

    def gdap(self, customer: dict, partner: str, state: str = "active", *, readers_only: bool = False) -> None:
        """``state``: active (activated 100 days ago), expiring (ends in 12 days) or expired (ended 20 days ago)."""
        days_ago = {"active": 100, "expiring": 718, "expired": 750}[state]
        roles = ["Directory Readers", "Directory Writers", "License Administrator", "User Administrator"]
        access = [{"group": "Helpdesk Agents", "roles": ["Directory Readers"], "status": "active"}]
        if not readers_only:
            access.append({"group": "Admin Agents", "roles": roles[1:], "status": "active"})
            access.append({"group": "Sales", "roles": ["Directory Writers"], "status": "active"})
        if partner == CONTOSO:
            access.append({"group": "Readers", "roles": ["Directory Readers"], "status": "active"})
            if not readers_only:
                access.append({"group": "License Managers", "roles": ["License Administrator"], "status": "active"})
        customer["gdap"].append(
            {
                "partner": partner,
                "displayName": f"{customer['companyName'][:36]} {state}",
                "status": "expired" if state == "expired" else "active",
                "roles": roles,
                "createdDateTime": _at(self.today - timedelta(days=days_ago + 3)),
                "activatedDateTime": _at(self.today - timedelta(days=days_ago)),
                "duration": "P730D",
                "autoExtendDuration": "PT0S",
                "accessAssignments": access,
            }
        )

    def subscription(
        self,
        customer: dict,
        key: str,
        offer: str,
        channel: dict,
        *,
        quantity=None,
        users=None,
        parent=None,
        disabled=(),
        **fields,
    ) -> dict:
        people = customer["users"] if users is None else customer["users"][:users]
        term_start = (self.today.replace(day=1) - timedelta(days=30 * self.rng.randint(1, 10))).replace(day=1)
        sub = {
            "id": demo_guid("subscription", customer["domain"], key),
            "offer": offer,
            "quantity": len(people) + 2 if quantity is None else quantity,
            "channel": channel,
            "billingCycle": "monthly",
            "termStartDate": term_start.isoformat(),
            "commitmentEndDate": (term_start + timedelta(days=364)).isoformat(),
            "parentSubscription": parent,
            "assignments": [
                {"user": u["userPrincipalName"], "disabledServicePlans": list(disabled) if index % 3 == 1 else []}
                for index, u in enumerate(people)
            ],
            **fields,
        }
        customer["subscriptions"].append(sub)
        return sub

    def find(self, name: str) -> dict:
        return next(customer for customer in self.customers if customer["companyName"] == name)

    def nce_subscription(
        self,
        customer: dict,
        key: str,
        offer: str,
        partner: str,
        *,
        term: str,
        cycle: str,
        start: date,
        quantity: int,
        users: int = 2,
        **fields,
    ) -> dict:
        """A new commerce subscription sold by ``partner``, its term starting on ``start`` (no random draw: the
        legacy data set stays what it was); it ends one term later, the day before."""
        months = {"P1M": 1, "P1Y": 12, "P3Y": 36}[term]
        sub = {
            "id": demo_guid("subscription", customer["domain"], key),
            "offer": offer,
            "quantity": quantity,
            "channel": csp(partner),
            "commerce": "new",
            "termDuration": term,
            "billingCycle": cycle,
            "termStartDate": start.isoformat(),
            "commitmentEndDate": (add_months(start, months) - timedelta(days=1)).isoformat(),
            "assignments": [{"user": u["userPrincipalName"]} for u in customer["users"][:users]],
            **fields,
        }
        customer["subscriptions"].append(sub)
        return sub


def csp(partner: str) -> dict:
    return {"type": "csp", "partner": partner}


def direct(method: str) -> dict:
    return {"type": "direct", "paymentMethod": method}


def build_demo_document(today: date | None = None) -> dict:
    b = _Builder(today or date.today())
    _direct_e4_customers(b)
    _partner_customers(b)
    _filler_customers(b)
    _new_commerce_subscriptions(b)
    return {"partners": _partners(), "customers": b.customers}


def _direct_e4_customers(b: _Builder) -> None:
    northwind = b.customer(
        "Northwind Traders",
        "US",
        users=8,
        admins=[
            ("northwind-admin", ["global_administrator"]),
            ("northwind-billing", ["billing_administrator"]),
            ("northwind-users", ["user_administrator"]),
            ("northwind-licenses", ["license_administrator"]),
        ],
    )
    e4 = b.subscription(
        northwind, "e4", "o365-e4", direct("credit_card"), billingCycle="annual", disabled=["MCOVOICECONF"]
    )
    b.subscription(
        northwind, "audio", "audio-conferencing", direct("credit_card"), users=0, quantity=4, parent=e4["id"]
    )
    b.subscription(
        northwind, "storage", "extra-file-storage", direct("credit_card"), users=0, quantity=10, parent=e4["id"]
    )
    adventure = b.customer("Adventure Works", "SE", users=7, admins=[("adventure-admin", ["global_administrator"])])
    b.subscription(adventure, "e4", "o365-e4", direct("invoice"), quantity=5)  # 7 users on 5 licenses
    tailspin = b.customer("Tailspin Toys", "US", users=6, admins=[("tailspin-admin", ["global_administrator"])])
    # Prepaid a year ahead this month: most of the year's value is left, more than a month of any plan, so a
    # monthly upgrade forfeits the difference (the checkout's warning); an annual one keeps it all.
    this_month = b.today.replace(day=1)
    b.subscription(
        tailspin,
        "e4",
        "o365-e4",
        direct("credit_card"),
        prepaid=True,
        billingCycle="annual",
        termStartDate=this_month.isoformat(),
        commitmentEndDate=(this_month + timedelta(days=364)).isoformat(),
    )
    b.subscription(
        tailspin,
        "storage",
        "extra-file-storage",
        direct("credit_card"),
        users=0,
        quantity=5,
        parent=demo_guid("subscription", tailspin["domain"], "e4"),
    )


def _partner_customers(b: _Builder) -> None:
    fabrikam = b.customer("Fabrikam India", "IN", resellers=[CONTOSO], dap=[CONTOSO])
    b.gdap(fabrikam, CONTOSO)
    b.subscription(fabrikam, "basic", "m365-business-basic-in", csp(CONTOSO), disabled=["MCOSTANDARD"])
    pharma = b.customer("Contoso Pharma India", "IN", resellers=[CONTOSO])
    b.gdap(pharma, CONTOSO)
    b.subscription(pharma, "apps", "m365-apps-for-business-in", csp(CONTOSO))
    bellows = b.customer("Bellows College India", "IN", resellers=[CONTOSO], segment="education")
    b.gdap(bellows, CONTOSO)
    b.subscription(bellows, "standard", "m365-business-standard-in", csp(CONTOSO))

    litware = b.customer("Litware Inc", "US", resellers=[CONTOSO], dap=[CONTOSO])  # also bought directly
    b.gdap(litware, CONTOSO)
    b.subscription(litware, "basic", "m365-business-basic", csp(CONTOSO))
    b.subscription(litware, "direct-std", "m365-business-standard", direct("credit_card"), users=2)
    proseware = b.customer("Proseware", "TW", resellers=[CONTOSO, WINGTIP], dap=[WINGTIP])  # two partners
    b.gdap(proseware, CONTOSO)
    b.gdap(proseware, WINGTIP)
    b.subscription(proseware, "basic", "m365-business-basic", csp(CONTOSO))
    b.subscription(proseware, "apps", "m365-apps-for-business", csp(WINGTIP), users=3)
    woodgrove = b.customer("Woodgrove Bank", "SE", resellers=[CONTOSO])  # also on volume licensing
    b.gdap(woodgrove, CONTOSO)
    b.subscription(woodgrove, "standard", "m365-business-standard", csp(CONTOSO))
    b.subscription(woodgrove, "vl-e3", "o365-e3", {"type": "volume_licensing"}, users=2)
    trey = b.customer("Trey Research", "US", resellers=[CONTOSO], dap=[CONTOSO])  # E4 bought through a partner
    b.subscription(trey, "e4", "o365-e4", csp(CONTOSO))
    b.subscription(trey, "adatum", "m365-apps-for-business", csp(OTHER_RESELLER), users=2)

    wide_world = b.customer("Wide World Importers", "US", resellers=[CONTOSO])  # DAP off, no GDAP
    b.subscription(wide_world, "basic", "m365-business-basic", csp(CONTOSO))
    coho = b.customer("Coho Winery", "SE", resellers=[CONTOSO])
    b.gdap(coho, CONTOSO, "expiring")
    b.subscription(coho, "standard", "m365-business-standard", csp(CONTOSO))
    relecloud = b.customer("Relecloud", "TW", resellers=[CONTOSO])
    b.gdap(relecloud, CONTOSO, "expired")
    b.subscription(relecloud, "apps", "m365-apps-for-business", csp(CONTOSO))
    readers = b.customer("Lamna Healthcare", "US", resellers=[CONTOSO])
    b.gdap(readers, CONTOSO, readers_only=True)
    b.subscription(readers, "basic", "m365-business-basic", csp(CONTOSO))

    first_up = b.customer("First Up Consultants", "SE", resellers=[CONTOSO], dap=[CONTOSO], incident=True)
    b.subscription(first_up, "basic", "m365-business-basic", csp(CONTOSO))
    b.subscription(
        first_up,
        "addon",
        "audio-conferencing",
        csp(CONTOSO),
        users=0,
        quantity=3,
        parent=demo_guid("subscription", first_up["domain"], "basic"),
    )
    giving = b.customer("Giving Tree Foundation", "US", resellers=[CONTOSO], dap=[CONTOSO], segment="nonprofit")
    b.subscription(giving, "standard", "m365-business-standard", csp(CONTOSO))
    states = b.customer("Best For You Organics", "TW", resellers=[CONTOSO], dap=[CONTOSO])
    b.subscription(states, "suspended", "m365-business-basic", csp(CONTOSO), status="suspended", users=2)
    b.subscription(
        states,
        "provisioning",
        "m365-business-standard",
        csp(CONTOSO),
        provisioningState="provisioning",
        users=0,
        quantity=5,
    )


def _filler_customers(b: _Builder) -> None:
    rng = b.rng
    for index, name in enumerate(FILLER_NAMES[:FILLER_CUSTOMERS]):
        country = COUNTRIES[index % len(COUNTRIES)]
        partner = WINGTIP if index % 4 == 3 else CONTOSO
        customer = b.customer(
            name, country, resellers=[partner], dap=[partner] if rng.random() < 0.6 else [], users=rng.randint(3, 8)
        )
        if rng.random() < 0.8:
            b.gdap(customer, partner)
        for n in range(rng.randint(1, 2)):
            offer = SOURCE_OFFERS[(index + n) % len(SOURCE_OFFERS)]
            if country == "IN":
                offer = f"{offer}-in"
            b.subscription(
                customer,
                f"s{n}",
                offer,
                csp(partner),
                users=None if n == 0 else 2,
                billingCycle=rng.choice(["monthly", "annual"]),
            )


def _new_commerce_subscriptions(b: _Builder) -> None:
    """New commerce (§8) beside the legacy subscriptions, after every random draw of the legacy data set."""
    today = b.today
    # mid-term: a year billed annually, five months in (the cancellation window long closed)
    b.nce_subscription(
        b.find("Litware Inc"),
        "nce-premium",
        "m365-business-premium",
        CONTOSO,
        term="P1Y",
        cycle="annual",
        start=add_months(today, -5),
        quantity=12,
    )
    # bought two days ago: inside the 7-day window, every seat refundable
    b.nce_subscription(
        b.find("Woodgrove Bank"),
        "nce-standard",
        "m365-business-standard",
        CONTOSO,
        term="P1Y",
        cycle="monthly",
        start=today - timedelta(days=2),
        quantity=15,
        users=3,
    )
    # renews within 30 days (the term ends in 19 days), three years billed annually; at renewal it moves up to
    # Business Standard (India) for a year, billed monthly, with two more seats
    b.nce_subscription(
        b.find("Fabrikam India"),
        "nce-apps",
        "m365-apps-for-business-in",
        CONTOSO,
        term="P3Y",
        cycle="annual",
        start=add_months(today + timedelta(days=20), -36),
        quantity=8,
        scheduledNextTermInstructions={
            "offer": "m365-business-standard-in",
            "termDuration": "P1Y",
            "billingCycle": "monthly",
            "quantity": 10,
        },
    )
    # scheduled changes at renewal (in 24 days): down to Business Basic, fewer seats, billed monthly (Wingtip's)
    b.nce_subscription(
        b.find("Consolidated Messenger"),
        "nce-standard",
        "m365-business-standard-in",
        WINGTIP,
        term="P1Y",
        cycle="annual",
        start=add_months(today + timedelta(days=25), -12),
        quantity=10,
        scheduledNextTermInstructions={
            "offer": "m365-business-basic-in",
            "termDuration": "P1Y",
            "billingCycle": "monthly",
            "quantity": 6,
        },
    )
    # a one-month trial of E5 (trials do not renew by themselves)
    b.nce_subscription(
        b.find("Trey Research"),
        "nce-e5-trial",
        "m365-e5",
        CONTOSO,
        term="P1M",
        cycle="monthly",
        start=today - timedelta(days=10),
        quantity=25,
        isTrial=True,
        autoRenewEnabled=False,
    )
