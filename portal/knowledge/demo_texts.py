"""The Danish texts of the knowledge centre's demo content."""

from __future__ import annotations

from typing import Any

from portal.knowledge.models import EvidenceLevel, KnowledgeKind

TOOL_PDF_NAME = "Tjekliste – den gode velkomst.pdf"
TOOL_PDF_SUMMARY = (
    "Tjeklisten har ti punkter til værter og frivillige: Aftal, hvem der tager imod nye. "
    "Stå ved døren, og sig navn. Præsentér den nye for to-tre andre. Forklar, hvad der "
    "skal ske, og hvad det koster. Vis, hvor toilet og garderobe er. Sæt jer sammen ved "
    "bordet. Spørg til interesser, ikke til problemer. Fortæl om næste gang. Ring eller "
    "skriv efter første besøg, hvis den nye har sagt ja til det. Tal bagefter i gruppen om, "
    "hvordan velkomsten gik."
)
TOOL_PDF_LINES = [
    "Til værter og frivillige i fællesskaber mod ensomhed.",
    "",
    "1. Aftal på forhånd, hvem der tager imod nye.",
    "2. Stå ved døren, smil og sig dit navn.",
    "3. Præsentér den nye for to-tre andre deltagere.",
    "4. Forklar, hvad der skal ske i dag, og hvad det koster.",
    "5. Vis, hvor toilet og garderobe er.",
    "6. Sæt jer sammen ved bordet – ingen skal sidde alene.",
    "7. Spørg til interesser, ikke til problemer.",
    "8. Fortæl, hvornår I ses næste gang.",
    "9. Ring eller skriv efter første besøg, hvis den nye har sagt ja til det.",
    "10. Tal bagefter i gruppen om, hvordan velkomsten gik.",
    "",
    "Fællesskabsportalen – videnscentret",
]

