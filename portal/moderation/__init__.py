"""Moderation: offer versions, the review queue, freshness and problem reports."""
