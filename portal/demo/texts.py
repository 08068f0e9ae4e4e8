"""Danish demo texts (titles, descriptions, names, places) for the deterministic demo generator."""

from __future__ import annotations

import random

# The data below is packed several items per line on purpose, to keep the module short.
# fmt: off
ACTIVITY_CODES: tuple[str, ...] = (
    "faellesspisning", "motion-gaature", "kreative", "samtalegrupper", "sorggrupper",
    "besoegsven", "telefon-netven", "ledsager", "social-cafe", "kultur", "raadgivning",
    "frivilligt-arbejde",
)

TARGET_CODES: tuple[str, ...] = (
    "unge", "aeldre", "over-85", "handicap", "psykisk-saarbare", "fysisk-syge", "paaroerende",
    "efterladte", "arbejdsloese", "nyindflyttede", "nydanskere", "groenlaendere", "hjemloese",
    "alle",
)

WEEKDAYS_DA: tuple[str, ...] = (
    "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag",
)

MAX_TITLE_LENGTH = 120

# Templates may only use {town}, {weekday} and {audience}. "{weekday}s..." gives compounds such
# as "tirsdagscafé"; "{weekday}en" gives the definite form "tirsdagen".
TITLE_TEMPLATES: dict[str, tuple[str, ...]] = {
    "faellesspisning": (
        "Fællesspisning i {town}", "{weekday}smad i Medborgerhuset", "Madklubben {town}",
        "Spis med – {weekday}sfællesskab", "Fredagsbar og fællesspisning for {audience}",
        "Fællesspisning for {audience}", "Madklub for mænd i {town}", "Spis sammen om {weekday}en",
        "Aftensmad i fællesskab – {town}", "{weekday}sfrokost i Sognegården",
        "Fællesspisning med hjemmelavet mad", "Madklubben – vi laver mad sammen",
        "Suppe og snak hver {weekday}", "Fællesspisning i {town} for {audience}",
    ),
    "motion-gaature": (
        "Gå-fællesskab {town}", "Gåtur med snak", "Stolegymnastik for seniorer", "Vandrelauget",
        "Petanque i parken", "Løbeklub for begyndere", "Gåtur i {town} for {audience}",
        "Gåklubben {town}", "Motion for {audience}", "Stavgang i skoven",
        "Gymnastik og kaffe – {weekday}sholdet", "Cykelholdet {town}", "Dans for seniorer",
        "Krolf og kaffe", "Vandgymnastik i svømmehallen", "{weekday}sgåtur fra biblioteket",
    ),
    "kreative": (
        "Strikkeklubben {town}", "Strikkecafé", "Mandeværksted i {town}", "Syning og snak",
        "Malerholdet", "Strikkeklub for {audience}", "Kreativt værksted – {weekday}",
        "Hækleklubben", "Træværkstedet i {town}", "Kreativ café for {audience}",
        "Billedkunst for begyndere", "Mandeværkstedet – vi reparerer og bygger",
        "Keramik og kaffe", "Strik og snak om {weekday}en",
    ),
    "samtalegrupper": (
        "Samtalegruppe for {audience}", "Snak om livet – samtalegruppe i {town}",
        "Selvhjælpsgruppe om ensomhed", "Mandegruppen {town}", "Kvindegruppen – tid til snak",
        "Netværksgruppe for {audience}", "Samtalegruppe om at starte forfra",
        "Livshistorier – samtalegruppe", "Selvhjælpsgruppe for {audience} i {town}",
        "Snakkeklubben om {weekday}en", "Samtalegruppe efter skilsmisse",
        "Gruppe for dig med angst eller depression", "Fællesskab efter sygdom – samtalegruppe",
    ),
    "sorggrupper": (
        "Sorggruppe i {town}", "Sorggruppe for {audience}",
        "Sorggruppe for dig, der har mistet din ægtefælle", "Sorgcafé {town}",
        "Sorggruppe for dig, der har mistet en forælder",
        "Sorg og fællesskab – samtaler i Sognegården", "Sorggruppe for efterladte",
        "Gå-sorggruppe – sorg i bevægelse", "Sorggruppen om {weekday}en", "Sorggruppe for mænd",
        "Når livet forandres – sorggruppe i {town}", "Sorggruppe efter tab af barn",
    ),
    "besoegsven": (
        "Besøgsven i {town}", "Besøgsven for {audience}", "Få en besøgsven", "Besøgsvenner {town}",
        "Bliv besøgsven – eller få en", "Besøgstjenesten {town}",
        "En besøgsven til kaffe og snak", "Besøgsven med hund", "Besøgsven på plejecentret",
        "Besøgsvenner for {audience}", "Besøgsven – en fast ven hver uge",
        "Gåven – en besøgsven, der går tur med dig",
    ),
    "telefon-netven": (
        "Telefonven i {town}", "Telefonven – en fast snak hver uge", "Netven for {audience}",
        "Telefonkæden {town}", "Telefonven for {audience}", "Netvenner – snak på video",
        "Morgenopkaldet – din telefonven", "Telefonvenner {town}", "Brevven og telefonven",
        "Onlinefællesskab for {audience}", "Snak i telefonen hver {weekday}",
        "Netcafé – vi ses på skærmen",
    ),
    "ledsager": (
        "Ledsagerordning {town}", "Følgeven til lægen og hospitalet",
        "Ledsager til kultur og oplevelser", "Følgeordning for {audience}",
        "Ledsagerkorps {town}", "Følg med – ledsager til foreningslivet",
        "Følgeven til fællesskaber i {town}", "Ledsager for {audience}",
        "Kom godt afsted – ledsagerordning", "Følgeven den første gang",
        "Ledsagelse til indkøb og ærinder", "Ledsagere til teater og koncert",
    ),
    "social-cafe": (
        "Café {town}", "Den åbne café", "Værestedet {town}", "Social café for {audience}",
        "{weekday}scafé i Medborgerhuset", "Morgencafé med rundstykker", "Café Fællesskab",
        "Kaffe og kortspil", "Værested for {audience}", "Caféen i Frivillighuset",
        "Banko og kaffe", "{weekday}scaféen", "Mødestedet {town}",
    ),
    "kultur": (
        "Kulturklubben {town}", "Foredrag og kaffe", "Fællessang i {town}",
        "Læsekreds på biblioteket", "Biografklub for {audience}", "Kor for alle – {town}",
        "Museumsklubben", "Udflugter for {audience}", "Syng sammen om {weekday}en",
        "Teaterklubben {town}", "Musikcafé", "Kulturvenner – vi går i teatret sammen",
        "Filmklubben om {weekday}en",
    ),
    "raadgivning": (
        "Rådgivning for {audience}", "Åben rådgivning i {town}",
        "Gratis rådgivning om økonomi", "Snak med en frivillig rådgiver",
        "Rådgivning for pårørende", "Jobcafé – hjælp til jobsøgning", "Rådgivning om ensomhed",
        "Anonym rådgivning i {town}", "Digital hjælp – få hjælp til computer og telefon",
        "Gældsrådgivning {town}", "Sparring og rådgivning – {weekday}",
        "Rådgivning og netværk for {audience}",
    ),
    "frivilligt-arbejde": (
        "Bliv frivillig i {town}", "Frivillig i caféen", "Bliv besøgsven",
        "Frivilligt arbejde for {audience}", "Frivilligcafé {town}", "Vær med i Frivillighuset",
        "Bliv frivillig – gør en forskel og få et fællesskab",
        "Frivillige søges til fællesspisning", "Frivillig chauffør til ledsagerordningen",
        "Genbrugsbutikken søger frivillige", "Frivilligholdet om {weekday}en",
        "Havelauget – frivillige i fælleshaven",
    ),
}

