"""Who made the book besides its authors, and the print edition's details, in the book's
language: the lines the title page and the imprint show ("Translated by ...", "ISBN ...")."""

from __future__ import annotations

from brochure.core.isbn import Isbn
from brochure.core.model import Identifier, Metadata, Person

# By role (MARC relator code), then by primary language subtag.
_ROLES = {
    "trl": {"en": "Translated by {}", "fr": "Traduit par {}", "de": "Übersetzt von {}",
            "es": "Traducción de {}", "it": "Traduzione di {}"},
    "edt": {"en": "Edited by {}", "fr": "Édité par {}", "de": "Herausgegeben von {}",
            "es": "Edición de {}", "it": "A cura di {}"},
    "ill": {"en": "Illustrated by {}", "fr": "Illustrations de {}", "de": "Illustriert von {}",
            "es": "Ilustraciones de {}", "it": "Illustrazioni di {}"},
    "aui": {"en": "Introduction by {}", "fr": "Introduction de {}", "de": "Einleitung von {}",
            "es": "Introducción de {}", "it": "Introduzione di {}"},
    "aft": {"en": "Afterword by {}", "fr": "Postface de {}", "de": "Nachwort von {}",
            "es": "Epílogo de {}", "it": "Postfazione di {}"},
    "pht": {"en": "Photographs by {}", "fr": "Photographies de {}", "de": "Fotografien von {}",
            "es": "Fotografías de {}", "it": "Fotografie di {}"},
    "cov": {"en": "Cover by {}", "fr": "Couverture de {}", "de": "Umschlag von {}",
            "es": "Cubierta de {}", "it": "Copertina di {}"},
}
_PRINT = {
    "printer": {"en": "Printed by {}", "fr": "Imprimé par {}", "de": "Gedruckt bei {}",
                "es": "Impreso por {}", "it": "Stampato da {}"},
    "print_run": {"en": "Print run: {}", "fr": "Tirage\u202f: {}", "de": "Auflage: {}",
                  "es": "Tirada: {}", "it": "Tiratura: {}"},
    "legal_deposit": {"en": "Legal deposit: {}", "fr": "Dépôt légal\u202f: {}",
                      "de": "Pflichtexemplar: {}", "es": "Depósito legal: {}",
                      "it": "Deposito legale: {}"},
}
_AND = {"en": " and ", "fr": " et ", "de": " und ", "es": " y ", "it": " e "}


def _in(table: dict[str, str], lang: str) -> str:
    return table.get(lang.split("-")[0].lower(), table["en"])


def names(people: list[str], lang: str) -> str:
    """"A, B and C" in the book's language."""
    if len(people) < 2:
        return "".join(people)
    return ", ".join(people[:-1]) + _in(_AND, lang) + people[-1]


def credits(meta: Metadata) -> list[str]:
    """A line for each role other than author, in the order the roles first come: the
    translators, editors, illustrators... (a role brochure has no words for: the names alone)."""
    by_role: dict[str, list[Person]] = {}
    for person in (*meta.creators, *meta.contributors):
        if person.role != "aut":
            by_role.setdefault(person.role, []).append(person)
    lines = []
    for role, people in by_role.items():
        who = names([person.name for person in people], meta.lang)
        lines.append(_in(_ROLES[role], meta.lang).format(who) if role in _ROLES else who)
    return lines


def identifier_text(identifier: Identifier) -> str | None:
    """An identifier as the imprint prints it (ISBN hyphenated), or None for brochure's own."""
    if identifier.scheme == "ISBN":
        return f"ISBN {Isbn(identifier.value).hyphenated}"
    if identifier.scheme == "UUID":
        return None
    if identifier.scheme == "URI":
        return identifier.value
    return f"{identifier.scheme} {identifier.value}"


def print_details(meta: Metadata) -> list[str]:
    """The printer, the print run and the legal deposit, for the printed imprint."""
    values = {"printer": meta.printer, "print_run": meta.print_run,
              "legal_deposit": meta.legal_deposit}
    return [_in(_PRINT[key], meta.lang).format(value) for key, value in values.items() if value]
