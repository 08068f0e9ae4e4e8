"""The open-data API: Open Referral HSDS 3.0 at /api/v1, export, import."""
