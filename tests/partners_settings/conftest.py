"""The Django admin world of tests/admin (Contoso, Wingtip, their admins and an operator) reused here."""

from tests.admin.conftest import contoso_admin, operator, world  # noqa: F401 (pytest fixtures, re-exported)
