"""Catalog items of the reference catalog (catalog/data/commerce.json) the tests schedule changes to."""

BASIC_ITEM = {"productId": "CFQ7TTC0LH18", "skuId": "0001", "availabilityId": "DZH318Z0BQ3Q"}
STANDARD_ITEM = {"productId": "CFQ7TTC0LDPB", "skuId": "0001", "availabilityId": "DZH318Z0BPS6"}
