"""Issue 10 item 5: the run command's banner names the address ``PORT_BIND`` makes the server listen on."""

from io import StringIO

import pytest
from django.core.management import call_command

from portal.management.commands.seed_demo import bind_url


@pytest.mark.parametrize(
    ("bind", "url"),
    [
        ("", "http://127.0.0.1:8000"),
        ("8080", "http://127.0.0.1:8080"),
        ("0.0.0.0:9000", "http://0.0.0.0:9000"),
        ("0:9000", "http://0.0.0.0:9000"),
        ("portal.local:8443", "http://portal.local:8443"),
        ("[::1]:8001", "http://[::1]:8001"),
    ],
)
def test_bind_url(bind, url):
    assert bind_url(bind) == url


@pytest.mark.django_db
def test_the_banner_prints_the_real_bind_address(monkeypatch):
    monkeypatch.setenv("PORT_BIND", "0.0.0.0:8765")
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "Open http://0.0.0.0:8765 and sign in as:" in out.getvalue()
    assert "127.0.0.1:8000" not in out.getvalue()


def test_readme_documents_port_bind():
    from django.conf import settings

    readme = (settings.BASE_DIR / "README.md").read_text()
    run_section = readme.split("## The two commands")[1].split("\n## ")[0]
    assert "`PORT_BIND`" in run_section and "PORT_BIND=0.0.0.0:8080 bash scripts/run.sh" in run_section
