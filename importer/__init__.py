"""The tenant import: a bulk-load adapter that writes partners, customers, delegated admin, users and subscriptions.

It sits high in the app order (above ``bulk``, below ``portal``) because it writes every app's data; the public
API is ``importer.services`` and the ``manage.py import_tenants`` command.
"""