DEMO_ITEMS: list[dict[str, Any]] = [
    {
        "kind": KnowledgeKind.ARTICLE,
        "slug": "saadan-spoerger-du-ind-til-ensomhed",
        "title": "Sådan spørger du ind til ensomhed",
        "summary": (
            "Mange, der er ensomme, fortæller det ikke selv. Her er gode spørgsmål og råd til "
            "læger, kommunale medarbejdere og frivillige, der vil tage samtalen."
        ),
        "body": """Ensomhed er svær at tale om. Mange skammer sig og svarer »det går fint«,
hvis man spørger direkte. Et åbent spørgsmål i en rolig stund kan være det, der
får samtalen i gang.

## Gode spørgsmål at starte med

- Hvem taler du med i løbet af en almindelig uge?
- Hvad laver du, når du har fri – og er der nogen, du gør det sammen med?
- Savner du nogen at være sammen med?
- Har der været forandringer i dit liv for nylig, fx et dødsfald, en skilsmisse eller en flytning?

## Lyt efter overgangene

Ensomhed begynder ofte ved en overgang i livet: når man mister sit arbejde, sin
partner eller sit helbred, skifter skole eller flytter. Spørg til de overgange,
du kender til.

| Situation | Et muligt spørgsmål |
|---|---|
| Mistet partner | Hvordan er dagene blevet, efter at du blev alene? |
| Ny i byen | Har du fået nogen at snakke med, siden du flyttede? |
| Sygemeldt | Hvem ser du, nu hvor du ikke kommer på arbejde? |

## Når borgeren siger ja

Find et fællesskab sammen med borgeren på Fællesskabsportalen – gerne mens I
sidder sammen. Vælg noget, der passer til interesser og hverdag, og giv
adressen og kontakten med. Et konkret næste skridt gør det lettere at møde op.
""",
        "audiences": ["fagpersoner", "frivillige"],
        "tags": ["samtale", "ensomhed", "tidlig opsporing"],
        "terms": [
            "maalgruppe:aeldre",
            "maalgruppe:unge",
            "livssituation:mistet-partner",
            "livssituation:skilsmisse",
            "livssituation:flyttet",
            "livssituation:mistet-arbejde",
        ],
        "featured": True,
    },
    {
        "kind": KnowledgeKind.TOOL,
        "slug": "tjekliste-den-gode-velkomst",
        "title": "Tjekliste: Den gode velkomst af nye deltagere",
        "summary": (
            "Det første besøg afgør, om man kommer igen. Ti punkter, der hjælper værter og "
            "frivillige med at tage godt imod nye – som PDF til opslagstavlen."
        ),
        "body": """Den første gang er den sværeste. Mange, der er ensomme, har brugt lang tid
på at tage mod til sig, før de møder op. En god velkomst gør forskellen.

Tjeklisten kan hænges op, hvor I mødes, og bruges, når nye frivillige skal
lære, hvordan I tager imod.

**Tip:** Aftal i gruppen, hvem der er »vært« hver gang. Det skal ikke være den
samme hver gang.
""",
        "audiences": ["frivillige", "ledere"],
        "tags": ["velkomst", "frivillige", "nye deltagere"],
        "terms": ["maalgruppe:alle", "aktivitet:social-cafe", "aktivitet:faellesspisning"],
        "featured": True,
    },
    {
        "kind": KnowledgeKind.CONCEPT,
        "slug": "besoegsven",
        "title": "Besøgsven",
        "summary": (
            "En frivillig besøger et menneske, der sidder meget alene – typisk en gang om "
            "ugen, til kaffe, en gåtur eller en snak."
        ),
        "body": """En besøgsven er en frivillig, der kommer på besøg hos en person, som ønsker
mere selskab. De to bliver matchet ud fra interesser og bopæl, og de aftaler
selv, hvad de laver: drikker kaffe, går en tur, spiller kort eller går til
koncert.

Besøgsvennen er ikke hjemmehjælp eller behandler, men et ligeværdigt selskab.
""",
        "how_to_start": """1. Find en forening eller et lokalt netværk, der vil stå for ordningen.
2. Udpeg en koordinator, der matcher besøgsvenner og værter og følger op.
3. Lav en kort samtale med hver frivillig, og indhent børneattest, hvis det er relevant.
4. Fortæl om ordningen hos praktiserende læger, i hjemmeplejen og på biblioteket.
5. Følg op efter de første tre besøg: passer matchet?
""",
        "sources": """- Nationalt Partnerskab mod Ensomhed: *Strategi mod ensomhed* (2023).
- Erfaringer fra landsdækkende besøgstjenester i frivillige organisationer.
""",
        "evidence_level": EvidenceLevel.PROMISING,
        "audiences": ["frivillige", "ledere", "borgere"],
        "tags": ["besøgsven", "ældre", "frivillige"],
        "terms": ["aktivitet:besoegsven", "maalgruppe:aeldre", "maalgruppe:over-85"],
        "featured": True,
    },
    {
        "kind": KnowledgeKind.CONCEPT,
        "slug": "faellesspisning",
        "title": "Fællesspisning",
        "summary": (
            "Man laver mad og spiser sammen ved et langt bord. Maden er en god grund til at "
            "mødes – og samtalen kommer af sig selv."
        ),
        "body": """Fællesspisning samler mennesker om et måltid: i forsamlingshuset, på
biblioteket, i foreningen eller på plejecentret. Nogle steder laver deltagerne
maden sammen, andre steder står et hold frivillige for den.

Det lave krav – man skal bare spise – gør det let at møde op første gang.
""",
        "how_to_start": """1. Find et køkken og et lokale, der kan bruges fast, fx i
forsamlingshuset.
2. Sæt en fast dag og en lav pris, og gør det muligt at komme uden at kende nogen.
3. Lav et madhold på tre-fire frivillige, der skiftes.
4. Sæt langborde op i stedet for små borde, så ingen sidder alene.
5. Fortæl om det i lokalavisen, på opslagstavler og hos hjemmeplejen.
""",
        "sources": """- Erfaringer fra lokale spisefællesskaber i forsamlingshuse, foreninger
  og på biblioteker.
- Statens Institut for Folkesundhed: *Danskernes Sundhed – Den Nationale Sundhedsprofil*.
""",
        "evidence_level": EvidenceLevel.EXPERIENCE,
        "audiences": ["borgere", "frivillige", "ledere"],
        "tags": ["mad", "fællesskab"],
        "terms": ["aktivitet:faellesspisning", "maalgruppe:alle", "livssituation:mistet-partner"],
    },
    {
        "kind": KnowledgeKind.CONCEPT,
        "slug": "telefonven",
        "title": "Telefonven",
        "summary": (
            "En frivillig ringer fast til en person, der ønsker nogen at tale med – for dem, "
            "der ikke kan eller vil have besøg."
        ),
        "body": """En telefonven ringer på en fast dag og et fast tidspunkt. Samtalerne
handler om hverdagen, nyheder, minder og interesser. Ordningen passer til
mennesker, der bor langt fra andre, har svært ved at komme ud, eller som
gerne vil starte med noget, der ikke er for tæt på.

Telefonvenner kan også bruge video, hvis begge har lyst.
""",
        "how_to_start": """1. Lav en enkel tilmelding, også på telefon, så man ikke skal bruge
   en computer.
2. Match ud fra interesser og tidspunkter, der passer begge.
3. Aftal, hvad den frivillige gør, hvis en samtale giver anledning til bekymring.
4. Følg op med begge parter efter en måned.
""",
        "sources": """- Nationalt Partnerskab mod Ensomhed: *Strategi mod ensomhed* (2023).
- Erfaringer fra telefon- og netvenordninger i frivillige organisationer.
""",
        "evidence_level": EvidenceLevel.PROMISING,
        "audiences": ["frivillige", "ledere", "borgere"],
        "tags": ["telefon", "ældre", "handicap"],
        "terms": ["aktivitet:telefon-netven", "maalgruppe:aeldre", "maalgruppe:handicap"],
    },
    {
        "kind": KnowledgeKind.CONCEPT,
        "slug": "gaa-faellesskab",
        "title": "Gå-fællesskab",
        "summary": (
            "En fast gåtur i roligt tempo, hvor der er tid til at snakke. Man bliver rørt, "
            "kommer ud og møder de samme mennesker hver uge."
        ),
        "body": """Et gå-fællesskab mødes samme sted og tid hver uge og går en tur på en time
eller mindre. Tempoet er roligt, så alle kan være med, og turen slutter gerne
med en kop kaffe.

Bevægelse sammen med andre er godt for både krop og humør.
""",
        "how_to_start": """1. Vælg et mødested, der er let at finde og nå med bus.
2. Planlæg en rute med bænke og mulighed for at gå en kortere tur.
3. Find to turledere, så turen aldrig bliver aflyst.
4. Slut af med kaffe, så der er tid til at snakke.
""",
        "sources": """- Sundhedsstyrelsen: anbefalinger om fysisk aktivitet for voksne og ældre.
- Erfaringer fra gågrupper i idrætsforeninger og vandrelaug.
""",
        "evidence_level": EvidenceLevel.DOCUMENTED,
        "audiences": ["borgere", "frivillige"],
        "tags": ["motion", "gåtur", "natur"],
        "terms": ["aktivitet:motion-gaature", "maalgruppe:alle", "livssituation:alvorlig-sygdom"],
    },
]
