"""The knowledge centre: articles, tools and proven concepts for everyone fighting loneliness."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask


def init_app(app: Flask) -> None:
    """Set the knowledge centre's settings and template helpers on ``app``.

    KNOWLEDGE_UPLOAD_DIR (where files are stored; default instance/knowledge-files)
    and KNOWLEDGE_INDEX_DIR (the embedded knowledge index; default beside
    SEARCH_INDEX_DIR) come from the environment unless the app was given them.
    """
    from portal.knowledge.attachments import size_text, type_label
    from portal.knowledge.guidance import offer_guidance, search_guidance
    from portal.knowledge.markdown import render_markdown

    # Tests take their settings from the test mapping only, never from the shell.
    environ = {} if app.testing else os.environ
    app.config.setdefault(
        "KNOWLEDGE_UPLOAD_DIR",
        environ.get("KNOWLEDGE_UPLOAD_DIR") or str(Path(app.instance_path) / "knowledge-files"),
    )
    index_dir = Path(app.config["SEARCH_INDEX_DIR"])
    app.config.setdefault(
        "KNOWLEDGE_INDEX_DIR",
        environ.get("KNOWLEDGE_INDEX_DIR")
        or str(index_dir.with_name(f"{index_dir.name}-knowledge")),
    )
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["file_size"] = size_text
    app.jinja_env.filters["file_type"] = type_label
    app.jinja_env.globals.update(offer_guidance=offer_guidance, search_guidance=search_guidance)