AUDIENCE_PHRASES: dict[str, tuple[str, ...]] = {
    "unge": ("unge mellem 16 og 29", "unge voksne", "studerende og unge", "unge"),
    "aeldre": ("ældre", "seniorer", "pensionister", "ældre borgere"),
    "over-85": ("de ældste", "borgere over 85", "ældre over 85"),
    "handicap": ("mennesker med handicap", "voksne med handicap", "dig med et handicap"),
    "psykisk-saarbare": (
        "psykisk sårbare", "mennesker med psykisk sårbarhed", "dig med angst eller depression",
    ),
    "fysisk-syge": ("mennesker med kronisk sygdom", "dig med en alvorlig sygdom", "kræftramte"),
    "paaroerende": ("pårørende", "pårørende til syge", "pårørende til demensramte"),
    "efterladte": ("efterladte", "dig, der har mistet", "enker og enkemænd"),
    "arbejdsloese": ("ledige", "arbejdsløse", "dig uden job"),
    "nyindflyttede": ("nye i byen", "tilflyttere", "nyindflyttede"),
    "nydanskere": ("nydanskere", "nye danskere", "kvinder med anden etnisk baggrund"),
    "groenlaendere": ("grønlændere", "grønlændere i Danmark", "grønlandske borgere"),
    "hjemloese": ("hjemløse", "mennesker uden fast bolig", "socialt udsatte"),
    "alle": ("alle", "alle aldre", "alle, der har lyst"),
}

