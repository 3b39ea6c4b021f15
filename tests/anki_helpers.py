"""The real Anki backend as tests and benchmarks use it: one way to import a package.

The benchmarks import this module too (`benchmarks/anki_side.py`), so that both measure and check
the same import Anki's own dialog makes.
"""

from __future__ import annotations

from pathlib import Path

from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition, ImportResponse


def import_apkg(
    col: Collection, path: Path, with_scheduling: bool = False, merge_notetypes: bool = False
) -> ImportResponse.Log:
    """Import as Anki's dialog does by default: update notes and note types only when newer.

    `merge_notetypes` is the dialog's "Merge note types" box (Anki 23.10+)."""
    if_newer = ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
    request = ImportAnkiPackageRequest(
        package_path=str(path),
        options=ImportAnkiPackageOptions(
            with_scheduling=with_scheduling,
            with_deck_configs=False,
            merge_notetypes=merge_notetypes,
            update_notes=if_newer,
            update_notetypes=if_newer,
        ),
    )
    return col.import_anki_package(request).log
