"""``GET /v1/opportunities``: the book's source × target lines (the CSV's fields)."""
