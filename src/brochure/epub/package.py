"""The package document's metadata: the book's ``Metadata`` as Dublin Core elements and the
``meta`` elements that refine them (roles, sort names, identifier types, the series), with
the accessibility metadata that accessibility.py computes.

ebooklib writes the elements; the refinements are ordinary ``meta`` elements it carries.
"""

from __future__ import annotations

from ebooklib import epub

from brochure.core.model import Identifier, Metadata, Person
from brochure.core.xhtml import XML_LANG
from brochure.epub.accessibility import Accessibility

# ONIX code list 5 (product identifier types), as EPUB's ``identifier-type`` refinement uses it.
ONIX_IDENTIFIER_TYPES = {"ISBN": "15", "DOI": "06", "GTIN-13": "03", "UPC": "04",
                         "ISMN-13": "25", "LCCN": "13", "OCLC": "23", "URI": "22"}
UNIQUE_ID = "id"  # the id ebooklib gives the unique identifier


def _refine(package: epub.EpubBook, target: str, prop: str, value: str,
            scheme: str | None = None) -> None:
    attributes = {"refines": f"#{target}", "property": prop}
    if scheme:
        attributes["scheme"] = scheme
    package.add_metadata(None, "meta", value, attributes)


def _people(package: epub.EpubBook, element: str, people: tuple[Person, ...]) -> None:
    for index, person in enumerate(people, start=1):
        uid = f"{element}-{index}"
        package.add_metadata("DC", element, person.name, {"id": uid})
        _refine(package, uid, "role", person.role, "marc:relators")
        if person.file_as:
            _refine(package, uid, "file-as", person.file_as)


def _identifiers(package: epub.EpubBook, identifiers: tuple[Identifier, ...]) -> None:
    for index, identifier in enumerate(identifiers):
        uid = UNIQUE_ID if index == 0 else f"identifier-{index + 1}"
        if index == 0:
            package.set_identifier(identifier.urn)
        else:
            package.add_metadata("DC", "identifier", identifier.urn, {"id": uid})
        code = ONIX_IDENTIFIER_TYPES.get(identifier.scheme)
        if code and identifier.scheme != "URI":
            _refine(package, uid, "identifier-type", code, "onix:codelist5")


def describe(package: epub.EpubBook, meta: Metadata, access: Accessibility) -> None:
    """Write ``meta`` and ``access`` into the package's metadata."""
    _identifiers(package, meta.identifiers)
    package.set_title(meta.title)
    package.set_language(meta.lang)
    _people(package, "creator", meta.creators)
    _people(package, "contributor", meta.contributors)
    for name, value in (("publisher", meta.publisher), ("date", meta.date),
                        ("rights", meta.rights), ("description", meta.description),
                        ("source", meta.source)):
        if value:
            package.add_metadata("DC", name, value)
    for subject in meta.subjects:
        package.add_metadata("DC", "subject", subject)
    if meta.subtitle:
        package.add_metadata("DC", "title", meta.subtitle, {"id": "subtitle"})
        _refine(package, "subtitle", "title-type", "subtitle")
    if meta.collection:
        package.add_metadata(None, "meta", meta.collection.name,
                             {"property": "belongs-to-collection", "id": "collection"})
        _refine(package, "collection", "collection-type", "series")
        if meta.collection.position:
            _refine(package, "collection", "group-position", meta.collection.position)
    _accessibility(package, access)
    # ebooklib announces itself as the generator; the book is brochure's.
    package.metadata[epub.NAMESPACES["OPF"]].pop("generator", None)


def _accessibility(package: epub.EpubBook, access: Accessibility) -> None:
    """EPUB Accessibility 1.1's metadata: what reading systems and stores look for."""
    for prop, values in (("schema:accessMode", access.modes),
                         ("schema:accessModeSufficient", access.sufficient),
                         ("schema:accessibilityFeature", access.features),
                         ("schema:accessibilityHazard", access.hazards)):
        for value in values:
            package.add_metadata(None, "meta", value, {"property": prop})
    summary = {"property": "schema:accessibilitySummary"}
    if access.summary_lang:
        summary[XML_LANG] = access.summary_lang
    package.add_metadata(None, "meta", access.summary, summary)
    if access.page_source:
        package.add_metadata(None, "meta", access.page_source,
                             {"property": "pageBreakSource"})
    if access.conforms_to:
        package.add_metadata(None, "meta", access.conforms_to,
                             {"property": "dcterms:conformsTo", "id": "conformance"})
        package.add_metadata(None, "meta", access.certified_by,
                             {"property": "a11y:certifiedBy", "refines": "#conformance"})
