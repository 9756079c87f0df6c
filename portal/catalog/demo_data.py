# ruff: noqa: E501 - the data tables below read best one field per line, unwrapped
"""The catalog's demo data (issue 11, point 10): 30 researchers in 6 groups and 60 ICT technologies
across the ten domains, written like licensing briefs. `seed_catalog()` is idempotent: researchers
are keyed by name, technologies by reference; what exists is left as it is. Listings are written
through the listing services, so both search indexes are filled and the ladder applies as for real
listings. Publication dates spread over the last 18 months; five recent ones are still in their
first-look window (seen by the tiers with first-look days, Acme's Partner tier among them).
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

import sqlalchemy as sa

from ..core.types import utcnow
from ..extensions import db
from .models import Domain, IpStatus, Researcher, Technology, TechnologyStatus
from .services.listings import TechnologyData, create_technology, set_status

FIRST_LOOK_DAYS = 14

GROUPS = {
    "A": "Secure Systems Lab",
    "B": "Autonomous Systems and Robotics Group",
    "C": "Space Systems Laboratory",
    "D": "Machine Learning and Health Data Group",
    "E": "Networked Systems Group",
    "F": "Software Engineering Research Group",
}

# fmt: off
# key: (name, group, role, expertise, profile, public)
RESEARCHERS: dict[str, tuple[str, str, str, list[str], str, bool]] = {
    "a1": ("Amara Okafor", "A", "Professor", ["post-quantum cryptography", "secure hardware", "side channels"],
           "Leads the Secure Systems Lab; 20 years in applied cryptography, formerly at a smart-card maker.", True),
    "a2": ("Lukas Brandt", "A", "Research scientist", ["intrusion detection", "network forensics", "SOC automation"],
           "Builds detection pipelines with national CERTs; maintains two widely used open-source sensors.", True),
    "a3": ("Mei Lin Tan", "A", "Postdoctoral researcher", ["fraud detection", "graph learning", "payments"],
           "Works on transaction graphs with three European banks; PhD on anomaly detection in streams.", True),
    "a4": ("Rafael Duarte", "A", "PhD candidate", ["smart contracts", "formal verification", "DeFi"],
           "Verifies smart contracts with model checking; two audit tools released as open source.", True),
    "a5": ("Sofia Marchetti", "A", "Research scientist", ["privacy engineering", "differential privacy", "GDPR"],
           "Advises the institute's data protection office; designs privacy budgets for statistics releases.", False),
    "b1": ("Henrik Johansson", "B", "Professor", ["motion planning", "functional safety", "ISO 26262"],
           "Heads the autonomy group; co-author of a safety case method used by two vehicle makers.", True),
    "b2": ("Aiko Yamamoto", "B", "Research scientist", ["sensor fusion", "lidar", "localisation"],
           "Sensor fusion for vehicles and mobile robots; ten years in automotive perception teams.", True),
    "b3": ("Tomasz Nowak", "B", "Postdoctoral researcher", ["robot grasping", "tactile sensing", "bin picking"],
           "Learns grasps from few examples; runs the group's logistics test cell.", True),
    "b4": ("Priyanka Iyer", "B", "PhD candidate", ["human-robot interaction", "collaborative robots"],
           "Studies how workers and cobots share tasks safely on assembly lines.", True),
    "b5": ("Kwame Mensah", "B", "Research scientist", ["legged robots", "model predictive control"],
           "Control of legged and wheeled-legged robots for inspection in rough terrain.", False),
    "c1": ("Élodie Fournier", "C", "Professor", ["small satellites", "attitude control", "mission design"],
           "Principal investigator of two CubeSat missions; chairs the institute's space programme.", True),
    "c2": ("Diego Alvarez", "C", "Research scientist", ["onboard computing", "radiation tolerance", "FPGA"],
           "Radiation-tolerant software and FPGA designs for commercial off-the-shelf processors.", True),
    "c3": ("Nadia Haddad", "C", "Postdoctoral researcher", ["earth observation", "SAR processing", "change detection"],
           "Turns radar satellite images into maps of floods, subsidence and crop stress.", True),
    "c4": ("Oluwaseun Adeyemi", "C", "PhD candidate", ["optical communications", "inter-satellite links"],
           "Laser terminals and pointing control for links between small satellites.", True),
    "c5": ("Ivan Petrov", "C", "Research scientist", ["orbit determination", "space debris", "collision avoidance"],
           "Space situational awareness; contributes to conjunction assessment for two operators.", True),
    "d1": ("Hannah Weiss", "D", "Professor", ["machine learning", "causal inference", "trustworthy AI"],
           "Leads the group; research on models that explain themselves and know when they are unsure.", True),
    "d2": ("Arjun Mehta", "D", "Research scientist", ["medical imaging", "deep learning", "segmentation"],
           "Medical image analysis with four university hospitals; CE-marking experience.", True),
    "d3": ("Leila Farahani", "D", "Postdoctoral researcher", ["wearable sensing", "digital biomarkers", "sleep"],
           "Digital biomarkers from wrist-worn sensors; clinical studies in cardiology and neurology.", True),
    "d4": ("Mateo Rossi", "D", "PhD candidate", ["federated learning", "privacy-preserving ML"],
           "Trains models across hospitals and factories without moving their data.", True),
    "d5": ("Chen Wei", "D", "Research scientist", ["natural language processing", "clinical text"],
           "Language models for clinical notes and technical documentation.", False),
    "e1": ("Samuel Osei", "E", "Professor", ["5G and 6G radio access", "network slicing", "O-RAN"],
           "Heads the Networked Systems Group and the institute's 5G campus network.", True),
    "e2": ("Ingrid Halvorsen", "E", "Research scientist", ["low-power IoT", "energy harvesting", "embedded systems"],
           "Battery-free sensing and energy-aware firmware; ex-industry embedded engineer.", True),
    "e3": ("Karim Benali", "E", "Postdoctoral researcher", ["edge computing", "network telemetry"],
           "Telemetry and placement of workloads at the network edge.", True),
    "e4": ("Ana Sousa", "E", "PhD candidate", ["LoRaWAN", "indoor localisation"],
           "Localisation from low-power radio signals in warehouses and hospitals.", True),
    "e5": ("Yuki Tanaka", "E", "Research scientist", ["millimetre wave", "beamforming", "reconfigurable surfaces"],
           "Antenna arrays and reconfigurable intelligent surfaces for mmWave coverage.", True),
    "f1": ("Margaret O'Neill", "F", "Professor", ["program analysis", "software testing"],
           "Leads the software engineering group; program analysis tools used in avionics.", True),
    "f2": ("Pavel Novák", "F", "Research scientist", ["static analysis", "compilers", "Rust"],
           "Static analysers and compiler passes; maintainer of an open-source linter.", True),
    "f3": ("Fatima Zahra El Amrani", "F", "Postdoctoral researcher", ["DevOps", "cloud cost", "MLOps"],
           "Cost and carbon of cloud deployments; previously site reliability engineer.", True),
    "f4": ("Liam Byrne", "F", "PhD candidate", ["fuzzing", "test generation"],
           "Grammar-aware fuzzing of protocol and file-format parsers.", True),
    "f5": ("Rania Aziz", "F", "Research scientist", ["requirements engineering", "model-based systems engineering"],
           "Traceability from requirements to tests in regulated industries.", True),
}

PUB, OPT, LIC, DRAFT, ARCH, FIRST = "published", "option", "licensed", "draft", "archived", "first_look"

# (domain, title, benefit, problem, solution, advantages, applications, keywords, trl, ip, inventors,
#  status, days since publication)
TECHNOLOGIES = [
    # --- cybersecurity -----------------------------------------------------------------------------
    ("cybersecurity", "Post-quantum firmware signing for constrained microcontrollers",
     "Quantum-safe secure boot in 14 kB of flash on a 64 MHz Cortex-M4.",
     "Devices shipped today stay in the field for 15 years, beyond the arrival of quantum computers that break"
     " the RSA and ECDSA signatures their bootloaders check.",
     "A hash-based signature verifier (LMS) rewritten for microcontrollers, with streaming verification and a"
     " hardware-backed counter that makes key reuse impossible.",
     ["Verifies an image in 38 ms on a Cortex-M4, 6 times faster than reference code",
      "Needs 14 kB of flash and 2 kB of RAM",
      "Standard compliant: NIST SP 800-208"],
     ["Industrial controllers", "Smart meters", "Automotive ECUs"],
     ["post-quantum", "secure boot", "LMS", "firmware"], 6, "granted", ["a1", "c2"], PUB, 410),
    ("cybersecurity", "Encrypted-traffic anomaly detection without decryption",
     "Flags malware command-and-control in TLS 1.3 traffic with 96 % recall, no keys needed.",
     "Over 90 % of enterprise traffic is encrypted; inspection by decryption is costly, breaks privacy rules and"
     " misses TLS 1.3 sessions with pinned certificates.",
     "A detector that learns from packet sizes, timings and handshake metadata only, with a compact model that runs"
     " on a 10 Gbit/s sensor.",
     ["96 % recall and 0.3 % false positives on a 40-million-flow campus dataset",
      "Cuts false positives by 38 % against the best published metadata detector",
      "Processes 10 Gbit/s on one 16-core server"],
     ["Network detection and response", "Managed security services", "Critical infrastructure SOCs"],
     ["TLS", "anomaly detection", "network security", "machine learning"], 7, "pct", ["a2", "d1"], OPT, 300),
    ("cybersecurity", "Side-channel resistant AES core for low-cost FPGAs",
     "Withstands 100 million power traces at 18 % area overhead.",
     "Differential power analysis extracts AES keys from unprotected FPGA designs in minutes with lab equipment"
     " costing less than EUR 5,000.",
     "A threshold implementation of AES with randomness recycling, generated automatically for the target FPGA"
     " family.",
     ["No key leakage after 100 million traces (TVLA test passed)",
      "18 % area overhead against 120 % for classic masking"],
     ["Payment terminals", "Drones and defence electronics", "Hardware security modules"],
     ["side channel", "AES", "FPGA", "masking"], 5, "application", ["a1"], PUB, 520),
    ("cybersecurity", "Automated triage of security alerts with case-based reasoning",
     "Closes 62 % of routine SOC alerts automatically, each with a written justification.",
     "Security operations centres receive thousands of alerts a day; analysts spend most of their time closing"
     " false alarms and miss the real incidents.",
     "A triage engine that compares each alert with past analyst decisions and explains the closest cases, with"
     " human review for anything uncertain.",
     ["62 % of alerts closed automatically in a 6-month trial at a regional CERT",
      "Mean time to triage down from 24 minutes to 3",
      "Every decision comes with the cases it rests on, for audit"],
     ["SOC platforms", "MSSPs", "SIEM vendors"],
     ["SOC", "alert triage", "case-based reasoning", "SIEM"], 6, "copyright", ["a2", "d5"], PUB, 190),
    ("cybersecurity", "Privacy budget manager for official statistics releases",
     "Publishes 5 times more tables under the same differential privacy guarantee.",
     "Statistics offices must publish ever more detailed tables without letting anyone re-identify individuals;"
     " ad-hoc suppression is brittle and wastes data.",
     "An optimiser that plans the privacy budget across a whole release programme and answers related tables from"
     " shared noisy measurements.",
     ["5 times more published cells at equal epsilon on census test data",
      "Median relative error under 4 % for municipalities above 2,000 inhabitants"],
     ["National statistics offices", "Health registries", "Mobility data providers"],
     ["differential privacy", "statistics", "GDPR", "anonymisation"], 4, "know_how", ["a5", "d1"], PUB, 95),
    ("cybersecurity", "Phishing-resistant login for shared industrial workstations",
     "Operators sign in with a badge tap in 2 seconds, no passwords on the shop floor.",
     "Shared HMI stations run under one generic account, so nobody knows who changed a setpoint and phishing"
     " passwords opens the plant network.",
     "A FIDO2 authenticator built into a badge reader with operator switching in a running HMI session and an"
     " audit trail per person.",
     ["Sign-in in 2 seconds against 25 seconds with passwords",
      "Per-operator audit trail meets IEC 62443-3-3 SR 1.1"],
     ["Manufacturing execution systems", "Pharmaceutical plants", "Water utilities"],
     ["FIDO2", "authentication", "IEC 62443", "OT security"], 3, "application", ["a1", "b4"], FIRST, 4),
    # --- fintech -----------------------------------------------------------------------------------
    ("fintech", "Graph neural network for real-time payment fraud scoring",
     "Catches 31 % more instant-payment fraud at the same false alarm rate.",
     "Instant payments leave 10 seconds to stop fraud; rule engines and per-transaction models miss mule"
     " networks that only show up across accounts.",
     "A temporal graph neural network that scores each payment with the recent behaviour of the accounts around"
     " it, in under 20 ms.",
     ["31 % more fraud caught at a 0.1 % alert rate on 120 million SEPA Instant payments",
      "p99 latency of 18 ms on commodity CPUs",
      "Explains each score with the suspicious sub-graph"],
     ["Banks and payment processors", "Instant payment schemes", "Card issuers"],
     ["fraud detection", "graph neural network", "SEPA Instant", "AML"], 7, "pct", ["a3", "d1"], OPT, 260),
    ("fintech", "Formal verification toolkit for DeFi lending contracts",
     "Finds liquidation bugs that cost the sector USD 180 million, in minutes per contract.",
     "Lending protocols lose funds through price-oracle manipulation and rounding errors that fuzzing and manual"
     " audits miss.",
     "A model checker with a library of financial invariants (solvency, liquidation fairness) that proves them or"
     " produces an attack transaction.",
     ["Reproduced 9 of 11 historic exploits from the invariant library alone",
      "Average verification time of 6 minutes per contract"],
     ["Smart contract audit firms", "Digital asset custodians", "Exchanges"],
     ["smart contracts", "formal verification", "DeFi", "Solidity"], 5, "open_source", ["a4"], PUB, 330),
    ("fintech", "Privacy-preserving credit scoring across lenders",
     "Raises approval rates for thin-file borrowers by 12 % without sharing customer data.",
     "Young and migrant borrowers have thin credit files; lenders cannot pool their data because of banking"
     " secrecy and the GDPR.",
     "Federated training of a scoring model across lenders with secure aggregation, so no lender sees another's"
     " customers.",
     ["12 % more approvals at equal default rate for thin-file applicants",
      "Model accuracy within 0.5 AUC points of pooled training"],
     ["Consumer lenders", "Buy-now-pay-later providers", "Credit bureaus"],
     ["credit scoring", "federated learning", "financial inclusion"], 4, "application", ["d4", "a3"], PUB, 150),
    ("fintech", "Reconciliation engine for ISO 20022 payment messages",
     "Matches 98.7 % of incoming payments to open invoices without manual work.",
     "Treasury teams still match payments to invoices by hand when references are missing or truncated, even after"
     " the ISO 20022 migration.",
     "A matching engine that reads structured remittance data and falls back on learned fuzzy matching of names,"
     " amounts and dates.",
     ["98.7 % automatic matching on 2 million corporate payments",
      "Cuts reconciliation effort by 80 % in a pilot with a logistics company"],
     ["Corporate treasury", "ERP vendors", "Accounts receivable automation"],
     ["ISO 20022", "reconciliation", "camt.053", "treasury"], 8, "copyright", ["f3", "a3"], LIC, 500),
    ("fintech", "Explainable market-abuse detection for trading surveillance",
     "Cuts false spoofing and layering alerts by 52 % and misses none of the confirmed cases.",
     "Exchanges and brokers must report market abuse, but surveillance rules flood compliance teams with alerts"
     " they cannot explain to regulators.",
     "Sequence models of order-book behaviour with counterfactual explanations that show which orders made the"
     " pattern suspicious.",
     ["52 % fewer false alerts on two years of equity order-book data",
      "No missed case among 140 confirmed spoofing cases"],
     ["Exchanges", "Broker-dealers", "Regulators"],
     ["market abuse", "spoofing", "explainable AI", "MAR"], 4, "know_how", ["d1", "a3"], PUB, 45),
    ("fintech", "Carbon-aware settlement scheduling for batch payments",
     "Moves 40 % of batch payment processing to low-carbon hours with no missed cut-off.",
     "Banks run nightly batch jobs at fixed times regardless of the grid's carbon intensity, although most of them"
     " have hours of slack before their cut-offs.",
     "A scheduler that reads the carbon forecast and the settlement deadlines and shifts jobs inside their windows.",
     ["40 % of batch volume moved to the cleanest hours in a six-week pilot",
      "Zero missed settlement cut-offs"],
     ["Core banking", "Payment processors", "Data centre operators"],
     ["green IT", "batch scheduling", "carbon-aware computing"], 3, "know_how", ["f3"], DRAFT, 0),
    # --- space-systems -----------------------------------------------------------------------------
    ("space-systems", "Radiation-tolerant software voting for COTS processors",
     "Gives commercial processors 99.97 % upset recovery in low Earth orbit.",
     "Radiation-hardened processors cost 100 times more than commercial ones and lag them by a decade, but"
     " commercial chips suffer single-event upsets in orbit.",
     "Software triple modular redundancy across cores with checkpointing and a watchdog in a small FPGA.",
     ["Recovered 99.97 % of injected upsets in proton beam tests",
      "Costs 12 % of throughput against 200 % for hardware triplication",
      "Flight heritage on a 6U CubeSat since 2024"],
     ["Small satellite makers", "Space-grade computer vendors", "High-altitude platforms"],
     ["radiation tolerance", "TMR", "COTS", "onboard computer"], 7, "granted", ["c2"], PUB, 470),
    ("space-systems", "Flood mapping from SAR satellites in under one hour",
     "Delivers flood extent maps 6 hours faster than current emergency services.",
     "Emergency responders wait half a day for flood maps because radar images are processed manually by"
     " specialists.",
     "An automated change-detection chain for Sentinel-1 and commercial SAR, with a model trained on 300 labelled"
     " flood events.",
     ["Map ready 45 minutes after image download",
      "F1 score of 0.91 on an independent set of 40 events"],
     ["Civil protection", "Insurers", "Reinsurance risk models"],
     ["SAR", "flood mapping", "earth observation", "Sentinel-1"], 6, "copyright", ["c3", "d2"], PUB, 380),
    ("space-systems", "Laser inter-satellite terminal for 6U CubeSats",
     "1 Gbit/s between satellites 1,000 km apart in a 1.2 U volume.",
     "Radio links between small satellites are slow and need spectrum licences; optical terminals have been too"
     " large and power-hungry for CubeSats.",
     "A compact optical head with a MEMS fine-pointing mirror and a beacon-free acquisition method.",
     ["1 Gbit/s at 1,000 km with 9 W power draw",
      "Acquisition in under 30 seconds without a beacon laser"],
     ["Satellite constellations", "Earth observation data relay", "Defence"],
     ["optical communications", "CubeSat", "inter-satellite link"], 4, "pct", ["c4", "c1"], PUB, 120),
    ("space-systems", "Collision avoidance planner for satellite constellations",
     "Cuts avoidance manoeuvres by 45 % at the same collision risk.",
     "Constellation operators receive hundreds of conjunction warnings a week and manoeuvre conservatively,"
     " spending fuel and service time.",
     "A planner that combines covariance realism correction with fleet-level manoeuvre optimisation.",
     ["45 % fewer manoeuvres on 12 months of replayed conjunction messages",
      "Fuel savings of 18 % over a five-year mission"],
     ["Constellation operators", "Space traffic management services"],
     ["space debris", "conjunction assessment", "orbit determination"], 5, "application", ["c5"], PUB, 230),
    ("space-systems", "Magnetorquer-only attitude control for nanosatellites",
     "Points a nanosatellite to 2 degrees without reaction wheels, saving 30 % of the bus mass.",
     "Reaction wheels are the first component to fail on small satellites and take a large share of their mass"
     " and power.",
     "A model predictive controller that uses the Earth's magnetic field alone, with an orbit-aware planning"
     " horizon.",
     ["2 degree pointing in orbit demonstration",
      "30 % lighter attitude subsystem"],
     ["CubeSat buses", "University missions", "IoT-from-space constellations"],
     ["attitude control", "magnetorquer", "nanosatellite"], 8, "granted", ["c1", "b5"], LIC, 540),
    ("space-systems", "Onboard cloud detection for optical imaging satellites",
     "Discards cloudy images before download, saving 55 % of downlink capacity.",
     "Two thirds of optical satellite images are mostly cloud, yet they are all downloaded and stored.",
     "A quantised neural network on the satellite's FPGA that scores cloud cover per tile in real time.",
     ["55 % downlink saved in replay of a year of imagery",
      "Runs in 0.8 W on a radiation-tolerant FPGA"],
     ["Earth observation operators", "Payload makers"],
     ["cloud detection", "onboard AI", "FPGA", "earth observation"], 5, "application", ["c2", "c3"], FIRST, 2),
    # --- autonomous-vehicles -----------------------------------------------------------------------
    ("autonomous-vehicles", "Lidar-inertial localisation for GNSS-denied tunnels and mines",
     "Keeps a vehicle within 10 cm of its track over 5 km without satellite positioning.",
     "Autonomous vehicles in tunnels, mines and multi-storey car parks lose GNSS and drift metres within a few"
     " hundred metres.",
     "Tightly coupled lidar-inertial odometry with a map of sparse geometric features that survives dust and"
     " repetitive walls.",
     ["10 cm accuracy over 5 km in a road tunnel",
      "Drift 4 times lower than the best open-source method in dusty mine tests",
      "Runs on an automotive-grade ARM computer"],
     ["Mining vehicles", "Tunnel inspection", "Automated parking"],
     ["lidar", "localisation", "SLAM", "GNSS-denied"], 6, "granted", ["b2", "b1"], PUB, 440),
    ("autonomous-vehicles", "Runtime safety monitor for learned driving functions",
     "Stops 99.2 % of unsafe planner outputs with a 0.4 % intervention rate.",
     "Machine-learned planners cannot be verified with the methods of ISO 26262, which blocks their homologation.",
     "A verified monitor that checks each planned trajectory against formalised traffic rules and physical"
     " reachability, and falls back to a certified minimal-risk manoeuvre.",
     ["99.2 % of unsafe outputs stopped in 2 million simulated scenarios",
      "Only 0.4 % of nominal trajectories overridden",
      "Supports a safety case along ISO 21448 (SOTIF)"],
     ["Automated driving systems", "Robotaxis", "Autonomous trucks"],
     ["functional safety", "SOTIF", "runtime verification", "motion planning"], 5, "pct", ["b1", "f1"], OPT, 280),
    ("autonomous-vehicles", "Weather-robust radar and camera fusion",
     "Detects pedestrians at 80 m in heavy rain, where cameras alone reach 25 m.",
     "Camera-based perception fails in rain, fog and low sun; radar sees through them but is too coarse alone.",
     "Fusion of 4D imaging radar and camera at feature level, trained with synthetic weather augmentation.",
     ["Pedestrian detection range of 80 m in 25 mm/h rain",
      "22 % higher mean average precision than late fusion in fog"],
     ["ADAS suppliers", "Agricultural vehicles", "Port logistics"],
     ["sensor fusion", "radar", "perception", "adverse weather"], 4, "application", ["b2", "e5"], PUB, 170),
    ("autonomous-vehicles", "Scenario generation from crash databases for virtual testing",
     "Turns 10,000 real crash reports into executable OpenSCENARIO tests in one day.",
     "Virtual homologation needs critical scenarios; writing them by hand is slow and misses the situations that"
     " really cause crashes.",
     "A language-model pipeline that reads police crash reports and produces parameterised OpenSCENARIO files,"
     " checked for physical plausibility.",
     ["10,000 scenarios generated in a day against months of manual work",
      "87 % judged faithful to the report by independent experts"],
     ["Vehicle makers", "Test and homologation services", "Simulation vendors"],
     ["OpenSCENARIO", "virtual testing", "scenario generation"], 5, "copyright", ["d5", "b1"], PUB, 60),
    ("autonomous-vehicles", "Cooperative lane merging over C-V2X",
     "Raises motorway on-ramp throughput by 17 % in dense traffic.",
     "Merging vehicles brake abruptly because they cannot agree on gaps, which causes shockwaves and rear-end"
     " collisions.",
     "A negotiation protocol over C-V2X sidelink in which vehicles reserve gaps a few seconds ahead.",
     ["17 % more vehicles per hour on a calibrated motorway simulation",
      "Works with 30 % equipped vehicles"],
     ["Road operators", "Vehicle makers", "C-V2X chipset vendors"],
     ["C-V2X", "cooperative driving", "lane merging"], 3, "application", ["e1", "b1"], PUB, 350),
    ("autonomous-vehicles", "Driver takeover readiness from in-cabin camera",
     "Predicts a driver's readiness to take over 4 seconds ahead with 91 % accuracy.",
     "Level 3 vehicles must hand control back to a driver who may be asleep or distracted, with a few seconds of"
     " warning.",
     "A model that estimates readiness from gaze, posture and hand position, calibrated per driver in the first"
     " minutes of a trip.",
     ["91 % accuracy 4 seconds ahead in a 60-driver simulator study",
      "Runs on the driver monitoring camera already fitted for EU GSR"],
     ["Level 3 automated driving", "Driver monitoring systems"],
     ["driver monitoring", "takeover", "human factors"], 4, "know_how", ["b4", "d3"], ARCH, 520),
    # --- ai-and-data -------------------------------------------------------------------------------
    ("ai-and-data", "Uncertainty estimates for any trained neural network",
     "Tells when a model is wrong, cutting silent errors by 70 % without retraining.",
     "Deployed models give confident answers on inputs unlike their training data, and retraining them with"
     " Bayesian methods is too expensive.",
     "A post-hoc method that attaches calibrated uncertainty to a frozen network from its internal activations.",
     ["70 % fewer silent errors at 10 % abstention on industrial inspection data",
      "Adds under 3 % inference time",
      "No access to the training data needed"],
     ["Industrial quality control", "Medical AI", "Insurance underwriting"],
     ["uncertainty quantification", "trustworthy AI", "calibration"], 5, "pct", ["d1"], PUB, 400),
    ("ai-and-data", "Synthetic tabular data with privacy guarantees",
     "Shares realistic datasets with 95 % of the analytical value and proven privacy.",
     "Companies cannot share customer or patient tables with partners, and naive anonymisation either leaks or"
     " destroys the data.",
     "A generative model trained under differential privacy, with a utility report that compares every analysis"
     " with the original.",
     ["95 % of regression coefficients preserved within 5 % on four benchmark datasets",
      "Membership inference accuracy at chance level"],
     ["Banks", "Hospitals", "Telecom operators"],
     ["synthetic data", "differential privacy", "data sharing"], 6, "copyright", ["a5", "d4"], PUB, 210),
    ("ai-and-data", "Small language model for technical maintenance manuals",
     "Answers technicians' questions with cited manual pages, 4 times cheaper than hosted large models.",
     "Technicians search thousand-page manuals on site; general chatbots invent procedures and cannot run offline.",
     "A 3-billion-parameter model fine-tuned on maintenance documents with retrieval that cites page and figure,"
     " running on a laptop.",
     ["89 % correct answers with citations on 1,200 real technician questions",
      "Runs offline on a laptop GPU",
      "4 times lower cost per answer than a hosted large model"],
     ["Aircraft maintenance", "Industrial equipment service", "Rail operators"],
     ["language model", "retrieval", "maintenance", "RAG"], 6, "know_how", ["d5", "f5"], FIRST, 6),
    ("ai-and-data", "Causal root-cause analysis for production lines",
     "Finds the cause of a quality drop in 2 hours instead of 3 days.",
     "When scrap rates rise, engineers look at hundreds of correlated sensor signals and often fix the wrong one.",
     "Causal discovery on process data combined with engineers' knowledge of the line's structure, ranking"
     " candidate causes with their estimated effect.",
     ["Root cause found in 2 hours on average in 14 incidents at two plants",
      "Correct cause ranked first in 11 of 14 incidents"],
     ["Semiconductor fabs", "Automotive suppliers", "Food processing"],
     ["causal inference", "root-cause analysis", "manufacturing analytics"], 5, "application", ["d1", "f5"], PUB, 310),
    ("ai-and-data", "Energy-efficient training by adaptive precision",
     "Trains vision models with 48 % less energy at equal accuracy.",
     "Training large models costs megawatt-hours; mixed precision helps but uses fixed formats for every layer.",
     "A controller that changes each layer's numeric precision during training from gradient statistics.",
     ["48 % less energy on ImageNet-scale training",
      "Accuracy within 0.2 points of full precision"],
     ["Cloud AI platforms", "AI accelerator makers"],
     ["green AI", "mixed precision", "training efficiency"], 3, "application", ["d4", "c2"], PUB, 75),
    ("ai-and-data", "Document understanding for multilingual invoices",
     "Extracts 27 invoice fields in 24 languages with 97 % field accuracy.",
     "Accounts payable teams re-key invoices that arrive as scans in many languages and layouts.",
     "A layout-aware transformer trained on synthetic invoices, with confidence per field to route doubtful ones"
     " to people.",
     ["97 % field accuracy across 24 languages",
      "78 % of invoices processed with no human touch"],
     ["Accounts payable automation", "Logistics", "Public procurement"],
     ["document AI", "OCR", "invoice processing"], 7, "copyright", ["d5", "d2"], PUB, 255),
    # --- iot ---------------------------------------------------------------------------------------
    ("iot", "Battery-free vibration sensor powered by the machine it monitors",
     "Monitors rotating machines for 15 years with no battery change.",
     "Condition monitoring needs thousands of sensors, and replacing their batteries costs more than the sensors.",
     "A piezoelectric harvester tuned to the machine's own vibration with firmware that schedules measurements on"
     " the energy available.",
     ["Runs from 0.5 g of vibration",
      "One spectrum per 10 minutes over Bluetooth Low Energy",
      "15-year service life without maintenance"],
     ["Predictive maintenance", "Pumps and compressors", "Rail bogies"],
     ["energy harvesting", "condition monitoring", "battery-free", "BLE"], 6, "granted", ["e2"], PUB, 430),
    ("iot", "Indoor positioning from LoRaWAN signals",
     "Locates assets to 3 m indoors using existing LoRaWAN gateways.",
     "Tracking equipment in hospitals and warehouses needs dedicated ultra-wideband infrastructure costing EUR 30 per"
     " square metre.",
     "Fingerprinting of LoRa signal features with a model that adapts to furniture moves from a few reference tags.",
     ["3 m median accuracy in a 12,000 m² hospital wing",
      "No extra infrastructure beyond standard gateways",
      "Tag battery life of 5 years"],
     ["Hospital asset tracking", "Warehouses", "Construction sites"],
     ["LoRaWAN", "indoor positioning", "asset tracking"], 5, "application", ["e4", "e2"], PUB, 140),
    ("iot", "Tamper-evident firmware updates for low-power sensor fleets",
     "Updates 10,000 sensors over the air with 70 % less radio energy.",
     "Updating firmware over LPWAN links drains batteries and, done without signatures, lets attackers take over"
     " fleets.",
     "Signed delta updates with multicast distribution and a bootloader that proves which version runs.",
     ["70 % less radio energy than full-image updates",
      "Rollback protection and signed attestation of the running version"],
     ["Smart metering", "Smart cities", "Agricultural sensing"],
     ["firmware update", "FOTA", "LPWAN", "IoT security"], 7, "open_source", ["e2", "a1"], PUB, 360),
    ("iot", "Soil moisture sensing from radio signal attenuation",
     "Measures soil moisture at root depth for EUR 4 per sensor point.",
     "Capacitive soil probes cost over EUR 100 each, so farms measure at few points and irrigate by guesswork.",
     "Buried low-cost radio tags whose signal attenuation is converted to volumetric water content with a"
     " soil-specific model.",
     ["EUR 4 per point against EUR 100+ for probes",
      "Accuracy of 2.5 % volumetric water content in field trials"],
     ["Precision irrigation", "Vineyards", "Sports turf management"],
     ["agritech", "soil moisture", "RF sensing"], 4, "pct", ["e4"], PUB, 90),
    ("iot", "Digital twin of building ventilation from occupancy sensors",
     "Cuts ventilation energy by 28 % while keeping CO₂ below 1,000 ppm.",
     "Ventilation runs at design airflow all day although rooms are half empty, wasting a third of an office"
     " building's HVAC energy.",
     "A calibrated twin of the ventilation network fed by low-cost occupancy and CO₂ sensors that sets airflow per"
     " zone.",
     ["28 % ventilation energy saved in a 9,000 m² office building over a year",
      "CO₂ kept under 1,000 ppm 99 % of occupied hours"],
     ["Building management systems", "Facility managers", "Schools"],
     ["digital twin", "HVAC", "smart buildings", "energy efficiency"], 7, "copyright", ["e3", "e2"], OPT, 290),
    ("iot", "Sub-milliwatt keyword spotting for voice-controlled devices",
     "Wakes a device on a spoken word at 300 µW, 10 times less than current chips.",
     "Always-listening microphones drain small batteries, so voice control is missing from wearables and remote"
     " controls.",
     "An analog-domain feature extractor with a tiny binary neural network on a microcontroller.",
     ["300 µW average power",
      "95 % accuracy on 12 keywords"],
     ["Wearables", "Remote controls", "Hearing aids"],
     ["keyword spotting", "TinyML", "ultra-low power"], 3, "application", ["e2", "d4"], PUB, 20),
    # --- software-engineering ----------------------------------------------------------------------
    ("software-engineering", "Static analyser for memory-safety bugs in embedded C",
     "Finds 3 times more buffer overflows than commercial tools, with 12 % false alarms.",
     "Embedded C code in cars and medical devices still ships with memory-safety bugs, and existing analysers"
     " drown developers in false alarms.",
     "An abstract interpreter specialised for embedded idioms (memory-mapped registers, fixed pools) with"
     " warnings ranked by exploitability.",
     ["3 times more true buffer overflows than two commercial tools on 40 firmware projects",
      "12 % false alarm rate",
      "Analyses 1 million lines in 20 minutes"],
     ["Automotive software", "Medical devices", "Industrial controllers"],
     ["static analysis", "memory safety", "embedded C", "MISRA"], 6, "copyright", ["f2", "f1"], PUB, 450),
    ("software-engineering", "Grammar-aware fuzzer for industrial protocols",
     "Found 23 previously unknown vulnerabilities in Modbus, OPC UA and DNP3 stacks.",
     "Generic fuzzers rarely get past the first message of stateful industrial protocols, leaving their parsers"
     " untested.",
     "A fuzzer that learns protocol state machines from traffic captures and mutates messages that respect the"
     " grammar.",
     ["23 new CVE-rated vulnerabilities in 9 protocol stacks",
      "5 times the code coverage of AFL++ in 24 hours"],
     ["PLC makers", "Industrial security testing", "Certification labs"],
     ["fuzzing", "OPC UA", "Modbus", "security testing"], 6, "open_source", ["f4", "a2"], PUB, 270),
    ("software-engineering", "Automatic migration of legacy COBOL batch jobs to Java",
     "Migrates 85 % of batch code automatically with behaviour proven equal on production data.",
     "Banks and insurers run core batch processes in COBOL that few developers can maintain; manual rewrites take"
     " years and fail.",
     "A translator to idiomatic Java with differential testing against recorded production runs.",
     ["85 % of 2 million lines translated without manual edits",
      "Output identical on 6 months of recorded batch inputs"],
     ["Banks", "Insurers", "Public administrations"],
     ["legacy modernisation", "COBOL", "code translation"], 7, "copyright", ["f2"], LIC, 480),
    ("software-engineering", "Flaky test detection from a single test run",
     "Identifies 88 % of flaky tests without reruns, saving 30 % of CI time.",
     "Flaky tests make builds fail at random; finding them takes hundreds of reruns that cost CI time.",
     "A classifier over test code and runtime traces that predicts flakiness from one execution.",
     ["88 % of flaky tests found on 60 open-source projects",
      "30 % less CI time spent on reruns"],
     ["Developer tools", "CI/CD platforms", "Large software teams"],
     ["flaky tests", "continuous integration", "test automation"], 5, "open_source", ["f4", "f1"], PUB, 115),
    ("software-engineering", "Cloud cost anomaly detection at deployment time",
     "Warns of a cost regression before it reaches production, saving 21 % of cloud spend.",
     "Cloud bills grow through small configuration changes that nobody reviews for cost until the invoice comes.",
     "A CI step that predicts the cost impact of infrastructure-as-code changes from historic billing data.",
     ["21 % cloud spend saved at two software companies in 6 months",
      "Predictions within 8 % of the actual bill"],
     ["FinOps", "Platform engineering", "Managed service providers"],
     ["FinOps", "cloud cost", "infrastructure as code", "DevOps"], 6, "know_how", ["f3"], FIRST, 8),
    ("software-engineering", "Requirements-to-test traceability for safety standards",
     "Cuts certification evidence preparation by 60 % for DO-178C and IEC 62304.",
     "Safety-critical projects spend months assembling trace matrices from requirements to tests, by hand and"
     " error-prone.",
     "A tool that links requirements, models, code and tests with language models and checks coverage against the"
     " standard's objectives.",
     ["60 % less effort for certification evidence in two avionics projects",
      "Missing links flagged with 93 % precision"],
     ["Avionics", "Medical device software", "Railway signalling"],
     ["traceability", "DO-178C", "IEC 62304", "requirements engineering"], 5, "copyright", ["f5", "d5"], PUB, 35),
    # --- networks-5g -------------------------------------------------------------------------------
    ("networks-5g", "Energy-saving sleep modes for 5G base stations",
     "Cuts radio access network energy by 32 % with no measurable loss of throughput.",
     "Base stations consume most of a mobile network's energy and stay fully on at night when traffic is a tenth"
     " of the peak.",
     "A traffic predictor that switches carriers and antenna branches into deep sleep, coordinated across cells.",
     ["32 % energy saving in a 120-cell operator trial",
      "No measurable throughput loss for users"],
     ["Mobile network operators", "RAN vendors", "O-RAN rApps"],
     ["5G", "energy efficiency", "RAN", "O-RAN"], 7, "granted", ["e1", "e3"], PUB, 420),
    ("networks-5g", "Reconfigurable intelligent surface for indoor mmWave coverage",
     "Extends 28 GHz indoor coverage by 3 times with a passive panel costing EUR 200.",
     "Millimetre-wave signals are blocked by walls and people, so indoor 5G needs many small cells.",
     "A low-cost printed metasurface with electronically switched elements steered by the base station.",
     ["3 times the covered area behind an obstacle",
      "Under 1 W control power, no radio amplifiers"],
     ["Factory 5G", "Stadiums", "Airports"],
     ["RIS", "mmWave", "metasurface", "5G"], 4, "pct", ["e5"], PUB, 200),
    ("networks-5g", "Deterministic latency slicing for private 5G in factories",
     "Guarantees 2 ms latency for motion control next to best-effort traffic.",
     "Factories want to replace industrial Ethernet cables with private 5G, but latency spikes make motion control"
     " unsafe.",
     "A scheduler and slicing controller that reserves radio resources for time-sensitive flows and bridges to"
     " TSN.",
     ["99.999 % of packets under 2 ms in a campus network test",
      "Best-effort throughput reduced by only 9 %"],
     ["Industrial automation", "Private network integrators", "Robot makers"],
     ["private 5G", "network slicing", "TSN", "URLLC"], 5, "application", ["e1", "b4"], PUB, 330),
    ("networks-5g", "Passive network telemetry for encrypted video quality",
     "Estimates video quality per user to within 0.3 MOS from encrypted traffic.",
     "Operators cannot see video quality inside encrypted streams, so they learn of problems from complaints.",
     "A model that infers resolution changes and stalls from packet timing and sizes, deployed at the network edge.",
     ["Within 0.3 MOS of ground truth on 4 streaming services",
      "Processes 100,000 sessions per server"],
     ["Mobile operators", "Broadband providers", "CDN operators"],
     ["QoE", "network telemetry", "video streaming"], 6, "copyright", ["e3"], PUB, 160),
    ("networks-5g", "Beam management from sensing data in 6G",
     "Cuts beam search overhead by 80 % by using the radio's own sensing.",
     "Millimetre-wave links spend much of their time searching for beams when users move.",
     "Joint communication and sensing that tracks users' positions and predicts the next beam.",
     ["80 % less beam training overhead in ray-traced urban scenarios",
      "Link outages reduced by 60 %"],
     ["6G research", "RAN vendors", "Vehicular networks"],
     ["6G", "beam management", "ISAC", "mmWave"], 2, "application", ["e5", "e1"], DRAFT, 0),
    ("networks-5g", "Open RAN xApp for interference-aware scheduling",
     "Raises cell-edge throughput by 26 % in dense urban deployments.",
     "Users at the cell edge suffer from interference with neighbouring cells that standard schedulers ignore.",
     "An xApp for the near-real-time RIC that coordinates scheduling across neighbouring cells from interference"
     " reports.",
     ["26 % higher cell-edge throughput in a 40-cell emulation",
      "Interoperates with two commercial RICs"],
     ["O-RAN vendors", "Mobile operators"],
     ["O-RAN", "xApp", "RIC", "scheduling"], 5, "open_source", ["e1", "e3"], PUB, 12),
    # --- robotics ----------------------------------------------------------------------------------
    ("robotics", "Few-shot grasp learning for mixed-item bin picking",
     "Picks new items reliably after 5 demonstrations, at 1,100 picks per hour.",
     "E-commerce warehouses add thousands of new products a week; picking robots must be retrained for each.",
     "A grasp model pre-trained on simulated objects that adapts to a new item from five demonstrations with a"
     " handheld gripper.",
     ["96 % pick success on 300 unseen items after 5 demonstrations",
      "1,100 picks per hour with a standard arm",
      "No CAD models needed"],
     ["Warehouse automation", "Order fulfilment", "Recycling sorting"],
     ["grasping", "bin picking", "few-shot learning", "warehouse robotics"], 6, "pct", ["b3", "d1"], PUB, 390),
    ("robotics", "Tactile skin for collaborative robot arms",
     "Detects contact in 2 ms anywhere on the arm, for cobots at 2 times today's speed.",
     "Collaborative robots must move slowly because they only detect a collision from motor currents, after the"
     " impact.",
     "A stretchable capacitive skin with proximity sensing that slows the arm before contact.",
     ["Contact detection in 2 ms",
      "Allows 2 times higher speed under ISO/TS 15066 limits"],
     ["Collaborative robots", "Medical robotics", "Service robots"],
     ["tactile sensing", "cobots", "safety", "ISO/TS 15066"], 5, "granted", ["b3", "b4"], OPT, 240),
    ("robotics", "Legged inspection robot control for offshore platforms",
     "Climbs stairs and gratings with 99 % success in 40 knot wind.",
     "Offshore inspections send people to dangerous places; wheeled robots cannot handle stairs and slippery"
     " gratings.",
     "Model predictive control with terrain classification from foot-contact signals, robust to wind gusts.",
     ["99 % success on 500 stair climbs in wind tunnel tests",
      "Works on wet steel gratings"],
     ["Offshore energy", "Chemical plants", "Nuclear decommissioning"],
     ["legged robots", "inspection", "model predictive control"], 5, "know_how", ["b5"], PUB, 300),
    ("robotics", "Programming cobots by demonstration for SMEs",
     "Teaches a new assembly task in 15 minutes without writing code.",
     "Small manufacturers cannot afford robot programmers for short production runs.",
     "A demonstration interface that records a worker's hand motions and turns them into robust robot programs with"
     " force control.",
     ["New task taught in 15 minutes against 2 days of programming",
      "Used by 12 operators without robotics training in a user study"],
     ["SME manufacturing", "Robot integrators", "Vocational training"],
     ["programming by demonstration", "cobots", "human-robot interaction"], 7, "copyright", ["b4", "b3"], PUB, 180),
    ("robotics", "Autonomous weeding robot with plant-level precision",
     "Removes 94 % of weeds mechanically, cutting herbicide use to zero in row crops.",
     "Herbicide bans and resistant weeds leave organic and conventional farmers without effective weed control.",
     "A vision system that tells crop from weed per plant and steers a mechanical hoe between plants at 4 km/h.",
     ["94 % of weeds removed, under 2 % crop damage",
      "Works at 4 km/h in sugar beet and lettuce"],
     ["Agricultural machinery", "Organic farming", "Vegetable growers"],
     ["agricultural robotics", "weeding", "computer vision"], 6, "application", ["b2", "d2"], PUB, 65),
    ("robotics", "Soft gripper for handling fresh food",
     "Handles strawberries and fish fillets with 99.5 % damage-free picks.",
     "Food packing remains manual because rigid grippers bruise delicate products.",
     "A pneumatic soft gripper moulded in food-grade silicone with a tactile fingertip that limits the force.",
     ["99.5 % damage-free picks on strawberries",
      "Washdown-proof to IP69K"],
     ["Food processing", "Packaging", "Agriculture"],
     ["soft robotics", "gripper", "food handling"], 4, "application", ["b3"], PUB, 25),
    # --- digital-health ----------------------------------------------------------------------------
    ("digital-health", "Atrial fibrillation detection from smartwatch photoplethysmography",
     "Detects atrial fibrillation with 97 % sensitivity from a standard smartwatch.",
     "Atrial fibrillation causes a quarter of strokes and is often silent; ECG patches are worn for only two weeks.",
     "A model that reads irregular rhythm from the optical pulse signal and rejects motion artefacts.",
     ["97 % sensitivity and 98 % specificity against 14-day ECG in 600 patients",
      "Works on watches from three makers"],
     ["Wearable makers", "Cardiology services", "Insurers' prevention programmes"],
     ["atrial fibrillation", "PPG", "wearables", "digital biomarkers"], 6, "pct", ["d3", "d1"], PUB, 370),
    ("digital-health", "Brain MRI segmentation for multiple sclerosis follow-up",
     "Measures new lesions in 90 seconds, agreeing with neuroradiologists 93 % of the time.",
     "Counting new multiple sclerosis lesions between scans takes a neuroradiologist 20 minutes and varies between"
     " readers.",
     "A segmentation model trained on scans from 8 scanner types, with a longitudinal comparison step.",
     ["93 % agreement with expert consensus",
      "90 seconds per follow-up scan",
      "Validated on 8 scanner models"],
     ["Radiology software", "Pharmaceutical trials", "Hospital PACS"],
     ["medical imaging", "MRI", "segmentation", "multiple sclerosis"], 6, "copyright", ["d2"], PUB, 220),
    ("digital-health", "Sleep apnoea screening from a bedside radar",
     "Screens for sleep apnoea at home with 89 % accuracy and nothing to wear.",
     "Sleep studies need a night in a lab with a dozen sensors; waiting lists run to months.",
     "A 60 GHz radar that measures breathing motion and classifies apnoea events.",
     ["89 % accuracy in classifying severity against polysomnography in 120 patients",
      "Nothing attached to the patient"],
     ["Sleep clinics", "Home care", "Medical device makers"],
     ["sleep apnoea", "radar sensing", "home monitoring"], 5, "application", ["d3", "e5"], PUB, 130),
    ("digital-health", "Federated learning platform for multi-hospital imaging studies",
     "Trains on data from 10 hospitals without any image leaving its hospital.",
     "Medical AI needs data from many hospitals, but moving patient images across sites is slow and often"
     " unlawful.",
     "A federated platform with secure aggregation, data quality checks and an audit log per site.",
     ["Model within 1 % of centrally trained accuracy in a 10-hospital study",
      "Set-up per site in one day"],
     ["Hospital networks", "Medical AI companies", "Clinical research organisations"],
     ["federated learning", "medical imaging", "privacy"], 7, "open_source", ["d4", "d2"], PUB, 280),
    ("digital-health", "Clinical note summarisation for handovers",
     "Cuts handover preparation time by 40 % with summaries clinicians rate accurate 94 % of the time.",
     "Nurses and doctors spend up to an hour per shift reading notes to prepare handovers.",
     "A language model that summarises notes in the SBAR structure with every statement linked to its source.",
     ["40 % less preparation time in a 3-ward pilot",
      "94 % of summaries rated accurate by clinicians"],
     ["Electronic health record vendors", "Hospitals"],
     ["clinical NLP", "summarisation", "handover"], 4, "know_how", ["d5", "d3"], PUB, 50),
    ("digital-health", "Gait analysis from a smartphone for fall risk",
     "Predicts fall risk in older adults with an AUC of 0.86 from a 30-second walk.",
     "Falls are the first cause of injury in older people, and gait labs are too few to screen everyone at risk.",
     "A smartphone app that records a short walk with the phone in a pocket and scores gait features linked to"
     " falls.",
     ["AUC of 0.86 for falls in the following 12 months in 450 participants",
      "30-second test without any equipment"],
     ["Geriatric care", "Physiotherapy", "Health insurers"],
     ["gait analysis", "fall risk", "mobile health"], 5, "application", ["d3", "b4"], FIRST, 3),
]

# fmt: on

# The ladder's dossier: what the confidential file holds, by maturity.
_EVIDENCE = {
    (1, 3): "the proof-of-concept study and its raw measurements",
    (4, 5): "the laboratory validation report with the full test protocol and data",
    (6, 7): "the field trial report, the test data and the integration notes",
    (8, 9): "the qualification report and the production deployment records",
}
_IP_FILES = {
    "granted": "the granted claims and the EPO search report",
    "application": "the filed application, its claims and the search opinion",
    "pct": "the international application and the written opinion of the search authority",
    "copyright": "the source code escrow details and the third-party licence inventory",
    "know_how": "the know-how description and the list of reference implementations",
    "open_source": "the contribution history, the licence audit and the commercial support options",
}
_IP = {
    "granted": IpStatus.GRANTED_PATENT,
    "application": IpStatus.PATENT_APPLICATION,
    "pct": IpStatus.PCT_APPLICATION,
    "copyright": IpStatus.SOFTWARE_COPYRIGHT,
    "know_how": IpStatus.KNOW_HOW,
    "open_source": IpStatus.OPEN_SOURCE,
}
_OPTIONS = {
    "granted": ["exclusive", "field_of_use", "option"],
    "application": ["exclusive", "field_of_use", "option"],
    "pct": ["exclusive", "non_exclusive", "option"],
    "copyright": ["non_exclusive", "field_of_use"],
    "know_how": ["non_exclusive", "collaboration"],
    "open_source": ["open_source_licence", "collaboration"],
}


def _patents(ip: str, n: int, published: datetime) -> list[str]:
    """Patent numbers in their offices' formats, distinct per listing."""
    if ip == "granted":
        return [f"EP {3 + n % 2} {850 + n * 7 % 140:03d} {(n * 379) % 1000:03d} B1"]
    if ip == "application":
        return [f"EP {published.year % 100 - 1} {150 + n * 13 % 800:03d} {(n * 571) % 1000:03d}.{n % 9 + 1}"]
    if ip == "pct":
        return [f"WO {published.year}/{100000 + n * 4217 % 890000:06d}"]
    return []


