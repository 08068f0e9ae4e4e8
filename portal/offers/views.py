"""Views are added with the offer pages."""
