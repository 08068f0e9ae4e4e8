"""Search engines behind one interface; never imports portal."""
