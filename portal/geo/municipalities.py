"""The 98 Danish municipalities (kommuner) and 5 regions, with approximate 2024 populations.

Populations are used to weight generated demo data and to compute coverage statistics.
"""

from typing import NamedTuple


class RegionInfo(NamedTuple):
    code: str  # DAGI region code, e.g. "1084"
    name: str  # "Region Hovedstaden"
    name_en: str  # "Capital Region of Denmark"
    geonames_admin1: str  # GeoNames admin1 code, e.g. "17" for Hovedstaden


class MunicipalityInfo(NamedTuple):
    code: str  # official 3-digit kommunekode, e.g. "101"
    name: str  # short DAGI-style name, e.g. "København", "Nordfyns"
    region_code: str  # "1081".."1085"
    population: int  # approximate population 2024, rounded to nearest 100
    seat: str  # main town / administrative seat (Danish spelling)
    seat_postcode: str  # 4-digit postcode of the seat
    seat_lat: float  # WGS84 latitude of the seat town centre
    seat_lon: float  # WGS84 longitude of the seat town centre


REGIONS: tuple[RegionInfo, ...] = (
    RegionInfo("1081", "Region Nordjylland", "North Denmark Region", "19"),
    RegionInfo("1082", "Region Midtjylland", "Central Denmark Region", "18"),
    RegionInfo("1083", "Region Syddanmark", "Region of Southern Denmark", "21"),
    RegionInfo("1084", "Region Hovedstaden", "Capital Region of Denmark", "17"),
    RegionInfo("1085", "Region Sjælland", "Region Zealand", "20"),
)

_M = MunicipalityInfo

