"""The screens: rich renderables and key reading. No store, no sqlalchemy."""
