"""Bulk extensions of the /v1/ API: upgrade batches run by Celery and bulk eligibility (api.md "Portal extensions")."""