DESCRIPTION_OPENINGS: dict[str, tuple[str, ...]] = {
    "faellesspisning": (
        "Vi mødes hver {weekday} og laver mad sammen. Bagefter spiser vi ved et langt bord og "
        "snakker.",
        "Til fællesspisning i {town} får du et varmt måltid og godt selskab. Maden er hjemmelavet.",
        "I madklubben laver vi mad sammen i et stort køkken. Alle får en opgave, hvis de har lyst "
        "– ellers kan man bare spise med.",
        "Det er hyggeligere at spise sammen end alene. Derfor dækker vi op til fællesspisning om "
        "{weekday}en.",
        "Vi skiftes til at lave mad efter årstiden. Der er altid grøntsager og en lille dessert.",
        "Her kan {audience} spise sammen i rolige rammer. Efter maden drikker vi kaffe, og nogle "
        "bliver og spiller kort.",
    ),
    "motion-gaature": (
        "Vi går en tur på cirka en time i roligt tempo. Undervejs snakker vi, og ingen bliver "
        "efterladt.",
        "Vi mødes hver {weekday} og går en tur i og omkring {town}. Bagefter drikker vi kaffe.",
        "Holdet laver stolegymnastik til musik. Alle øvelser kan laves siddende.",
        "Vi spiller petanque i parken, når vejret tillader det. Om vinteren er vi indendørs.",
        "Vi går på to ruter: en kort på 3 km og en længere på 6 km. Du vælger selv.",
        "Motion er sjovere sammen med andre. Vi bevæger os i et tempo, hvor alle kan være med.",
        "Vi løber sammen i små grupper. Vi går og løber på skift, så alle kan følge med.",
    ),
    "kreative": (
        "Vi strikker, hækler og syr, mens vi snakker. Tag dit eget projekt med, eller få hjælp "
        "til at komme i gang.",
        "I mandeværkstedet reparerer vi ting og bygger af træ. Der er værktøj nok til alle.",
        "Strikkeklubben mødes om {weekday}en i {town}. Vi deler opskrifter, garn og gode "
        "historier.",
        "Vi maler med akvarel og akryl. En frivillig viser dig gerne, hvordan man gør.",
        "Her kan du være kreativ i hyggeligt selskab. Vi har materialer, så du skal ikke købe "
        "noget først.",
        "Vi laver keramik, kort og små gaver. Det vigtigste er fællesskabet, ikke at det bliver "
        "pænt.",
    ),
    "samtalegrupper": (
        "Vi er en lille gruppe, som taler om det, der fylder i livet. En frivillig leder "
        "samtalen.",
        "I samtalegruppen deler vi erfaringer og lytter til hinanden. Det, der bliver sagt, "
        "bliver i gruppen.",
        "Gruppen er for dig, der gerne vil tale med andre i samme situation. Vi er højst otte.",
        "Vi mødes hver anden {weekday} i en rolig stue med kaffe og te. Du bestemmer selv, hvor "
        "meget du siger.",
        "Mange føler sig alene med deres tanker. I gruppen opdager man, at andre har det på samme "
        "måde.",
        "Det er en selvhjælpsgruppe. Vi støtter hinanden, og en uddannet frivillig er med.",
    ),
    "sorggrupper": (
        "I sorggruppen mødes vi med andre, der har mistet. Vi taler om sorgen og om hverdagen "
        "bagefter.",
        "Gruppen mødes otte gange over et halvt år. En præst og en erfaren frivillig leder "
        "samtalerne.",
        "Sorg kan gøre én meget ensom. Her kan du dele dine tanker med mennesker, der forstår.",
        "Vi mødes i Sognegården i {town}. Der er tid til at tale, men også til at sidde stille.",
        "Sorggruppen er et trygt sted, hvor der er plads til både tårer og latter.",
        "Vi går en stille tur sammen og taler om dem, vi har mistet. Bagefter drikker vi kaffe.",
    ),
    "besoegsven": (
        "En besøgsven kommer hjem til dig cirka en gang om ugen. I kan drikke kaffe, gå en tur "
        "eller spille kort.",
        "Vi finder en frivillig besøgsven, som passer til dig. I aftaler selv, hvornår I ses.",
        "En besøgsven er ikke en hjemmehjælper, men en ven. Det handler om godt selskab.",
        "Mange af vores besøgsvenner har selv prøvet at være alene. De glæder sig til at møde dig.",
        "Vi har besøgsvenner i hele {town} og omegn. Nogle af dem har hund med på besøg.",
        "Med en besøgsven får du en fast aftale at se frem til. Mange venskaber varer i mange år.",
    ),
    "telefon-netven": (
        "En telefonven ringer til dig på et fast tidspunkt hver uge. I snakker om løst og fast.",
        "Har du svært ved at komme ud, kan en telefonven være godt selskab. Du skal bare have en "
        "telefon.",
        "Netvenner mødes på video i små grupper. Vi hjælper dig gerne i gang med teknikken.",
        "Vi ringer til hinanden om morgenen for at sige godmorgen og høre, hvordan det går.",
        "Vi finder en frivillig, som har tid og lyst til at snakke. I ringer sammen, når det "
        "passer jer.",
        "Du kan tale med en netven på chat eller video. Det foregår hjemme fra din egen stue.",
    ),
    "ledsager": (
        "En frivillig følger dig til lægen, på hospitalet eller til en aktivitet. Du skal ikke "
        "afsted alene.",
        "Det kan være svært at gå ind ad døren til et nyt fællesskab. En følgeven går med de "
        "første gange.",
        "Vores frivillige ledsagere tager med i teatret, i biografen eller til koncert.",
        "Ledsageren henter dig derhjemme og følger dig hjem igen bagefter.",
        "Ledsagerordningen hjælper dig med at komme ud, selvom du har svært ved at gå eller se.",
        "En følgeven kan hjælpe med indkøb, ærinder eller en tur til frisøren.",
    ),
    "social-cafe": (
        "Caféen er åben for alle, der har lyst til en kop kaffe og en snak. Der er aviser, spil "
        "og hjemmebag.",
        "Vi holder åben café hver {weekday} i {town}. Du kan komme og gå, som det passer dig.",
        "Værestedet er et trygt sted at være. Her kan du spise, hvile dig og tale med andre.",
        "I caféen spiller vi kort, banko og brætspil. Nogle kommer hver gang, andre en gang "
        "imellem.",
        "Morgencaféen byder på rundstykker og kaffe. Det er en god måde at starte dagen på.",
        "Caféen bliver drevet af frivillige. Der er altid en vært, som tager imod nye gæster.",
    ),
    "kultur": (
        "Vi tager sammen i teatret, på museum og til koncerter. Vi hjælper hinanden med billetter "
        "og transport.",
        "I læsekredsen læser vi en bog om måneden og mødes for at tale om den.",
        "Vi synger fra Højskolesangbogen, og en pianist spiller til. Du behøver ikke synge godt.",
        "Hver måned holder vi et foredrag om et spændende emne. Bagefter er der kaffe og kage.",
        "Filmklubben viser en god film, og bagefter snakker vi om den over en kop kaffe.",
        "Vi tager på udflugter i bus. Turene er planlagt, så alle kan være med.",
    ),
    "raadgivning": (
        "Her kan du få gratis og fortrolig rådgivning af frivillige. Vi hjælper dig med at finde "
        "vej i systemet.",
        "Vi hjælper med breve fra kommunen, økonomi og bolig. Du kan være anonym, hvis du vil.",
        "Har du brug for hjælp til computer, telefon eller MitID? Vores frivillige har god tid.",
        "Frivillige rådgivere lytter og hjælper dig med at finde det næste skridt.",
        "Vi giver råd om job, uddannelse og økonomi. Mange finder også nye kontakter her.",
        "Rådgivningen er åben hver {weekday} i {town}. Du behøver ikke at bestille tid.",
    ),
    "frivilligt-arbejde": (
        "Som frivillig gør du en forskel for andre – og du bliver selv en del af et fællesskab.",
        "Vi søger frivillige til caféen, køkkenet og besøgstjenesten. Du vælger selv, hvor meget "
        "tid du giver.",
        "At være frivillig er en god måde at møde nye mennesker på. Mange bliver gode venner.",
        "Vi har brug for hjælp i genbrugsbutikken og i fælleshaven. Du får en god introduktion.",
        "Frivilligholdet mødes hver {weekday}. Vi fordeler opgaverne og hjælper hinanden.",
        "Du behøver ingen særlige evner for at blive frivillig. Det vigtigste er, at du har lyst.",
    ),
}

