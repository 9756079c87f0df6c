"""Words that mean the same thing to a matcher: each group is one concept. A text and a document
sharing a concept share it whatever word each uses ("car" in a challenge, "vehicle" in a listing)."""

from __future__ import annotations

CONCEPTS: tuple[tuple[str, ...], ...] = (
    ("car", "cars", "vehicle", "vehicles", "automotive", "automobile"),
    ("ai", "artificial intelligence", "machine learning", "ml", "deep learning", "neural network"),
    ("security", "cybersecurity", "secure", "intrusion", "attack", "attacks", "threat", "threats"),
    ("bank", "banking", "payment", "payments", "fintech", "financial", "finance"),
    ("satellite", "satellites", "space", "orbit", "orbital", "spacecraft"),
    ("robot", "robots", "robotic", "robotics", "manipulator"),
    ("drone", "drones", "uav", "unmanned aerial"),
    ("5g", "mobile network", "cellular", "wireless", "radio"),
    ("iot", "internet of things", "sensor", "sensors", "embedded"),
    ("health", "medical", "clinical", "patient", "patients", "hospital"),
    ("energy", "power", "battery", "batteries", "grid"),
    ("privacy", "gdpr", "anonymisation", "anonymization", "confidential"),
    ("blockchain", "distributed ledger", "smart contract", "smart contracts"),
    ("software", "code", "program", "programs", "application software"),
    ("test", "testing", "verification", "validation"),
    ("fraud", "anomaly", "anomalies", "fraudulent"),
    ("camera", "vision", "image", "images", "imaging", "video"),
    ("localisation", "localization", "positioning", "navigation", "gnss", "gps"),
)

_STOPWORDS = """
a an and are as at be but by can do for from has have how in into is it its of on or our that the
their them then there these they this to was we were what when which who will with you your not no
all any more most other some such than too very also using use used based new need needs want would
could should may might must one two three per via within without over under between about after
before during through each every both only own same so just well
le la les des du de et en un une pour dans sur avec par est sont
der die das und mit für von ist sind ein eine den dem im zu auf
"""
STOPWORDS = frozenset(_STOPWORDS.split())
