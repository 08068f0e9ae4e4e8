"""Offers: the data model of an offer, reading one offer, its calendar file."""
