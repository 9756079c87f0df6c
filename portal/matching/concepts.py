# ruff: noqa: E501 - the vocabulary reads best one concept per entry, words in language order
"""The matcher's vocabulary: words that mean the same thing to it, in English, French and German.

Each group is one concept, named by its first (English) entry; a text and a listing that share a
concept share it whatever word or language each uses ("vehicle" in a listing, "car" in an English
challenge, "véhicule" in a French one, "Fahrzeug" in a German one). Entries are folded like
search folds words (accents off, case folded) and then stemmed by `services.stem`, so a group
needs one form of a word, not every plural. The list is a general vocabulary of the portfolio's
domains (the ten ICT domains of the catalog and the industries that license from them), written
from the domain, not from any test sentence; grow it when a domain is added.

German compounds are split against this vocabulary (`Versandlager` = Versand + Lager), so a group
needs the parts, not every compound.
"""

from __future__ import annotations

# fmt: off
CONCEPTS: tuple[tuple[str, ...], ...] = (
    # --- vehicles, driving, mobility ----------------------------------------------------------------
    ("car", "cars", "vehicle", "automotive", "automobile", "truck", "lorry", "van",
     "vehicule", "voiture", "camion", "automobile", "fahrzeug", "auto", "pkw", "lkw", "kraftfahrzeug"),
    ("driver", "conducteur", "chauffeur", "fahrer", "lenker"),
    ("driving", "drive", "conduite", "fahren", "fahrt"),
    ("autonomous", "self driving", "driverless", "automated", "automation", "autonomy",
     "autonome", "automatise", "autonom", "selbstfahrend", "fahrerlos", "automatisiert", "automatisierung"),
    ("assistance", "adas", "assistant", "aide", "assistenz", "assistent"),
    ("pedestrian", "pedestrians", "people crossing", "pieton", "fussganger", "passant"),
    ("road", "street", "motorway", "highway", "traffic", "route", "autoroute", "strasse", "autobahn", "verkehr"),
    ("accident", "crash", "collision", "unfall", "zusammenstoss", "kollision"),
    ("simulation", "virtual", "simulate", "simuler", "simulieren", "virtuell"),
    ("weather", "rain", "fog", "snow", "meteo", "pluie", "brouillard", "neige", "wetter", "regen", "nebel", "schnee"),
    ("tunnel", "mine", "underground", "galerie", "souterrain", "bergwerk", "untertage", "stollen"),
    ("safety", "safe", "dangerous", "hazard", "surete", "danger", "dangereux", "betriebssicherheit",
     "gefahr", "gefahrlich", "unsafe"),
    # --- sensing and perception ---------------------------------------------------------------------
    ("camera", "vision", "image", "imaging", "video", "picture", "photo", "scan", "camera", "cameras",
     "kamera", "bild", "aufnahme", "visuel", "visual"),
    ("lidar", "laser scanner"),
    ("radar",),
    ("sensor", "sensing", "probe", "detector", "capteur", "sonde", "detecteur", "fuhler", "messfuhler"),
    ("detection", "detect", "spot", "recognise", "recognize", "identify", "detecter", "reperer",
     "erkennen", "erkennung", "detektion", "aufspuren"),
    ("monitoring", "monitor", "supervision", "surveillance", "watch", "surveiller", "uberwachung",
     "uberwachen", "monitor"),
    ("inspection", "inspect", "inspecter", "prufung", "inspektion", "kontrolle"),
    # --- positioning ----------------------------------------------------------------------------------
    ("localisation", "localization", "positioning", "position", "locate", "location", "tracking",
     "track", "where", "find", "lose", "lost", "losing", "localiser", "reperage", "suivi", "perdre",
     "perdu", "ortung", "lokalisierung", "orten", "verfolgung", "verlieren", "verloren", "standort"),
    ("gnss", "gps", "galileo", "satellite positioning", "satellite signal", "signal satellite",
     "satellitensignal"),
    ("indoor", "inside", "interieur", "innen", "innenraum", "gebaude", "building", "batiment", "under the roof"),
    ("warehouse", "warehouses", "depot", "storage hall", "fulfilment", "fulfillment", "distribution centre",
     "entrepot", "magasin", "lager", "lagerhalle", "versand", "logistikzentrum"),
    ("logistics", "shipping", "freight", "supply chain", "logistique", "expedition", "logistik", "spedition"),
    ("pallet", "roll cage", "container", "crate", "palette", "conteneur", "caisse", "kiste", "behalter"),
    ("asset", "assets", "equipment", "goods", "trolley", "forklift", "chariot", "materiel", "equipement",
     "geraet", "ausrustung", "ware", "gabelstapler"),
    # --- radio, networks, telecoms ---------------------------------------------------------------------
    ("wireless", "radio", "rf", "cellular", "sans fil", "drahtlos", "funk"),
    ("lorawan", "lora", "lpwan", "long range radio", "long-range radio"),
    ("5g", "6g", "mobile network", "mobile operator", "telecom", "telecoms", "telecommunications",
     "operator", "carrier", "telco", "operateur", "reseau mobile", "mobilfunk", "mobilfunknetz",
     "netzbetreiber", "telekommunikation"),
    ("base station", "antenna site", "antenna sites", "cell site", "mast", "tower", "station de base",
     "antenne", "basisstation", "sendemast", "funkmast", "ran"),
    ("antenna", "beam", "mmwave", "millimetre wave", "faisceau", "strahl"),
    ("network", "networks", "reseau", "netz", "netzwerk"),
    ("latency", "response time", "real time", "deterministic", "latence", "temps reel", "latenz",
     "echtzeit", "reaktionszeit", "millisecond", "milliseconds"),
    ("gateway", "gateways", "passerelle", "gateway"),
    ("video", "streaming", "stream", "tv"),
    ("quality", "qoe", "qualite", "qualitat"),
    ("encrypted", "encryption", "cipher", "tls", "chiffre", "chiffrement", "verschlusselt", "verschlusselung"),
    ("traffic", "flow", "flows", "trafic", "flux", "datenverkehr"),
    ("subscriber", "customer", "client", "user", "abonne", "utilisateur", "kunde", "nutzer", "teilnehmer"),
    # --- energy ----------------------------------------------------------------------------------------
    ("energy", "power", "electricity", "consumption", "watt", "energie", "electricite", "consommation",
     "strom", "verbrauch", "stromverbrauch", "leistung"),
    ("battery", "batteries", "batterie", "pile", "akku"),
    ("battery free", "energy harvesting", "self powered", "sans batterie", "batteriefrei", "energieautark"),
    ("heating", "ventilation", "air conditioning", "hvac", "fresh air", "chauffage", "climatisation",
     "heizung", "luftung", "klima", "klimaanlage", "frischluft"),
    ("occupancy", "occupied", "empty", "presence", "occupation", "vide", "belegung", "anwesenheit", "leer"),
    ("cost", "costs", "expensive", "cheap", "bill", "spend", "cout", "couteux", "cher", "prix",
     "kosten", "teuer", "gunstig"),
    ("night", "low traffic", "idle", "sleep mode", "nuit", "nacht", "ruhezustand"),
    # --- security --------------------------------------------------------------------------------------
    ("security", "cybersecurity", "secure", "intrusion", "attack", "attacker", "hacker", "threat",
     "vulnerability", "exploit", "malware", "securite", "securise", "attaque", "attaquant", "menace",
     "vulnerabilite", "faille", "sicherheit", "sicher", "angriff", "angreifer", "bedrohung",
     "schwachstelle", "sicherheitslucke", "lucke"),
    ("alert", "alarm", "warning", "incident", "alerte", "alarme", "avertissement", "warnung", "meldung"),
    ("false alarm", "false alarms", "false positive", "false positives", "harmless", "fausse alerte",
     "faux positif", "fehlalarm", "falschmeldung"),
    ("soc", "security operations", "security operations centre", "lagezentrum", "analyst", "analyste"),
    ("triage", "prioritise", "prioritize", "sort", "trier", "priorisieren"),
    ("login", "sign in", "sign-in", "log in", "authentication", "password", "passwords", "badge",
     "credential", "connexion", "authentification", "mot de passe", "anmeldung", "passwort",
     "authentifizierung", "kennwort"),
    ("terminal", "workstation", "station", "poste de travail", "arbeitsplatz", "arbeitsstation"),
    ("firmware", "software update", "update", "updates", "over the air", "ota", "boot", "start up",
     "mise a jour", "micrologiciel", "demarrage", "aktualisierung", "update", "start"),
    ("quantum", "post quantum", "quantique", "quanten"),
    ("key", "keys", "cle", "schlussel", "secret"),
    ("side channel", "power consumption", "power analysis", "canal auxiliaire", "seitenkanal"),
    ("fake", "forged", "tamper", "tampering", "counterfeit", "malicious", "faux", "falsifie", "gefalscht", "manipulation"),
    ("privacy", "gdpr", "anonymisation", "anonymization", "personal data", "data protection",
     "confidential", "confidentiality", "vie privee", "rgpd", "donnees personnelles", "datenschutz",
     "dsgvo", "vertraulich", "anonymisierung"),
    ("vulnerability", "bug", "bugs", "defect", "flaw", "error", "errors", "fault", "overrun", "overflow",
     "memory bug", "bogue", "erreur", "defaut", "fehler", "defekt", "uberlauf"),
    ("memory", "buffer", "memoire", "tampon", "speicher", "puffer"),
    ("fuzzing", "fuzzer", "fuzz"),
    ("plc", "industrial control", "control system", "modbus", "opc ua", "automate", "steuerung",
     "industriesteuerung", "sps", "scada"),
    # --- finance ----------------------------------------------------------------------------------------
    ("bank", "banking", "banks", "lender", "fintech", "financial", "finance", "banque", "bancaire",
     "financier", "geldinstitut", "finanz"),
    ("payment", "payments", "transfer", "transfers", "transaction", "pay", "paiement", "virement",
     "transaction", "zahlung", "uberweisung", "uberweisungen", "transaktion"),
    ("instant", "real time payment", "seconds", "instantane", "immediat", "sofort", "echtzeit"),
    ("fraud", "fraudulent", "scam", "scammer", "scammers", "fraudster", "mule", "money laundering",
     "fraude", "frauduleux", "escroc", "escroquerie", "betrug", "betruger", "geldwasche"),
    ("account", "accounts", "compte", "konto"),
    ("invoice", "invoices", "bill", "bills", "receivable", "payable", "facture", "factures",
     "rechnung", "rechnungen"),
    ("reconciliation", "reconcile", "match", "matching", "rapprochement", "rapprocher", "lettrage",
     "abgleich", "abgleichen", "zuordnung"),
    ("treasury", "tresorerie", "finance team", "treasurer", "schatzmeister"),
    ("manual", "by hand", "hand", "manual work", "type", "key in", "keys in", "a la main", "manuell",
     "von hand", "saisie"),
    ("credit", "loan", "borrower", "lending", "pret", "emprunteur", "kredit", "darlehen"),
    ("trading", "exchange", "market", "broker", "bourse", "marche", "borse", "handel"),
    ("insurance", "insurer", "assurance", "assureur", "versicherung", "versicherer"),
    ("mainframe", "cobol", "legacy", "old code", "decades old", "heritage", "altsystem", "legacy code"),
    # --- space -----------------------------------------------------------------------------------------
    ("satellite", "satellites", "space", "orbit", "orbital", "spacecraft", "cubesat", "nanosatellite",
     "smallsat", "spatial", "espace", "raumfahrt", "weltraum", "umlaufbahn", "nanosatellit"),
    ("radiation", "cosmic ray", "cosmic rays", "upset", "rayonnement", "rayons cosmiques", "strahlung"),
    ("processor", "computer", "cpu", "chip", "processeur", "ordinateur", "puce", "prozessor", "rechner"),
    ("debris", "space junk", "dodge", "manoeuvre", "manoeuvres", "avoidance", "debris spatiaux",
     "trummer", "weltraumschrott", "ausweichen"),
    ("fuel", "propellant", "carburant", "ergol", "treibstoff"),
    ("flood", "floods", "flooding", "under water", "storm", "inondation", "crue", "hochwasser",
     "uberschwemmung", "flut"),
    ("cloud cover", "clouds", "cloudy", "nuage", "nuageux", "wolke", "wolken", "bewolkt"),
    ("map", "mapping", "carte", "cartographie", "karte", "kartierung"),
    ("attitude", "pointing", "reaction wheel", "reaction wheels", "pointage", "roue de reaction",
     "lageregelung", "ausrichtung", "reaktionsrad"),
    ("mass", "weight", "masse", "poids", "gewicht"),
    ("laser", "optical", "optique", "optisch"),
    # --- AI and data -----------------------------------------------------------------------------------
    ("ai", "artificial intelligence", "machine learning", "ml", "deep learning", "neural network",
     "model", "models", "ia", "intelligence artificielle", "apprentissage", "reseau de neurones",
     "ki", "kunstliche intelligenz", "maschinelles lernen", "neuronales netz", "modell"),
    ("uncertainty", "not sure", "unsure", "confidence", "calibration", "incertitude", "confiance",
     "unsicherheit", "konfidenz"),
    ("data", "dataset", "datasets", "records", "donnees", "daten", "datensatz"),
    ("synthetic", "synthetique", "synthetisch"),
    ("share", "sharing", "partage", "partager", "teilen", "weitergabe"),
    ("federated", "without moving data", "without sharing data", "federe", "foderiert",
     "leave the hospital", "leaving", "verlassen"),
    ("train", "training", "learn", "retrain", "entrainer", "entrainement", "trainieren", "anlernen",
     "lernen", "training"),
    ("document", "documentation", "manual", "manuals", "handbook", "notice", "dokumentation",
     "handbuch", "anleitung"),
    ("question", "answer", "search", "chatbot", "assistant", "reponse", "recherche", "frage", "antwort", "suche"),
    ("maintenance", "repair", "service", "technician", "reparation", "entretien", "technicien",
     "wartung", "reparatur", "techniker", "instandhaltung"),
    ("cause", "root cause", "why", "diagnose", "diagnosis", "pourquoi", "ursache", "grundursache"),
    ("yield", "quality drop", "scrap", "rendement", "ausbeute", "ausschuss"),
    ("language", "languages", "multilingual", "translation", "langue", "langues", "sprache", "sprachen",
     "mehrsprachig"),
    ("summary", "summarise", "summarize", "summarisation", "resume", "synthese", "zusammenfassung",
     "zusammenfassen"),
    ("note", "notes", "clinical notes", "notizen", "dossier"),
    ("handover", "shift", "shifts", "transmission", "releve", "ubergabe", "schicht", "schichtwechsel"),
    # --- industry, manufacturing, robots ---------------------------------------------------------------
    ("factory", "plant", "manufacturing", "production", "shop floor", "assembly", "line", "fab",
     "usine", "atelier", "fabrication", "chaine", "fabrik", "werk", "produktion", "fertigung",
     "montage", "werkhalle"),
    ("industrial", "industry", "industriel", "industrie", "industriell"),
    ("machine", "pump", "pumps", "compressor", "compressors", "motor", "rotating", "pompe",
     "compresseur", "moteur", "pumpe", "kompressor", "maschine", "anlage", "anlagen"),
    ("vibration", "vibrations", "schwingung"),
    ("robot", "robots", "robotic", "robotics", "manipulator", "arm", "robotique", "roboter", "robotik"),
    ("cobot", "collaborative robot", "collaborative", "robot collaboratif", "kollaborativ", "cobots"),
    ("programming", "programmer", "programmers", "code", "coding", "programme", "programmation",
     "programmeur", "programmieren", "programmierer", "programmierung"),
    ("picking", "pick", "grasp", "grasping", "grip", "gripper", "handling", "saisir", "prehension",
     "prise", "greifen", "greifer", "kommissionierung"),
    ("item", "items", "product", "products", "article", "articles", "sku", "produit", "artikel", "produkt"),
    ("bin", "mixed", "tote", "bac", "melange", "gemischt"),
    ("delicate", "fragile", "soft", "bruise", "bruising", "tear", "tearing", "damage", "doux", "abimer",
     "empfindlich", "weich", "beschadigen"),
    ("food", "fish", "fillet", "fillets", "seafood", "fruit", "berries", "strawberry", "meat",
     "alimentaire", "poisson", "fruits", "lebensmittel", "fisch", "obst", "erdbeere"),
    ("farm", "agriculture", "agricultural", "crop", "crops", "field", "vegetable", "organic", "farmer",
     "ferme", "agricole", "culture", "legume", "bio", "landwirtschaft", "bauernhof", "feld", "gemuse"),
    ("weed", "weeds", "weeding", "herbicide", "herbicides", "mauvaise herbe", "desherbage", "unkraut",
     "jaten"),
    ("soil", "moisture", "water", "irrigation", "watering", "vine", "vines", "vineyard", "wine", "sol",
     "humidite", "arrosage", "vigne", "boden", "feuchte", "bewasserung", "weinberg", "wein"),
    ("legged", "legs", "stairs", "walking robot", "quadruped", "pattes", "laufroboter", "beine"),
    ("offshore", "platform", "oil rig", "plateforme", "bohrinsel"),
    ("demonstration", "teach", "show", "without code", "no programmers", "demonstrer", "vormachen", "zeigen"),
    ("contact", "touch", "tactile", "collision detection", "toucher", "beruhrung", "taktil"),
    # --- software engineering ---------------------------------------------------------------------------
    ("software", "program", "programs", "application", "app", "logiciel", "applicatif", "software",
     "programm"),
    ("test", "tests", "testing", "verification", "validation", "audit", "audits", "essai", "verifier",
     "prufen", "prufung", "testen"),
    ("flaky", "random", "at random", "unstable", "intermittent", "aleatoire", "instable", "zufallig",
     "instabil", "sporadisch"),
    ("continuous integration", "ci", "build", "builds", "pipeline", "rerun", "integration continue", "build"),
    ("static analysis", "analyser", "analyzer", "linter", "analyse statique", "statische analyse"),
    ("embedded", "microcontroller", "ecu", "control unit", "control units", "embarque", "microcontroleur",
     "eingebettet", "steuergerat", "mikrocontroller"),
    ("c", "c code", "langage c"),
    ("java", "translation of code", "migration", "migrate", "modernise", "modernize", "migrer", "migrieren"),
    ("cloud", "aws", "azure", "kubernetes", "infrastructure", "nuagique", "cloud computing"),
    ("requirements", "traceability", "certification", "exigences", "tracabilite", "anforderungen",
     "ruckverfolgbarkeit", "zertifizierung"),
    # --- health -----------------------------------------------------------------------------------------
    ("health", "medical", "clinical", "patient", "patients", "hospital", "hospitals", "clinic",
     "healthcare", "doctor", "doctors", "physician", "nurse", "sante", "medical", "clinique", "hopital",
     "medecin", "soin", "gesundheit", "medizin", "medizinisch", "klinik", "krankenhaus", "arzt",
     "patient", "pflege", "klinisch"),
    ("heart", "heartbeat", "cardiac", "cardiology", "arrhythmia", "stroke", "atrial fibrillation",
     "coeur", "cardiaque", "avc", "herz", "herzrhythmus", "schlaganfall", "vorhofflimmern"),
    ("wearable", "smartwatch", "watch", "wristband", "bracelet", "montre", "uhr", "armband"),
    ("brain", "neurology", "mri", "ms", "multiple sclerosis", "lesion", "lesions", "cerveau", "irm",
     "sclerose", "gehirn", "neurologie", "lasion"),
    ("scan", "scans", "radiology", "medical image", "radiologie", "bildgebung"),
    ("sleep", "apnoea", "apnea", "snoring", "sommeil", "apnee", "schlaf", "schlafapnoe", "schnarchen"),
    ("home", "at home", "domicile", "maison", "zuhause", "hause", "heim"),
    ("wear", "worn", "nothing to wear", "contactless", "porter", "sans contact", "tragen", "beruhrungslos"),
    ("screening", "screen", "depistage", "diagnostic", "vorsorge", "screening"),
    ("fall", "falls", "falling", "chute", "tomber", "sturz", "sturzrisiko", "sturzen"),
    ("elderly", "older adults", "seniors", "nursing home", "residents", "age", "personnes agees",
     "ehpad", "senioren", "altenheim", "pflegeheim", "alter"),
    ("smartphone", "phone", "mobile phone", "telephone", "handy", "mobiltelefon"),
    ("gait", "walk", "walking", "gangbild", "gangart"),
    ("risk", "likely", "risque", "probable", "risiko", "wahrscheinlich"),
    # --- buildings ----------------------------------------------------------------------------------------
    ("building", "buildings", "office", "offices", "room", "rooms", "meeting room", "batiment", "bureau",
     "salle", "gebaude", "buro", "raum", "besprechungsraum"),
    # --- cross-cutting ---------------------------------------------------------------------------------
    ("remote", "distance", "a distance", "remote site", "fernwartung", "entfernt", "fern"),
    ("fleet", "flotte", "flotte", "thousands of devices", "parc"),
    ("device", "devices", "appareil", "dispositif", "geraet", "gerat"),
    ("meter", "smart meter", "metering", "compteur", "zahler", "stromzahler"),
    ("long lived", "fifteen years", "15 years", "decades", "lifetime", "duree de vie", "lebensdauer"),
)
# fmt: on

