"""Tests of the statistics pages, their numbers and their imports."""