def _email(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    parts = ascii_name.replace("'", "").split()
    return f"{parts[0][0]}.{parts[-1]}@research.liaison.example"


def _dossier(trl: int, ip: str, title: str) -> str:
    evidence = next(text for (low, high), text in _EVIDENCE.items() if low <= trl <= high)
    return (
        f"The confidential dossier on {title[0].lower() + title[1:]} contains {evidence}, {_IP_FILES[ip]},"
        " and the inventors' view of the development needed for a first product."
    )


def seed_researchers() -> tuple[dict[str, Researcher], int]:
    existing = {r.name: r for r in db.session.scalars(sa.select(Researcher))}
    found, created = {}, 0
    for key, (name, group, role, expertise, profile, public) in RESEARCHERS.items():
        researcher = existing.get(name)
        if researcher is None:
            researcher = Researcher(
                name=name,
                email=_email(name),
                group=GROUPS[group],
                role=role,
                expertise=expertise,
                profile=profile,
                public=public,
            )
            db.session.add(researcher)
            created += 1
        found[key] = researcher
    db.session.flush()
    return found, created


def reference_of(index: int, days: int) -> str:
    """The invention disclosure's number (NIT-<year of disclosure>-NNN): fixed per listing, whatever
    day the seed runs, so a second run finds every listing it made."""
    return f"NIT-{2024 if days >= 330 else 2025}-{index + 1:03d}"


def seed_catalog(now: datetime | None = None) -> int:
    """The demo researchers and technologies; returns how many records were created."""
    now = (now or utcnow()).replace(microsecond=0)
    researchers, created = seed_researchers()
    domains = {d.slug: d for d in db.session.scalars(sa.select(Domain))}
    known = set(db.session.scalars(sa.select(Technology.reference)))
    for index, spec in enumerate(TECHNOLOGIES):
        (
            domain,
            title,
            benefit,
            problem,
            solution,
            advantages,
            applications,
            keywords,
            trl,
            ip,
            inventors,
            status,
            days,
        ) = spec
        # Spread over 18 months: the days are the hand-set age, nudged by the index so no two coincide.
        published = now - timedelta(days=days, hours=index % 7 * 3 + 1)
        reference = reference_of(index, days)
        if reference in known:
            continue
        group = GROUPS[RESEARCHERS[inventors[0]][1]]
        data = TechnologyData(
            title=title,
            benefit=benefit,
            problem=problem,
            solution=solution,
            advantages=advantages,
            applications=applications,
            keywords=keywords,
            domain_id=domains[domain].id if domain in domains else None,
            trl=trl,
            ip_status=_IP[ip],
            patent_numbers=_patents(ip, index, published),
            licensing_options=_OPTIONS[ip],
            lab=group,
            dossier_summary=_dossier(trl, ip, title),
            inventor_ids=[researchers[key].id for key in inventors],
        )
        technology = create_technology(data, reference=reference, now=published)
        if status != DRAFT:
            set_status(
                technology,
                TechnologyStatus.PUBLISHED,
                now=published,
                first_look_days=FIRST_LOOK_DAYS if status == FIRST else None,
                audited=False,
            )
        later = {
            OPT: TechnologyStatus.UNDER_OPTION,
            LIC: TechnologyStatus.LICENSED,
            ARCH: TechnologyStatus.ARCHIVED,
        }.get(status)
        if later is not None:
            set_status(technology, later, now=published + timedelta(days=days // 2), audited=False)
        created += 1
    db.session.flush()
    return created