_STOPWORDS = """
a an and are as at be but by can do does for from has have how in into is it its of on or our that the
their them then there these they this to was we were what when which who will with you your not no
all any more most other some such than too very also using use used based new need needs want wants
would could should may might must one two three per via within without over under between about after
before during through each every both only own same so just well us get gets keep keeps many much
like even every day days week weeks month months year years time times long small large us
able help let lot lots hour hours minute minutes since last first next back often always never
le la les l des du de d et en un une pour dans sur avec par est sont au aux ce ces cet cette il ils
elle elles nous vous notre nos votre vos leur leurs son sa ses qui que qu quand comment ou mais ne
pas plus tres tout tous toute toutes sans sous entre chez donc car si aussi encore deja faire fait
avons avez ont etre avoir peu beaucoup quelques chaque meme comme afin alors ainsi aucun aucune
voulons veut cherchons cherche souhaitons besoin jour jours semaine mois an ans annee annees
der die das des dem den und oder mit fur von vom ist sind sein ein eine einer eines einem einen im
in zu zum zur auf aus bei nach uber unter ohne um durch gegen als wie wenn dass weil aber auch
noch schon nur sehr viel viele mehr wir ihr sie er es unser unsere unseren unserem unserer euch ihnen
sich kein keine nicht wird werden wurde kann konnen mussen muss soll sollen will wollen mochte
haben hat hatte dann denn doch so jede jeden jeder jedes pro tag tage tagen woche wochen monat jahr
jahre ständig standig immer oft meist meisten davon etwas kaum dabei damit dort hier ganz bis
"""
STOPWORDS = frozenset(_STOPWORDS.split())