MUNICIPALITIES: tuple[MunicipalityInfo, ...] = (
    _M("101", "København", "1084", 660_800, "København", "1550", 55.6761, 12.5683),
    _M("147", "Frederiksberg", "1084", 104_500, "Frederiksberg", "2000", 55.6786, 12.5310),
    _M("151", "Ballerup", "1084", 52_000, "Ballerup", "2750", 55.7317, 12.3633),
    _M("153", "Brøndby", "1084", 35_800, "Brøndby", "2605", 55.6494, 12.4186),
    _M("155", "Dragør", "1084", 14_700, "Dragør", "2791", 55.5939, 12.6723),
    _M("157", "Gentofte", "1084", 75_000, "Gentofte", "2820", 55.7500, 12.5500),
    _M("159", "Gladsaxe", "1084", 70_000, "Søborg", "2860", 55.7325, 12.5036),
    _M("161", "Glostrup", "1084", 23_900, "Glostrup", "2600", 55.6667, 12.4000),
    _M("163", "Herlev", "1084", 30_500, "Herlev", "2730", 55.7236, 12.4397),
    _M("165", "Albertslund", "1084", 28_000, "Albertslund", "2620", 55.6569, 12.3636),
    _M("167", "Hvidovre", "1084", 54_100, "Hvidovre", "2650", 55.6572, 12.4736),
    _M("169", "Høje-Taastrup", "1084", 56_000, "Taastrup", "2630", 55.6517, 12.2994),
    _M("173", "Lyngby-Taarbæk", "1084", 57_000, "Kongens Lyngby", "2800", 55.7704, 12.5038),
    _M("175", "Rødovre", "1084", 41_500, "Rødovre", "2610", 55.6806, 12.4537),
    _M("183", "Ishøj", "1084", 23_600, "Ishøj", "2635", 55.6150, 12.3519),
    _M("185", "Tårnby", "1084", 43_800, "Kastrup", "2770", 55.6300, 12.6100),
    _M("187", "Vallensbæk", "1084", 17_300, "Vallensbæk Strand", "2665", 55.6190, 12.3830),
    _M("190", "Furesø", "1084", 41_800, "Farum", "3520", 55.8083, 12.3625),
    _M("201", "Allerød", "1084", 26_500, "Allerød", "3450", 55.8700, 12.3580),
    _M("210", "Fredensborg", "1084", 41_300, "Fredensborg", "3480", 55.9758, 12.4050),
    _M("217", "Helsingør", "1084", 64_000, "Helsingør", "3000", 56.0361, 12.6136),
    _M("219", "Hillerød", "1084", 54_000, "Hillerød", "3400", 55.9267, 12.3109),
    _M("223", "Hørsholm", "1084", 25_000, "Hørsholm", "2970", 55.8808, 12.5017),
    _M("230", "Rudersdal", "1084", 57_000, "Holte", "2840", 55.8100, 12.4700),
    _M("240", "Egedal", "1084", 44_500, "Ølstykke", "3650", 55.7958, 12.1592),
    _M("250", "Frederikssund", "1084", 46_000, "Frederikssund", "3600", 55.8396, 12.0690),
    _M("253", "Greve", "1085", 50_500, "Greve", "2670", 55.5833, 12.3000),
    _M("259", "Køge", "1085", 62_500, "Køge", "4600", 55.4580, 12.1821),
    _M("260", "Halsnæs", "1084", 31_500, "Frederiksværk", "3300", 55.9708, 12.0225),
    _M("265", "Roskilde", "1085", 91_000, "Roskilde", "4000", 55.6415, 12.0803),
    _M("269", "Solrød", "1085", 23_700, "Solrød Strand", "2680", 55.5333, 12.2167),
    _M("270", "Gribskov", "1084", 41_600, "Helsinge", "3200", 56.0228, 12.1972),
    _M("306", "Odsherred", "1085", 32_800, "Nykøbing Sjælland", "4500", 55.9248, 11.6710),
    _M("316", "Holbæk", "1085", 72_500, "Holbæk", "4300", 55.7167, 11.7167),
    _M("320", "Faxe", "1085", 38_000, "Faxe", "4640", 55.2556, 12.1186),
    _M("326", "Kalundborg", "1085", 48_000, "Kalundborg", "4400", 55.6794, 11.0886),
    _M("329", "Ringsted", "1085", 35_800, "Ringsted", "4100", 55.4426, 11.7901),
    _M("330", "Slagelse", "1085", 80_000, "Slagelse", "4200", 55.4028, 11.3546),
    _M("336", "Stevns", "1085", 23_800, "Store Heddinge", "4660", 55.3122, 12.3878),
    _M("340", "Sorø", "1085", 30_500, "Sorø", "4180", 55.4318, 11.5550),
    _M("350", "Lejre", "1085", 29_000, "Lejre", "4320", 55.6044, 11.9750),
    _M("360", "Lolland", "1085", 39_900, "Maribo", "4930", 54.7761, 11.5006),
    _M("370", "Næstved", "1085", 84_000, "Næstved", "4700", 55.2299, 11.7609),
    _M("376", "Guldborgsund", "1085", 60_000, "Nykøbing Falster", "4800", 54.7691, 11.8743),
    _M("390", "Vordingborg", "1085", 45_400, "Vordingborg", "4760", 55.0088, 11.9105),
    _M("400", "Bornholm", "1084", 39_400, "Rønne", "3700", 55.1009, 14.7062),
    _M("410", "Middelfart", "1083", 40_000, "Middelfart", "5500", 55.5059, 9.7306),
    _M("420", "Assens", "1083", 40_800, "Assens", "5610", 55.2700, 9.9000),
    _M("430", "Faaborg-Midtfyn", "1083", 51_500, "Ringe", "5750", 55.2389, 10.4789),
    _M("440", "Kerteminde", "1083", 24_000, "Kerteminde", "5300", 55.4500, 10.6667),
    _M("450", "Nyborg", "1083", 32_500, "Nyborg", "5800", 55.3127, 10.7896),
    _M("461", "Odense", "1083", 208_000, "Odense", "5000", 55.3959, 10.3883),
    _M("479", "Svendborg", "1083", 59_000, "Svendborg", "5700", 55.0598, 10.6068),
    _M("480", "Nordfyns", "1083", 29_500, "Bogense", "5400", 55.5669, 10.0888),
    _M("482", "Langeland", "1083", 12_000, "Rudkøbing", "5900", 54.9364, 10.7100),
    _M("492", "Ærø", "1083", 6_000, "Ærøskøbing", "5970", 54.8880, 10.4110),
    _M("510", "Haderslev", "1083", 55_300, "Haderslev", "6100", 55.2494, 9.4876),
    _M("530", "Billund", "1083", 27_000, "Grindsted", "7200", 55.7575, 8.9256),
    _M("540", "Sønderborg", "1083", 73_600, "Sønderborg", "6400", 54.9138, 9.7922),
    _M("550", "Tønder", "1083", 36_500, "Tønder", "6270", 54.9331, 8.8667),
    _M("561", "Esbjerg", "1083", 116_000, "Esbjerg", "6700", 55.4703, 8.4519),
    _M("563", "Fanø", "1083", 3_400, "Nordby", "6720", 55.4450, 8.3964),
    _M("573", "Varde", "1083", 50_100, "Varde", "6800", 55.6211, 8.4806),
    _M("575", "Vejen", "1083", 43_000, "Vejen", "6600", 55.4812, 9.1374),
    _M("580", "Aabenraa", "1083", 58_600, "Aabenraa", "6200", 55.0443, 9.4174),
    _M("607", "Fredericia", "1083", 52_000, "Fredericia", "7000", 55.5657, 9.7526),
    _M("615", "Horsens", "1082", 98_000, "Horsens", "8700", 55.8607, 9.8503),
    _M("621", "Kolding", "1083", 95_600, "Kolding", "6000", 55.4904, 9.4722),
    _M("630", "Vejle", "1083", 122_000, "Vejle", "7100", 55.7093, 9.5357),
    _M("657", "Herning", "1082", 90_600, "Herning", "7400", 56.1393, 8.9738),
    _M("661", "Holstebro", "1082", 59_000, "Holstebro", "7500", 56.3601, 8.6161),
    _M("665", "Lemvig", "1082", 19_000, "Lemvig", "7620", 56.5486, 8.3102),
    _M("671", "Struer", "1082", 20_400, "Struer", "7600", 56.4919, 8.5939),
    _M("706", "Syddjurs", "1082", 44_500, "Ebeltoft", "8400", 56.1944, 10.6817),
    _M("707", "Norddjurs", "1082", 37_000, "Grenaa", "8500", 56.4158, 10.8783),
    _M("710", "Favrskov", "1082", 50_500, "Hinnerup", "8382", 56.2660, 10.0630),
    _M("727", "Odder", "1082", 23_600, "Odder", "8300", 55.9731, 10.1528),
    _M("730", "Randers", "1082", 99_500, "Randers", "8900", 56.4607, 10.0364),
    _M("740", "Silkeborg", "1082", 99_000, "Silkeborg", "8600", 56.1697, 9.5451),
    _M("741", "Samsø", "1082", 3_700, "Tranebjerg", "8305", 55.8367, 10.5975),
    _M("746", "Skanderborg", "1082", 64_500, "Skanderborg", "8660", 56.0340, 9.9302),
    _M("751", "Aarhus", "1082", 367_000, "Aarhus", "8000", 56.1567, 10.2108),
    _M("756", "Ikast-Brande", "1082", 42_200, "Ikast", "7430", 56.1388, 9.1580),
    _M("760", "Ringkøbing-Skjern", "1082", 55_900, "Ringkøbing", "6950", 56.0900, 8.2440),
    _M("766", "Hedensted", "1082", 48_500, "Hedensted", "8722", 55.7704, 9.7012),
    _M("773", "Morsø", "1081", 19_700, "Nykøbing Mors", "7900", 56.7950, 8.8600),
    _M("779", "Skive", "1082", 45_900, "Skive", "7800", 56.5667, 9.0333),
    _M("787", "Thisted", "1081", 43_000, "Thisted", "7700", 56.9552, 8.6945),
    _M("791", "Viborg", "1082", 98_500, "Viborg", "8800", 56.4532, 9.4020),
    _M("810", "Brønderslev", "1081", 36_600, "Brønderslev", "9700", 57.2703, 9.9411),
    _M("813", "Frederikshavn", "1081", 58_700, "Frederikshavn", "9900", 57.4407, 10.5366),
    _M("820", "Vesthimmerlands", "1081", 36_400, "Aars", "9600", 56.8034, 9.5162),
    _M("825", "Læsø", "1081", 1_700, "Byrum", "9940", 57.2561, 11.0019),
    _M("840", "Rebild", "1081", 30_700, "Støvring", "9530", 56.8856, 9.8383),
    _M("846", "Mariagerfjord", "1081", 41_600, "Hobro", "9500", 56.6383, 9.7928),
    _M("849", "Jammerbugt", "1081", 38_300, "Aabybro", "9440", 57.1622, 9.7306),
    _M("851", "Aalborg", "1081", 222_500, "Aalborg", "9000", 57.0488, 9.9217),
    _M("860", "Hjørring", "1081", 64_000, "Hjørring", "9800", 57.4642, 9.9823),
)

del _M

MUNICIPALITY_BY_CODE: dict[str, MunicipalityInfo] = {m.code: m for m in MUNICIPALITIES}
REGION_BY_CODE: dict[str, RegionInfo] = {r.code: r for r in REGIONS}
