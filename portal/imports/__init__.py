"""Bulk import of an association's offers from the CSV template or HSDS 3.0 JSON."""