DESCRIPTION_MIDDLES: dict[str, tuple[str, ...]] = {
    "unge": (
        "Vi er unge mellem 16 og 29, og mange af os er nye i byen eller på et nyt studie.",
        "Det er helt okay at være lidt nervøs første gang – det var vi alle sammen.",
        "Her skal du ikke præstere noget. Du kan bare være dig selv.",
        "Mange unge føler sig ensomme, selvom det ikke ser sådan ud udefra.",
    ),
    "aeldre": (
        "Mange af deltagerne er pensionister, som gerne vil have flere at snakke med.",
        "Du skal ikke kunne noget på forhånd.",
        "Vi tager hensyn til hinanden, og der er tid til pauser.",
        "Det er aldrig for sent at få nye venner.",
    ),
    "over-85": (
        "Vi tager os god tid, og der er altid hjælp at få, hvis du har brug for det.",
        "Flere af deltagerne er over 85 år og bruger rollator eller kørestol.",
        "Vi kan hjælpe med kørsel, hvis du har svært ved at komme afsted.",
        "Vi tilpasser aktiviteten, så alle kan være med, uanset form.",
    ),
    "handicap": (
        "Lokalerne er tilgængelige, og der er handicaptoilet.",
        "Vi tilpasser aktiviteterne, så alle kan være med på deres egen måde.",
        "Du er velkommen til at tage din hjælper eller ledsager med.",
        "Her er det dig og ikke dit handicap, der er i centrum.",
    ),
    "psykisk-saarbare": (
        "Her er der ro og plads til dig, også på de dårlige dage.",
        "Du bestemmer selv, hvor meget du vil deltage. Det er helt i orden bare at lytte.",
        "Mange af os kender til angst, depression eller stress.",
        "Du kan altid tage en pause eller gå tidligere hjem.",
    ),
    "fysisk-syge": (
        "Mange af deltagerne lever med en kronisk sygdom og kender til dårlige dage.",
        "Vi tager hensyn til hinandens kræfter, og der er stole nok til alle.",
        "Her taler vi om andet end sygdom – men det er også i orden at tale om den.",
        "Du kan være med, selvom du er i behandling eller ved at komme dig.",
    ),
    "paaroerende": (
        "Når man passer en syg ægtefælle eller et sygt barn, glemmer man tit sig selv.",
        "Her møder du andre pårørende, som kender til en hverdag med bekymringer.",
        "Det er vigtigt, at du også har tid til dig selv.",
        "Spørg os, hvis du har brug for hjælp til at komme hjemmefra.",
    ),
    "efterladte": (
        "Mange af os har mistet en ægtefælle og savner nogen at tale med.",
        "Det er lige meget, om dit tab er nyt eller mange år gammelt.",
        "Sorg er forskellig for alle, og her er der plads til din.",
        "Det kan være svært at komme ud efter et tab. Vi tager imod dig i dit eget tempo.",
    ),
    "arbejdsloese": (
        "Når man mister sit arbejde, mister man også sine kolleger. Her kan du få et nyt netværk.",
        "Mange af deltagerne er ledige eller på vej tilbage til arbejdsmarkedet.",
        "Her er du ikke en sag, men et menneske.",
        "Det giver struktur på ugen at have et fast sted at gå hen.",
    ),
    "nyindflyttede": (
        "Er du lige flyttet til {town}? Så er det her et godt sted at møde nye mennesker.",
        "Mange af os er selv flyttet hertil og kender ikke så mange endnu.",
        "Vi fortæller gerne om byen og om andre foreninger, du kan være med i.",
        "Det tager tid at falde til et nyt sted – det behøver du ikke gøre alene.",
    ),
    "nydanskere": (
        "Vi taler dansk i et roligt tempo, og det er helt i orden at sige noget forkert.",
        "Du kan øve dit dansk og lære nye mennesker at kende.",
        "Deltagerne kommer fra mange forskellige lande.",
        "Det gør ikke noget, hvis dit dansk ikke er perfekt.",
    ),
    "groenlaendere": (
        "Mange af deltagerne er grønlændere, som bor i Danmark.",
        "Her kan du tale grønlandsk eller dansk, som du har lyst.",
        "Vi fejrer både danske og grønlandske højtider sammen.",
        "Det kan være ensomt at være langt hjemmefra. Her møder du nogen, der forstår det.",
    ),
    "hjemloese": (
        "Her spørger vi ikke om, hvor du bor. Du er velkommen, som du er.",
        "Der er mulighed for et bad, rent tøj og et varmt måltid.",
        "Du kan være anonym, og der er ingen krav til dig.",
        "Vores frivillige har tid til at lytte og kan hjælpe dig videre, hvis du vil.",
    ),
    "alle": (
        "Du skal ikke kunne noget på forhånd.",
        "Alle er velkomne, uanset alder og baggrund.",
        "Deltagerne er både unge og ældre, og det giver gode snakke.",
        "Det er et åbent fællesskab, hvor der altid er plads til en mere.",
    ),
}

