"""Hand-drawn source geometry of the three demo quarters (lon/lat, EPSG:4326).

Everything here is APPROXIMATE and drawn from knowledge of the places, not surveyed:
- boundaries are plausible outlines of the real quarters, not the official statistical areas;
- street NAMES are real streets of the quarter, their GEOMETRY is schematic (right order and
  rough position, not the real course);
- places are plausible named places; their positions are approximate.
For Bochum-Hamme the generator adds the real schools, Kitas and playgrounds of the City of
Bochum open data (CC0) that fall inside the boundary.

Streets: (name, first house number, vertices in the direction house numbers increase).
Places: (category, name, phrase "where", lon, lat). Categories: market, square, church, park,
playground, school, kita, stop, station, office, youth, sports, cemetery, culture, misc.
"""

# fmt: off

QUARTERS = [
    {
        "slug": "bochum-hamme",
        "name": "Hamme",
        "city": "Bochum",
        "short": "hamme",
        "description": (
            "Altbau- und Arbeiterquartier im Nordwesten der Bochumer Innenstadt rund um Dorstener "
            "Straße und Amtsplatz. Grenze näherungsweise (Demo)."
        ),
        "teams": [
            "Quartiersbüro Hamme, Ruhr-Universität Bochum",
            "Quartiersbüro Hamme, Stadt Bochum (Stadtplanung)",
            "Quartiersbüro Hamme, Ruhr-Universität Bochum, Herz-Jesu-Gemeinde",
        ],
        "authors": ["team-hamme", "team-hamme", "rub-begleitforschung"],
        "boundary": [
            (7.1832, 51.4874), (7.1866, 51.4866), (7.1905, 51.4861), (7.195, 51.4859),
            (7.1998, 51.4857), (7.2042, 51.4859), (7.2085, 51.4861), (7.2112, 51.4857),
            (7.2131, 51.4864), (7.2131, 51.489), (7.213, 51.4918), (7.2129, 51.4946),
            (7.2128, 51.4974), (7.2105, 51.4978), (7.207, 51.4981), (7.2035, 51.4978),
            (7.1998, 51.498), (7.196, 51.4981), (7.1925, 51.498), (7.189, 51.4979),
            (7.186, 51.4976), (7.184, 51.4962), (7.1829, 51.4942), (7.1824, 51.4918),
            (7.1827, 51.4895),
        ],
        "streets": [
            ("Dorstener Straße", 131, [(7.2098, 51.4872), (7.206, 51.488), (7.202, 51.4893),
                                       (7.1985, 51.4906), (7.1952, 51.4916), (7.193, 51.493),
                                       (7.1922, 51.495), (7.1918, 51.4971)]),
            ("Herner Straße", 41, [(7.2126, 51.4868), (7.2124, 51.4905), (7.2122, 51.494),
                                   (7.2121, 51.497)]),
            ("Hofsteder Straße", 71, [(7.2015, 51.4895), (7.2035, 51.4917), (7.2048, 51.494),
                                      (7.2057, 51.4958), (7.2062, 51.497)]),
            ("Hedwigstraße", 1, [(7.2065, 51.4879), (7.206, 51.4905), (7.2058, 51.4925),
                                 (7.206, 51.4946)]),
            ("Haldenstraße", 61, [(7.2037, 51.492), (7.2059, 51.4919), (7.2095, 51.4916),
                                  (7.2124, 51.4914)]),
            ("Schmechtingstraße", 1, [(7.2092, 51.4874), (7.2095, 51.4916), (7.2096, 51.4947)]),
            ("Josephstraße", 1, [(7.2123, 51.4928), (7.2095, 51.493)]),
            ("Feldsieper Straße", 82, [(7.2051, 51.4946), (7.208, 51.4947), (7.2105, 51.4948),
                                       (7.2122, 51.4948)]),
            ("Richardstraße", 1, [(7.2038, 51.4887), (7.2036, 51.4876), (7.2031, 51.4867)]),
            ("Surweg", 1, [(7.199, 51.4904), (7.1992, 51.4885), (7.1995, 51.4868)]),
            ("Wanner Straße", 1, [(7.1968, 51.4911), (7.197, 51.493), (7.1972, 51.495),
                                  (7.1975, 51.4969)]),
            ("Lohstraße", 1, [(7.1922, 51.495), (7.1972, 51.495), (7.201, 51.4953),
                              (7.2055, 51.4955)]),
            ("Gahlensche Straße", 121, [(7.19, 51.4868), (7.1897, 51.489), (7.1892, 51.491),
                                        (7.1886, 51.493), (7.1878, 51.4952), (7.187, 51.497)]),
            ("Amtsstraße", 1, [(7.1952, 51.4916), (7.1925, 51.4913), (7.1892, 51.491),
                               (7.1858, 51.4906)]),
            ("Von-der-Recke-Straße", 21, [(7.1897, 51.489), (7.1875, 51.4898), (7.1862, 51.4912),
                                          (7.185, 51.493)]),
            ("Anne-Frank-Straße", 1, [(7.1843, 51.4893), (7.187, 51.4903)]),
            ("Poststraße", 1, [(7.1905, 51.4911), (7.1904, 51.4935), (7.1902, 51.4955),
                               (7.1898, 51.4971)]),
            ("Bärendorfer Straße", 1, [(7.1878, 51.4952), (7.1902, 51.4955), (7.192, 51.4958)]),
            ("Reichsstraße", 1, [(7.1898, 51.4884), (7.194, 51.488), (7.1993, 51.4876)]),
            ("Overdyker Straße", 1, [(7.1899, 51.4874), (7.187, 51.4878), (7.1845, 51.4882)]),
        ],
        "places": [
            ("market", "Amtsplatz", "am Amtsplatz", 7.1942, 51.491),
            ("church", "Herz-Jesu-Kirche", "an der Herz-Jesu-Kirche", 7.1941, 51.4927),
            ("church", "Gethsemanekirche", "an der Gethsemanekirche", 7.1988, 51.4913),
            ("park", "Park Hamme", "im Park Hamme", 7.1978, 51.4886),
            ("park", "Grünanlage Schmechtingwiesen", "in der Grünanlage Schmechtingwiesen",
             7.2079, 51.4899),
            ("stop", "Haltestelle Amtsstraße", "an der Haltestelle Amtsstraße", 7.1957, 51.4918),
            ("stop", "Haltestelle Hofsteder Straße", "an der Haltestelle Hofsteder Straße",
             7.2023, 51.4896),
            ("office", "Quartiersbüro Hamme", "am Quartiersbüro", 7.1915, 51.4915),
            ("youth", "Jugendzentrum Hamme", "am Jugendzentrum", 7.1986, 51.4944),
            ("sports", "Sportplatz an der Gahlenschen Straße", "am Sportplatz Gahlensche Straße",
             7.1862, 51.4945),
            ("cemetery", "Friedhof Hamme", "am Friedhof", 7.2001, 51.4965),
            ("playground", "Spielplatz an der Bärendorfer Straße",
             "am Spielplatz an der Bärendorfer Straße", 7.1893, 51.4963),
        ],
    },
    {
        "slug": "herne-wanne-sued",
        "name": "Wanne-Süd",
        "city": "Herne",
        "short": "wanne-sued",
        "description": (
            "Stadtteil zwischen Wanne-Eickel Hauptbahnhof und Eickel mit der Hauptstraße als "
            "früherem Stadtteilzentrum, Programmgebiet „Soziale Stadt Wanne-Süd“. Grenze "
            "näherungsweise (Demo)."
        ),
        "teams": [
            "Stadtteilbüro Wanne-Süd, Ruhr-Universität Bochum",
            "Stadtteilbüro Wanne-Süd, Stadt Herne (Umwelt und Stadtplanung)",
            "Stadtteilbüro Wanne-Süd, Jugendzentrum Heisterkamp",
        ],
        "authors": ["team-wanne-sued", "team-wanne-sued", "rub-begleitforschung"],
        "boundary": [
             (7.156, 51.521), (7.16, 51.5203), (7.164, 51.5201), (7.1685, 51.52), (7.1725, 51.5204),
            (7.1762, 51.521), (7.1766, 51.5235), (7.1762, 51.526), (7.1758, 51.5285),
            (7.174, 51.53), (7.17, 51.5303), (7.1665, 51.5306), (7.163, 51.5304), (7.159, 51.5303),
            (7.1565, 51.5296), (7.1557, 51.527), (7.1553, 51.5245), (7.1556, 51.5225),
        ],
        "streets": [
            ("Hauptstraße", 141, [(7.165, 51.5296), (7.1654, 51.5275), (7.1658, 51.5258),
                                  (7.1663, 51.524), (7.167, 51.5222), (7.1676, 51.5208)]),
            ("Bahnhofstraße", 1, [(7.159, 51.5291), (7.1651, 51.5292), (7.1705, 51.5294)]),
            ("Kurhausstraße", 1, [(7.1592, 51.5262), (7.1622, 51.5263), (7.1657, 51.5264),
                                  (7.17, 51.5266), (7.1733, 51.5268)]),
            ("Dorneburger Straße", 1, [(7.159, 51.5291), (7.1591, 51.5262), (7.1594, 51.524),
                                       (7.1602, 51.5228)]),
            ("Langekampstraße", 1, [(7.1732, 51.5292), (7.1733, 51.5268), (7.1736, 51.5245),
                                    (7.174, 51.5218)]),
            ("Agnesstraße", 1, [(7.1621, 51.5291), (7.1622, 51.5263), (7.1624, 51.5238)]),
            ("Steinstraße", 1, [(7.1702, 51.5293), (7.17, 51.5266), (7.1701, 51.524),
                                (7.1703, 51.5221)]),
            ("Meisterstraße", 1, [(7.1701, 51.5248), (7.1718, 51.5247), (7.1736, 51.5247)]),
            ("Lehrlingstraße", 1, [(7.1717, 51.5267), (7.1718, 51.5247), (7.1719, 51.5232)]),
            ("Dürerstraße", 1, [(7.1592, 51.525), (7.1622, 51.5251), (7.166, 51.5252)]),
            ("Königstraße", 1, [(7.1602, 51.5228), (7.164, 51.5219), (7.1673, 51.5215),
                                (7.1703, 51.5219), (7.174, 51.5218)]),
            ("Bielefelder Straße", 1, [(7.1602, 51.5228), (7.159, 51.5216)]),
            ("Holsterhauser Straße", 1, [(7.1602, 51.5228), (7.157, 51.5233)]),
            ("Reichsstraße", 1, [(7.1653, 51.528), (7.169, 51.528), (7.1732, 51.5281)]),
        ],
        "places": [
            ("station", "Wanne-Eickel Hbf, Unterführung Hauptstraße",
             "an der Bahnunterführung Hauptstraße", 7.1649, 51.5299),
            ("office", "Stadtteilbüro Wanne-Süd", "am Stadtteilbüro", 7.1661, 51.5269),
            ("park", "Dorneburger Park", "im Dorneburger Park", 7.1573, 51.5255),
            ("sports", "Sportpark Wanne-Süd", "im Sportpark", 7.1752, 51.5232),
            ("youth", "Jugendzentrum Heisterkamp", "am Heisterkamp", 7.1686, 51.5231),
            ("church", "Löwenkirche", "an der Löwenkirche", 7.1727, 51.5252),
            ("square", "Steinplatz", "am Steinplatz", 7.1707, 51.5258),
            ("stop", "Haltestelle Kurhausstraße", "an der Haltestelle Kurhausstraße",
             7.1651, 51.5266),
            ("playground", "Spielplatz an der Dürerstraße", "am Spielplatz Dürerstraße",
             7.164, 51.5246),
            ("kita", "Kita Agnesstraße", "bei der Kita Agnesstraße", 7.1628, 51.5276),
            ("office", "Jobcenter Langekampstraße", "am Jobcenter", 7.1741, 51.5276),
            ("misc", "Wertstoffsammelstelle Königstraße", "an der Wertstoffsammelstelle",
             7.1614, 51.523),
        ],
    },
    {
        "slug": "dortmund-marten",
        "name": "Marten",
        "city": "Dortmund",
        "short": "marten",
        "description": (
            "Alter Ortskern von Marten im Dortmunder Stadtbezirk Lütgendortmund mit Martener "
            "Straße, Meile und Marktplatz. Grenze näherungsweise (Demo)."
        ),
        "teams": [
            "Quartierskoordination Marten, TU Dortmund",
            "Quartierskoordination Marten, Stadt Dortmund (nordwärts)",
            "Quartierskoordination Marten, Martener Forum",
        ],
        "authors": ["team-marten", "team-marten", "tu-begleitforschung"],
        "boundary": [
             (7.384, 51.5035), (7.388, 51.5028), (7.3925, 51.5026), (7.397, 51.5024),
            (7.4015, 51.5026), (7.405, 51.503), (7.4072, 51.5042), (7.4076, 51.5065),
            (7.4072, 51.5088), (7.4065, 51.511), (7.404, 51.5124), (7.4, 51.5128), (7.396, 51.5127),
            (7.392, 51.5129), (7.388, 51.513), (7.384, 51.513), (7.3818, 51.5123),
            (7.3815, 51.5105), (7.3828, 51.508), (7.3834, 51.5052),
        ],
        "streets": [
            ("Martener Straße", 251, [(7.406, 51.5072), (7.402, 51.5075), (7.399, 51.5077),
                                      (7.3955, 51.5081), (7.392, 51.5085), (7.3885, 51.509),
                                      (7.3855, 51.5093)]),
            ("An der Wasserburg", 1, [(7.3855, 51.5093), (7.386, 51.5065), (7.3868, 51.5045)]),
            ("Bärenbruch", 1, [(7.3855, 51.5093), (7.3853, 51.5106), (7.385, 51.5122)]),
            ("Marterloh", 1, [(7.3851, 51.5116), (7.3828, 51.5119)]),
            ("Am Voerstenhof", 1, [(7.3858, 51.5075), (7.3885, 51.5074), (7.3905, 51.5072)]),
            ("In der Meile", 1, [(7.3942, 51.5112), (7.3938, 51.5095), (7.3935, 51.5083),
                                 (7.3932, 51.5062), (7.3928, 51.5042)]),
            ("Haumannstraße", 1, [(7.3859, 51.5065), (7.39, 51.5063), (7.3932, 51.5062),
                                  (7.3975, 51.506), (7.3995, 51.5059)]),
            ("Schulte-Heuthaus-Straße", 1, [(7.401, 51.5036), (7.397, 51.5039), (7.3928, 51.5042),
                                            (7.3868, 51.5045)]),
            ("Steinhammerstraße", 1, [(7.399, 51.5077), (7.3995, 51.5059), (7.3998, 51.5045),
                                      (7.4004, 51.5033)]),
            ("Walbertstraße", 1, [(7.3997, 51.505), (7.403, 51.5049), (7.4058, 51.5047)]),
            ("Planetenfeldstraße", 1, [(7.3852, 51.5112), (7.39, 51.5113), (7.3942, 51.5112),
                                       (7.399, 51.511), (7.4035, 51.5105)]),
            ("Schwarzer Weg", 1, [(7.3995, 51.5059), (7.4025, 51.5062), (7.4055, 51.5067)]),
        ],
        "places": [
            ("market", "Marktplatz Marten", "auf dem Marktplatz", 7.3946, 51.5069),
            ("church", "Immanuelkirche", "an der Immanuelkirche", 7.391, 51.5093),
            ("culture", "Westfälisches Schulmuseum", "am Schulmuseum", 7.387, 51.5079),
            ("park", "Steinhammerpark", "im Steinhammerpark", 7.4015, 51.5055),
            ("station", "S-Bahnhof Marten-Süd", "am S-Bahnhof Marten-Süd", 7.3985, 51.5032),
            ("stop", "Haltestelle Walbertstraße", "an der Haltestelle Walbertstraße",
             7.4004, 51.5048),
            ("youth", "Jugendfreizeitstätte Marten", "an der Jugendfreizeitstätte",
             7.3965, 51.5066),
            ("culture", "Stadtteilbücherei Marten", "an der Bücherei", 7.3929, 51.5077),
            ("school", "Friedensgrundschule", "bei der Friedensgrundschule", 7.39, 51.5055),
            ("school", "Steinhammer-Grundschule", "bei der Steinhammer-Grundschule",
             7.3984, 51.5068),
            ("square", "Schützenplatz Marten", "am Schützenplatz", 7.3962, 51.51),
            ("office", "Martener Forum (In der Meile 2)", "beim Martener Forum", 7.3941, 51.5088),
            ("sports", "Sportplatz Arminia Marten", "am Sportplatz Arminia", 7.4042, 51.5088),
        ],
    },
]

# "an der ..." phrase for street names that do not follow the default rule
AN_STREET = {
    "Surweg": "am Surweg",
    "Schwarzer Weg": "am Schwarzen Weg",
    "Bärenbruch": "am Bärenbruch",
    "Marterloh": "am Marterloh",
    "In der Meile": "in der Meile",
    "An der Wasserburg": "an der Wasserburg",
    "Am Voerstenhof": "am Voerstenhof",
}
