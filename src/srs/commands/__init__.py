"""The commands of `srs`, one module a concern, registered on the typer apps of `base`.

Each module imports only typer and the standard library at the top; the heavy libraries
(sqlalchemy, rich, genanki) are imported inside the commands, so `srs --help` starts fast.
"""