DESCRIPTION_CLOSINGS: tuple[str, ...] = (
    "Kom som du er – der er altid kaffe på kanden.",
    "Du er velkommen til at tage en ven med første gang.",
    "Nye er altid velkomne, og der er en vært, som tager imod dig.",
    "Du behøver ikke at tilmelde dig – mød bare op.",
    "Vi glæder os til at se dig.",
    "Første gang er du vores gæst, og kaffen er gratis.",
    "Har du spørgsmål, er du velkommen til at ringe til os.",
    "Du forpligter dig ikke til noget, fordi du kommer én gang.",
    "Vi tager godt imod nye og viser dig rundt.",
    "Der er ingen krav – du deltager, så meget du har lyst til.",
    "Kig forbi og se, om det er noget for dig.",
    "Er du i tvivl, så ring og snak med os først.",
    "Du kan sagtens komme, selvom du ikke kender nogen.",
    "Der er altid en, der siger goddag, når du kommer.",
    "Tag gerne en nabo eller en ven med.",
    "Vi serverer kaffe og te, og tit er der hjemmebagt kage.",
    "Det er helt i orden bare at komme og kigge første gang.",
)

HOW_TO_JOIN: tuple[str, ...] = (
    "Mød bare op. Der er ingen tilmelding.",
    "Ring til kontaktpersonen, så aftaler vi et første møde.",
    "Skriv en mail, så ringer vi dig op.",
    "Tilmeld dig ved at ringe eller skrive til os senest dagen før.",
    "Ring til os, så finder vi en frivillig, der passer til dig.",
    "Du kan også blive henvist af din læge eller af kommunen.",
    "Send en sms med dit navn, så ringer vi tilbage.",
    "Kom forbi i vores åbningstid, så fortæller vi mere.",
    "Tryk på »Kontakt mig«, så ringer vi til dig inden for en uge.",
    "Ring og aftal en kort samtale, inden du starter i gruppen.",
    "Kom ti minutter før, så tager værten imod dig ved døren.",
    "Tilmelding er nødvendig, fordi der er et begrænset antal pladser.",
    "Skriv til os, hvis du gerne vil have en følgeven med første gang.",
)

