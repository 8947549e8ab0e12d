"""Words brochure adds to a book, in the book's language (by primary language subtag)."""

from __future__ import annotations

from types import MappingProxyType

_STRINGS = {
    "en": {
        "notes": "Notes",
        "backlink": "Back to the reference of note {number}",
        "backlink_nth": "Back to reference {index} of note {number}",
        "toc": "Contents",
        "landmarks": "Landmarks",
        "titlepage": "Title page",
        "by": "by",
        "pages": "Pages",
        "cover": "Cover",
        "back_cover": "Back cover",
        "cover_alt": "Cover: {}",
    },
    "fr": {
        "notes": "Notes",
        "backlink": "Retour à l’appel de la note {number}",
        "backlink_nth": "Retour à l’appel {index} de la note {number}",
        "toc": "Table des matières",
        "landmarks": "Repères",
        "titlepage": "Page de titre",
        "by": "par",
        "pages": "Pages",
        "cover": "Couverture",
        "back_cover": "Quatrième de couverture",
        "cover_alt": "Couverture : {}",
    },
    "de": {
        "notes": "Anmerkungen",
        "backlink": "Zurück zum Verweis auf Anmerkung {number}",
        "backlink_nth": "Zurück zu Verweis {index} auf Anmerkung {number}",
        "toc": "Inhalt",
        "landmarks": "Orientierungspunkte",
        "titlepage": "Titelseite",
        "by": "von",
        "pages": "Seiten",
        "cover": "Umschlag",
        "back_cover": "Rückseite",
        "cover_alt": "Umschlag: {}",
    },
    "es": {
        "notes": "Notas",
        "backlink": "Volver a la llamada de la nota {number}",
        "backlink_nth": "Volver a la llamada {index} de la nota {number}",
        "toc": "Índice",
        "landmarks": "Puntos de referencia",
        "titlepage": "Portada",
        "by": "por",
        "pages": "Páginas",
        "cover": "Cubierta",
        "back_cover": "Contracubierta",
        "cover_alt": "Cubierta: {}",
    },
    "it": {
        "notes": "Note",
        "backlink": "Torna al richiamo della nota {number}",
        "backlink_nth": "Torna al richiamo {index} della nota {number}",
        "toc": "Indice",
        "landmarks": "Punti di riferimento",
        "titlepage": "Frontespizio",
        "by": "di",
        "pages": "Pagine",
        "cover": "Copertina",
        "back_cover": "Quarta di copertina",
        "cover_alt": "Copertina: {}",
    },
}


def strings(lang: str) -> MappingProxyType[str, str]:
    """The words for ``lang`` (e.g. 'fr-CA' -> French), English where the language is unknown."""
    primary = lang.split("-")[0].lower()
    return MappingProxyType(_STRINGS.get(primary, _STRINGS["en"]))


def text_direction(lang: str) -> str:
    """'rtl' for languages written right to left (Arabic, Hebrew, Persian, Urdu...), else 'ltr'."""
    from babel.core import Locale, UnknownLocaleError

    try:
        locale = Locale.parse(lang.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return "ltr"
    return "rtl" if locale.character_order == "right-to-left" else "ltr"
