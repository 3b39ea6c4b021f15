"""Database URLs as srs shows or hands them out: masked in every message, and without any
password when printed for a person to set."""

from __future__ import annotations

import re

_SECRET_KEYS = ("password", "passfile", "sslpassword")  # query keys whose values are secrets
_USERINFO = re.compile(r"(://[^/@]*?:)[^/@]*@")
_QUERY_SECRET = re.compile(r"((?:password|sslpassword)=)[^&]*", re.IGNORECASE)


def masked_url(url: str) -> str:
    """`url` as it may be shown anywhere: the password of its user part and any password in its
    query string replaced by `***`. The one place every message masks a URL."""
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:  # not a URL SQLAlchemy reads: mask by its shape
        return _QUERY_SECRET.sub(r"\1***", _USERINFO.sub(r"\1***@", url))
    query = {k: ("***" if k.lower() in _SECRET_KEYS else v) for k, v in parsed.query.items()}
    shown = parsed.set(query=query).render_as_string(hide_password=True)
    return shown.replace("%2A%2A%2A", "***")


def url_without_password(url: str, username: str) -> str:
    """`url` for the user `username`, with no password anywhere in it (neither the user part
    nor the query string), and the driver left for the person's own srs to choose."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    query = {k: v for k, v in parsed.query.items() if k.lower() not in _SECRET_KEYS}
    parsed = parsed._replace(username=username, password=None).set(query=query)
    if parsed.drivername == "postgresql+psycopg":
        parsed = parsed.set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)