PRICE_TEXTS: tuple[str, ...] = (
    "Gratis",
    "Gratis – kaffe 5 kr.",
    "25 kr. for maden",
    "40 kr. for aftensmad og kaffe",
    "Kontingent 150 kr. om året",
    "Kontingent 100 kr. om året",
    "50 kr. pr. gang inkl. kaffe og kage",
    "20 kr. for kaffe og brød",
    "Egenbetaling til materialer, cirka 30 kr. pr. gang",
    "Gratis. Du betaler selv for billetter på udflugter.",
    "10 kr. for kaffe – resten er gratis",
)

ORGANIZATION_PATTERNS: tuple[str, ...] = (
    "Ældre Sagen {town}", "Røde Kors {town}", "Frivilligcenter {town}",
    "Dansk Folkehjælp {town}", "Menighedsrådet i {town}", "Foreningen Spis Sammen {town}",
    "{town} Seniorklub", "Netværkshuset {town}", "Pensionistforeningen for {town} og omegn",
    "KFUM's Sociale Arbejde {town}", "Idrætsforeningen {town} – motion for alle",
    "Kirkens Korshær {town}", "Mandenes Hus {town}", "Besøgstjenesten {town}",
    "Foreningen Gode Naboer {town}", "{town} Borgerforening", "Frivilligforeningen {town}",
    "{town} Strikkeforening", "Café-foreningen {town}", "{town} Gymnastikforening",
    "Ungdomsnetværket {town}", "Venneforeningen for {town} Plejecenter",
    "Landsbyforeningen {town}", "Kulturforeningen {town}", "Lokalhistorisk Forening for {town}",
    "{town} Boldklub – seniorafdelingen", "Sognets Frivillige i {town}",
    "Netværket for Nye Naboer {town}", "Sorgnetværket {town}", "{town} Lokalråd",
)

# Fictitious nationwide, phone and online organisations. Deliberately NOT the names of real
# helplines or national associations.
NATIONAL_ORGANIZATIONS: tuple[tuple[str, str], ...] = (
    ("Snakketråden", "Frivillige telefonvenner, der ringer til ældre i hele landet."),
    ("Skærmvennerne", "Små onlinefællesskaber på video for alle, der savner selskab."),
    ("Aftenlinjen Fællesskab", "Åben telefon om aftenen for alle, der trænger til en snak."),
    ("Ungdomslinjen Fællesskab Online", "Chat og onlinegrupper for unge mellem 16 og 29."),
    ("Sorgsnak Online", "Sorggrupper på video for efterladte i hele landet."),
    ("Pårørendecirklen", "Netværksgrupper for pårørende på telefon og video."),
    ("Landsnetværket Fællesbordet", "Fællesspisning og madklubber i hele landet."),
    ("Landsforeningen Gåvennerne", "Gå-fællesskaber og gåvenner i byer og på landet."),
    ("Strikkenettet", "Online strikkecaféer, hvor man strikker og snakker sammen."),
    ("Samme Båd", "Onlinefællesskaber for unge, der føler sig alene."),
    ("Godmorgenringen", "Et kort og venligt opkald hver morgen fra en frivillig."),
    ("Nye Naboer Danmark", "Netværk for nydanskere og tilflyttere i hele landet."),
    ("Følgevennerne Danmark", "Frivillige følgevenner til læge, hospital og fritidsliv."),
)

