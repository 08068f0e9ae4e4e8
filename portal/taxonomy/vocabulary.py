"""The controlled vocabularies the portal starts with; admins may edit them later."""

from __future__ import annotations

from typing import NamedTuple


class TermSeed(NamedTuple):
    code: str
    name: str
    name_en: str


class TaxonomySeed(NamedTuple):
    code: str
    name: str
    name_en: str
    description: str
    terms: tuple[TermSeed, ...]


ACTIVITY_TYPES = TaxonomySeed(
    "aktivitet",
    "Aktivitetstyper",
    "Activity types",
    "Hvad man laver sammen i fællesskabet.",
    (
        TermSeed("faellesspisning", "Fællesspisning", "Shared meals"),
        TermSeed("motion-gaature", "Motion og gåture", "Exercise and walks"),
        TermSeed("kreative", "Kreative aktiviteter", "Creative activities"),
        TermSeed("samtalegrupper", "Samtale- og selvhjælpsgrupper", "Talk and self-help groups"),
        TermSeed("sorggrupper", "Sorggrupper", "Grief groups"),
        TermSeed("besoegsven", "Besøgsven", "Visiting friend"),
        TermSeed("telefon-netven", "Telefon- og netven", "Phone and online friend"),
        TermSeed("ledsager", "Ledsager- og følgeordning", "Companion scheme"),
        TermSeed("social-cafe", "Social café og værested", "Social café and drop-in centre"),
        TermSeed("kultur", "Kultur og oplevelser", "Culture and outings"),
        TermSeed("raadgivning", "Rådgivning", "Advice and counselling"),
        TermSeed("frivilligt-arbejde", "Frivilligt arbejde", "Volunteering"),
    ),
)

TARGET_GROUPS = TaxonomySeed(
    "maalgruppe",
    "Målgrupper",
    "Target groups",
    "Hvem fællesskabet især er for.",
    (
        TermSeed("unge", "Unge 16–29 år", "Young people 16–29"),
        TermSeed("aeldre", "Ældre", "Older people"),
        TermSeed("over-85", "Over 85 år", "Over 85"),
        TermSeed("handicap", "Mennesker med handicap", "People with disabilities"),
        TermSeed("psykisk-saarbare", "Psykisk sårbare", "People with mental vulnerability"),
        TermSeed("fysisk-syge", "Fysisk syge", "People with physical illness"),
        TermSeed("paaroerende", "Pårørende", "Relatives and carers"),
        TermSeed("efterladte", "Efterladte", "The bereaved"),
        TermSeed("arbejdsloese", "Arbejdsløse", "Unemployed people"),
        TermSeed("nyindflyttede", "Nyindflyttede", "Newcomers to the area"),
        TermSeed("nydanskere", "Nydanskere", "New Danes"),
        TermSeed("groenlaendere", "Udsatte grønlændere", "Vulnerable Greenlanders"),
        TermSeed("hjemloese", "Hjemløse", "Homeless people"),
        TermSeed("alle", "Alle", "Everyone"),
    ),
)

LIFE_SITUATIONS = TaxonomySeed(
    "livssituation",
    "Livssituationer",
    "Life situations",
    "Overgange i livet, hvor ensomhed ofte begynder.",
    (
        TermSeed("mistet-arbejde", "Mistet arbejde", "Lost a job"),
        TermSeed("skilsmisse", "Skilsmisse", "Divorce"),
        TermSeed("mistet-partner", "Mistet partner", "Lost a partner"),
        TermSeed("alvorlig-sygdom", "Alvorlig sygdom", "Serious illness"),
        TermSeed("skiftet-skole", "Skiftet skole/uddannelse", "Changed school or education"),
        TermSeed("flyttet", "Flyttet", "Moved home"),
    ),
)

PRACTICAL_FEATURES = TaxonomySeed(
    "praktisk",
    "Praktiske forhold",
    "Practical features",
    "Pris, tilgængelighed og hvordan man deltager.",
    (
        TermSeed("gratis", "Gratis", "Free"),
        TermSeed("koerestolsadgang", "Kørestolsadgang", "Wheelchair access"),
        TermSeed("hoereslynge", "Høreslynge", "Hearing loop"),
        TermSeed("koersel", "Kørsel/transport mulig", "Transport available"),
        TermSeed("ledsager-velkommen", "Ledsager velkommen", "Companion welcome"),
        TermSeed("vaert", "Vært tager imod nye", "A host welcomes newcomers"),
        TermSeed("drop-in", "Ingen tilmelding (drop-in)", "No sign-up (drop-in)"),
        TermSeed("online", "Online", "Online"),
        TermSeed("telefon", "Telefon", "By phone"),
        TermSeed("landsdaekkende", "Landsdækkende", "Nationwide"),
    ),
)

VOCABULARIES: tuple[TaxonomySeed, ...] = (
    ACTIVITY_TYPES,
    TARGET_GROUPS,
    LIFE_SITUATIONS,
    PRACTICAL_FEATURES,
)

# Offers with any of these features reach people anywhere, so place searches
# always include them.
REMOTE_FEATURES = frozenset({"online", "telefon", "landsdaekkende"})