NATIONAL_OFFER_TITLES: dict[str, tuple[str, ...]] = {
    "online": (
        "Online strikkecafé", "Netværksgruppe for pårørende på video",
        "Online samtalegruppe for unge", "Sorggruppe på video for efterladte",
        "Netcafé – vi ses på skærmen", "Online læsekreds", "Chatfællesskab for unge om aftenen",
        "Fællessang online",
    ),
    "telefon": (
        "Telefonven – en fast snak hver uge", "Godmorgen-opkaldet",
        "Aftentelefonen – ring og snak", "Telefongruppe for pårørende",
        "Telefonven for dig over 85", "Sorgsamtaler i telefonen",
        "Ring og snak – åben telefon for alle",
    ),
    "landsdaekkende": (
        "Besøgsven i hele landet", "Find en madklub nær dig", "Følgeven i hele Danmark",
        "Landsdækkende netværk for efterladte", "Brevven – skriv med en ny ven",
        "Gåvenner i hele landet", "Frivilligjob i hele landet",
    ),
}

STREET_NAMES: tuple[str, ...] = (
    "Skolevej", "Kirkevej", "Stationsvej", "Møllevej", "Vestergade", "Østergade", "Algade",
    "Nørregade", "Søndergade", "Bygaden", "Engvej", "Skovvej", "Birkevej", "Bøgevej", "Egevej",
    "Ahornvej", "Lindevej", "Granvej", "Hasselvej", "Kastanievej", "Rosenvej", "Violvej",
    "Syrenvej", "Tjørnevej", "Poppelvej", "Elmevej", "Pilevej", "Parkvej", "Nygade",
    "Storegade", "Torvet", "Havnegade", "Strandvejen", "Markvej", "Mosevej", "Industrivej",
    "Fabriksvej", "Søvej", "Bakkevej", "Højvej", "Bækvej", "Damvej", "Præstevej", "Kirkegade",
    "Skolegade", "Jernbanegade", "Møllegade", "Østervej", "Vestervej", "Nørrevej", "Søndervej",
    "Enghavevej", "Grønnegade", "Klostergade", "Adelgade", "Bredgade", "Lærkevej", "Kærvej",
    "Hybenvej", "Fasanvej", "Vibevej", "Ringvejen", "Hovedgaden", "Toftevej", "Teglværksvej",
    "Mejerivej", "Smedevej", "Idrætsvej", "Ved Kirken", "Ved Gadekæret", "Fuglebakken",
    "Skovbrynet",
)

VENUE_NAMES: tuple[str, ...] = (
    "Medborgerhuset", "Aktivitetscentret", "{town} Bibliotek", "Sognegården", "Kulturhuset",
    "Frivillighuset", "Forsamlingshuset", "Idrætshallen", "Ungdomshuset", "Plejecentrets café",
    "Sognehuset", "{town} Medborgerhus", "Borgerhuset", "Lokalcentret", "Seniorhuset",
    "Foreningshuset", "{town} Kulturcenter", "Biblioteket", "Svømmehallen", "Spejderhytten",
    "Klubhuset", "{town} Forsamlingshus", "Menighedshuset", "Missionshuset", "Den Gamle Skole",
    "Beboerhuset", "{town} Hallen", "Det Gamle Posthus", "Værestedet",
)

FIRST_NAMES: tuple[str, ...] = (
    "Anne", "Kirsten", "Hanne", "Mette", "Karen", "Lone", "Susanne", "Inge", "Bente", "Birgit",
    "Lene", "Marianne", "Pia", "Tove", "Grethe", "Ida", "Emma", "Freja", "Sofie", "Camilla",
    "Louise", "Julie", "Laura", "Maja", "Naja", "Fatima", "Peter", "Jens", "Lars", "Michael",
    "Henrik", "Søren", "Niels", "Hans", "Jørgen", "Poul", "Erik", "Ole", "Bent", "Thomas",
    "Jesper", "Morten", "Rasmus", "Mads", "Mikkel", "Frederik", "Oliver", "Jonas", "Anders",
    "Malik", "Ali",
)

LAST_NAMES: tuple[str, ...] = (
    "Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
    "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen",
    "Christiansen", "Poulsen", "Johansen", "Møller", "Mortensen", "Knudsen", "Jakobsen",
    "Mikkelsen", "Olesen", "Frederiksen", "Laursen", "Henriksen", "Lund", "Schmidt", "Eriksen",
    "Holm", "Kristiansen", "Clausen", "Simonsen", "Svendsen", "Andreasen", "Iversen",
    "Østergaard", "Jeppesen", "Vestergaard", "Nissen", "Lauridsen", "Kjær", "Dahl", "Bach",
)
# fmt: on

_HOUSE_LETTERS = "ABCD"


def _check_code(code: str, known: tuple[str, ...], kind: str) -> None:
    """Raise ValueError when ``code`` is not one of the known codes."""
    if code not in known:
        raise ValueError(f"unknown {kind} code: {code!r}")


def _fill(template: str, town: str = "", weekday: str = "", audience: str = "") -> str:
    """Format a template safely; only {town}, {weekday} and {audience} are provided."""
    return template.format_map({"town": town, "weekday": weekday, "audience": audience})


def _capitalise(text: str) -> str:
    """Upper-case the first character only, keeping the rest as written."""
    return text[:1].upper() + text[1:]


def _shorten(text: str, limit: int) -> str:
    """Cut text to at most ``limit`` characters at a word boundary."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if " " in cut and not text[limit].isspace():
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" –-,:;")


def make_title(rng: random.Random, activity: str, town: str, weekday: str, target: str) -> str:
    """Return a capitalised Danish offer title of at most 120 characters."""
    _check_code(activity, ACTIVITY_CODES, "activity")
    _check_code(target, TARGET_CODES, "target")
    template = rng.choice(TITLE_TEMPLATES[activity])
    audience = rng.choice(AUDIENCE_PHRASES[target])
    title = _fill(template, town=town, weekday=weekday.lower(), audience=audience)
    return _shorten(_capitalise(" ".join(title.split())), MAX_TITLE_LENGTH)


# Words that tie a title to an opening, so "Strikkeklubben" is described as
# knitting and "Malerholdet" as painting.
_TOPIC_WORDS = (
    "strik", "hækl", "syning", "mal", "akvarel", "træ", "mandeværk", "keramik", "gå", "vandre",
    "stavgang", "petanque", "gymnastik", "løb", "dans", "cykel", "svøm", "madklub", "fællesspis",
    "suppe", "frokost", "café", "kor", "sang", "musik", "film", "kort", "skak", "telefon",
    "video", "chat", "online", "sorg", "besøg", "ledsag", "chauffør", "kaffe",
)  # fmt: skip


def _topics(text: str) -> set[str]:
    lowered = text.lower()
    return {word for word in _TOPIC_WORDS if word in lowered}


def _matching_openings(openings: tuple[str, ...], title: str) -> tuple[str, ...]:
    wanted = _topics(title)
    if not wanted:
        return openings
    scored = [(len(_topics(opening) & wanted), opening) for opening in openings]
    best = max(score for score, _opening in scored)
    if best:
        return tuple(opening for score, opening in scored if score == best)
    # No opening shares a topic: prefer general ones over ones about another topic.
    general = tuple(opening for opening in openings if not _topics(opening))
    return general or openings


def make_description(
    rng: random.Random, activity: str, target: str, town: str, weekday: str, title: str = ""
) -> str:
    """Return a description: an activity opening, a target-group middle and a closing.

    With a ``title``, the opening is one about the same thing as the title.
    """
    _check_code(activity, ACTIVITY_CODES, "activity")
    _check_code(target, TARGET_CODES, "target")
    opening = rng.choice(_matching_openings(DESCRIPTION_OPENINGS[activity], title))
    middle = rng.choice(DESCRIPTION_MIDDLES[target])
    closing = rng.choice(DESCRIPTION_CLOSINGS)
    audience = rng.choice(AUDIENCE_PHRASES[target])
    text = " ".join((opening, middle, closing))
    return _capitalise(_fill(text, town=town, weekday=weekday.lower(), audience=audience))


def make_org_name(rng: random.Random, town: str) -> str:
    """Return a local association name for ``town``."""
    return _capitalise(_fill(rng.choice(ORGANIZATION_PATTERNS), town=town))


def make_person(rng: random.Random) -> str:
    """Return a fictitious contact person's name as "First Last"."""
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def make_street_address(rng: random.Random) -> str:
    """Return a street and house number such as "Skolevej 12" or "Møllevej 7B"."""
    street = rng.choice(STREET_NAMES)
    number = rng.randint(1, 120)
    letter = rng.choice(_HOUSE_LETTERS) if rng.random() < 0.12 else ""
    return f"{street} {number}{letter}"


def make_venue(rng: random.Random, town: str) -> str:
    """Return a typical meeting place, sometimes named after ``town``."""
    return _capitalise(_fill(rng.choice(VENUE_NAMES), town=town))
