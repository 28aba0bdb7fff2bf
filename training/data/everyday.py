"""Everyday spoken questions and requests, the kind people put to a town's or a general-knowledge
voice assistant, as training text for SEAL's speech tower (issue 18, item 0: general English first).

``everyday_sentences(n, seed, exclude)`` fills several hundred hand-written question and request
frames (what / when / where / how much / how long / can I / do I need / is there / I need / I lost /
my X is broken ..., and statements) with slot words that make sense in them, then varies the
wording the way people talk (contractions, "um", "so", "hey", "please", "quick question").

Slot words come mostly from WordNet's noun hierarchy (``wordnet-base``): all hyponyms of a few
roots per slot type (``building.n.01`` and ``facility.n.01`` for places, ``dish.n.02`` for dishes,
``illness.n.01`` for illnesses, ``vehicle.n.01`` ...) and, for parts of things, the part meronyms
of ``building.n.01`` or ``car.n.01``. A lemma is kept when it is lower case, one or two words, and
common: its sense in that tree has a tag count in ``cntlist.rev`` (SemCor), or the sense is the
lemma's first (most frequent) one and every word of it is a whole word of MiniLM's vocabulary
(a frequent English word). A short ``DROP`` list removes what the filter lets through but nobody
would ask a town's assistant about (military, obscene, dated), and a short ``ADD`` list names a few
everyday lemmas the counts miss (each must be a WordNet noun under that slot's roots; a test checks).
Hand-written lists only where WordNet has no category: weekdays, months, clock times, prices,
durations, town services and problems, modern gadgets and online accounts.

NLTK's ``WordNetCorpusReader`` does not open Debian's ``/usr/share/wordnet``: it needs a
``lexnames`` file that ``wordnet-base`` does not ship, and NLTK 3.10 refuses paths outside its own
data path. So the reader here parses ``data.noun``, ``index.noun``, ``noun.exc`` and
``cntlist.rev`` itself (the format is in wndb(5WN) and cntlist(5WN)); it takes about a second.

Evaluation questions are never reproduced: ``exclude`` takes sentences (the pinned dev questions)
and every candidate whose normalized form (lower case, contractions expanded, no punctuation)
equals one of them, or shares any 4-word sequence with one of them, is dropped.
"""

from __future__ import annotations

import argparse
import functools
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from training.data.sources import SourceMissing

WORDNET_DIR = Path("/usr/share/wordnet")
WORDNET_FILES = ("data.noun", "index.noun", "noun.exc", "cntlist.rev")
INSTALL_HINT = "apt-get install wordnet-base"
MIN_WORDS, MAX_WORDS = 3, 20
NGRAM = 4
SPEAKABLE = re.compile(r"^[A-Z0-9][A-Za-z0-9 .,?'-]*[.?]$")


class WordNetMissing(SourceMissing):
    """WordNet's data files are not where we look; the message says what to install."""


# ------------------------------------------------------------------------------------------------
# WordNet, read from the database files

@dataclass
class _Synset:
    lexfile: int
    words: list[tuple[str, int]]  # (lemma as written, lex_id)
    hyponyms: list[int] = field(default_factory=list)  # ~ and ~i
    parts: list[int] = field(default_factory=list)  # %p part meronyms


class WordNet:
    """The noun half of WordNet 3.0 as Debian's ``wordnet-base`` ships it."""

    def __init__(self, directory: Path | str = WORDNET_DIR):
        self.directory = Path(directory)
        missing = [name for name in WORDNET_FILES if not (self.directory / name).is_file()]
        if missing:
            raise WordNetMissing(
                f"WordNet data files missing in {self.directory} ({', '.join(missing)}): "
                f"install them with `{INSTALL_HINT}`")
        self.synsets: dict[int, _Synset] = {}
        with open(self.directory / "data.noun", encoding="latin-1") as handle:
            for line in handle:
                if not line.startswith(" "):
                    self._data_line(line)
        self.senses: dict[str, list[int]] = {}  # lemma -> synset offsets, most frequent sense first
        with open(self.directory / "index.noun", encoding="latin-1") as handle:
            for line in handle:
                if not line.startswith(" "):
                    fields = line.split()
                    self.senses[fields[0]] = [int(x) for x in fields[-int(fields[2]):]]
        self.tag_counts: dict[str, int] = {}
        with open(self.directory / "cntlist.rev", encoding="latin-1") as handle:
            for line in handle:
                key, _, count = line.split()
                if "%1:" in key:
                    self.tag_counts[key] = int(count)
        self.irregular_plurals: dict[str, str] = {}
        with open(self.directory / "noun.exc", encoding="latin-1") as handle:
            for line in handle:
                plural, *bases = line.split()
                for base in bases:
                    self.irregular_plurals.setdefault(base, plural)

    def _data_line(self, line: str) -> None:
        fields = line.split(" | ")[0].split()
        offset, lexfile, count = int(fields[0]), int(fields[1]), int(fields[3], 16)
        words = [(fields[4 + 2 * i], int(fields[5 + 2 * i], 16)) for i in range(count)]
        synset = _Synset(lexfile, words)
        i = 4 + 2 * count
        for _ in range(int(fields[i])):
            symbol, target, pos = fields[i + 1], int(fields[i + 2]), fields[i + 3]
            i += 4
            if pos != "n":
                continue
            if symbol in ("~", "~i"):
                synset.hyponyms.append(target)
            elif symbol == "%p":
                synset.parts.append(target)
        self.synsets[offset] = synset

    def synset(self, name: str) -> int:
        """``building.n.01`` -> its offset in data.noun."""
        lemma, pos, number = name.rsplit(".", 2)
        if pos != "n" or lemma not in self.senses or int(number) > len(self.senses[lemma]):
            raise KeyError(f"no WordNet noun synset {name}")
        return self.senses[lemma][int(number) - 1]

    def hyponym_closure(self, offset: int) -> list[int]:
        """The synset and all its (instance) hyponyms, in a deterministic order."""
        seen, order, stack = set(), [], [offset]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            order.append(current)
            stack.extend(reversed(self.synsets[current].hyponyms))
        return order

    def tag_count(self, lemma: str, offset: int) -> int:
        """How often SemCor tagged ``lemma`` in this sense (0 when never)."""
        synset = self.synsets[offset]
        for written, lex_id in synset.words:
            base = re.sub(r"\(.*\)$", "", written)
            if base.lower() == lemma.lower():
                key = f"{base.lower()}%1:{synset.lexfile:02d}:{lex_id:02d}::"
                return self.tag_counts.get(key, 0)
        return 0

    def sense_rank(self, lemma: str, offset: int) -> int:
        senses = self.senses.get(lemma.lower(), [])
        return senses.index(offset) + 1 if offset in senses else 99

    def is_noun(self, lemma: str) -> bool:
        return lemma.replace(" ", "_").lower() in self.senses


@functools.lru_cache(maxsize=4)
def load_wordnet(directory: str | None = None) -> WordNet:
    return WordNet(directory or WORDNET_DIR)


@functools.lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Whole words of MiniLM's (BERT's uncased) word-piece vocabulary: frequent English words."""
    from models.weights import resolve_text_model

    vocab = Path(resolve_text_model("all-MiniLM-L6-v2")) / "vocab.txt"
    words = (line.strip() for line in vocab.read_text(encoding="utf-8").splitlines())
    return frozenset(w for w in words if w.isalpha() and w.islower())


# ------------------------------------------------------------------------------------------------
# Slot types

@dataclass(frozen=True)
class Category:
    """A slot type: WordNet roots (hyponyms), or part meronyms, or a hand-written list."""

    roots: tuple[str, ...] = ()
    parts_of: tuple[str, ...] = ()  # part meronyms of these synsets (and their hyponyms, one level)
    exclude: tuple[str, ...] = ()  # subtrees to leave out
    strict: bool = False  # only tag-counted senses (for big trees full of rare names)
    proper: bool = False  # capitalized names (countries, cities): tag-counted instances only
    min_count: int = 1
    mass: bool = False  # a mass noun by default: "{a:x}" and "{pl:x}" give the bare word
    hand: tuple[str, ...] = ()  # a hand-written list (may hold {slots} of its own)
    union: tuple[str, ...] = ()  # the words of other categories
    drop: tuple[str, ...] = ()  # words that read wrong in this slot only


C = Category
CATEGORIES: dict[str, Category] = {
    # town
    "place": C(strict=True, roots=("building.n.01", "facility.n.01", "mercantile_establishment.n.01", "park.n.02",
                "playground.n.01", "parking_lot.n.01", "cemetery.n.01", "beach.n.01", "school.n.02",
                "bank.n.02", "post_office.n.01", "restaurant.n.01"),
               exclude=("military_installation.n.01", "brothel.n.01", "gambling_house.n.01",
                        "religious_residence.n.01", "mental_hospital.n.01", "farm_building.n.01",
                        "plumbing.n.01", "heating_system.n.01", "transportation_system.n.01",
                        "power_system.n.01", "sewer_system.n.01", "range.n.04", "track.n.05")),
    "shop": C(("mercantile_establishment.n.01",), exclude=("slave_market.n.01", "head_shop.n.01")),
    "room": C(("room.n.01",), exclude=("compartment.n.02", "cabin.n.02")),
    "house_part": C(strict=True, parts_of=("building.n.01", "house.n.01"),
                    roots=("window.n.01", "door.n.01", "roof.n.01", "wall.n.01", "floor.n.01",
                           "stairs.n.01", "gutter.n.01", "chimney.n.01", "pipe.n.02", "ceiling.n.01",
                           "fireplace.n.01", "balcony.n.02", "porch.n.01", "fence.n.01", "driveway.n.01")),
    "fixture": C(("plumbing_fixture.n.01", "faucet.n.01", "drain.n.03", "boiler.n.01", "radiator.n.02",
                  "toilet.n.02")),
    "document": C(("legal_document.n.01", "certificate.n.01", "license.n.01", "identification.n.02",
                   "ticket.n.01", "receipt.n.02", "bill.n.02", "form.n.08", "passport.n.02",
                   "visa.n.01", "prescription.n.03", "diploma.n.01", "report_card.n.01"),
                  exclude=("writ.n.01", "statute.n.01", "indictment.n.01", "charter.n.01",
                           "derivative_instrument.n.01", "treaty.n.01")),
    "vehicle": C(("motor_vehicle.n.01", "bicycle.n.01", "boat.n.01", "trailer.n.04", "scooter.n.01"),
                 exclude=("military_vehicle.n.01", "warship.n.01", "armored_vehicle.n.01")),
    "car_part": C(strict=True, parts_of=("car.n.01", "motor_vehicle.n.01"), roots=("tire.n.01", "battery.n.02",
                                                                   "brake.n.01", "headlight.n.01")),
    "bike_part": C(parts_of=("bicycle.n.01",), roots=("tire.n.01",), strict=True),
    "transit": C(("public_transport.n.01", "ferry.n.01", "taxi.n.01", "streetcar.n.01"),
                 exclude=("freight_train.n.01", "hospital_train.n.01", "mail_train.n.01",
                          "boat_train.n.01", "car_train.n.01")),
    # food
    "ingredient": C(("foodstuff.n.02", "meat.n.01", "dairy_product.n.01", "seafood.n.01",
                     "condiment.n.01", "herb.n.02", "spice.n.02", "egg.n.02", "grain.n.02",
                     "nut.n.01", "fish.n.02"), mass=True,
                    exclude=("feed.n.01", "additive.n.01"),
                    drop=("biscuit", "bun", "cracker", "loaf", "sweet roll", "toast", "roast", "egg",
                          "porkchop", "porterhouse", "sirloin", "steak", "sausage", "pickle", "nut",
                          "walnut", "grain", "herb", "dough", "bread dough", "sardine", "potato", "dressing",
                          "coconut", "juice", "sauce", "liver", "seafood", "meat", "fish", "black bread",
                          "dark bread", "unleavened bread", "blowfish", "partridge", "mutton", "carp")),
    "produce": C(("edible_fruit.n.01", "vegetable.n.01", "root_vegetable.n.01")),
    "dish": C(("dish.n.02", "baked_goods.n.01", "dessert.n.01", "sandwich.n.01", "soup.n.01",
               "salad.n.01", "pasta.n.02", "pizza.n.01", "casserole.n.02", "omelet.n.01")),
    "drink": C(("beverage.n.01",), mass=True, exclude=("potion.n.01",)),
    "meal": C(("meal.n.01",), mass=True),
    # health
    "illness": C(("illness.n.01", "disease.n.01", "allergy.n.01", "infection.n.01",
                  "disorder.n.01"), mass=True, strict=True,
                 exclude=("plant_disease.n.01", "animal_disease.n.01", "genetic_disease.n.01",
                          "mental_disorder.n.01", "sexually_transmitted_disease.n.01")),
    "symptom": C(("symptom.n.01", "pain.n.01", "ache.n.01", "injury.n.01", "rash.n.01",
                  "cough.n.01", "fever.n.01"), exclude=("autism.n.01", "growing_pains.n.01")),
    "injury": C(("injury.n.01", "wound.n.01", "burn.n.01", "bruise.n.01", "sprain.n.01", "cut.n.05",
                 "fracture.n.01", "bite.n.01", "sting.n.03"),
                drop=("black eye", "harm", "bleeding", "trauma"),
                exclude=("birth_trauma.n.01", "blast_trauma.n.01", "penetrating_trauma.n.01",
                         "trench_foot.n.01", "brain_damage.n.01")),
    "medicine": C(("medicine.n.02", "analgesic.n.01", "antibiotic.n.01", "antihistamine.n.01",
                   "vitamin.n.01", "cough_drop.n.01", "sedative.n.01", "vaccine.n.01"),
                  mass=True, exclude=("atomic_cocktail.n.01", "drug_cocktail.n.01",
                                      "lethal_dose.n.01", "magic_bullet.n.01")),
    "body_part": C(("external_body_part.n.01", "internal_organ.n.01", "joint.n.01", "tooth.n.01",
                    "eye.n.01", "ear.n.01", "nose.n.01", "mouth.n.02", "back.n.01", "skin.n.01",
                    "throat.n.01", "stomach.n.01", "shoulder.n.01", "knee.n.01", "ankle.n.01",
                    "wrist.n.01", "hip.n.01", "chest.n.01", "muscle.n.01", "bone.n.01",
                    "nail.n.01", "tongue.n.01", "gum.n.02", "brain.n.01"),
                   exclude=("reproductive_organ.n.01", "sex_organ.n.01", "breast.n.01"),
                   strict=True),
    # living things
    "animal": C(("mammal.n.01", "bird.n.01", "reptile.n.01", "amphibian.n.03", "insect.n.01",
                 "arachnid.n.01", "fish.n.01", "domestic_animal.n.01", "mollusk.n.01", "crustacean.n.01"),
                strict=True, exclude=("person.n.01", "hominid.n.01", "homo.n.02")),
    "pet": C(("dog.n.01", "domestic_cat.n.01", "rabbit.n.01", "hamster.n.01", "guinea_pig.n.02",
              "parrot.n.01", "goldfish.n.01", "canary.n.04", "tortoise.n.01", "budgerigar.n.01",
              "pony.n.05", "mouse.n.01"), strict=True),
    "pest": C(("insect.n.01", "rodent.n.01", "arachnid.n.01", "slug.n.07", "snail.n.01",
               "woodlouse.n.01", "pigeon.n.01"), strict=True),
    "plant": C(("tree.n.01", "flower.n.01", "shrub.n.01", "herb.n.01", "vine.n.01", "grass.n.01",
                "fern.n.01", "cactus.n.01", "houseplant.n.01", "moss.n.01"), strict=True,
               exclude=("poison_ivy.n.02",)),
    "tree": C(("tree.n.01",), strict=True),
    "flower": C(("flower.n.01", "rose.n.01", "tulip.n.01", "lily.n.01", "sunflower.n.01",
                 "daisy.n.01", "orchid.n.01", "poppy.n.01", "daffodil.n.01", "violet.n.01",
                 "geranium.n.01", "lavender.n.01"), strict=True),
    # things
    "device": C(("home_appliance.n.01", "electronic_equipment.n.01", "computer.n.01", "telephone.n.01",
                 "camera.n.01", "heater.n.01", "clock.n.01", "lamp.n.02", "printer.n.03",
                 "fan.n.01", "air_conditioner.n.01", "smoke_alarm.n.01", "thermostat.n.01",
                 "remote_control.n.01", "hair_dryer.n.01", "radio.n.02"),
                exclude=("cardiac_monitor.n.01", "crystal_detector.n.01")),
    "tool": C(("hand_tool.n.01", "power_tool.n.01", "garden_tool.n.01", "drill.n.01", "ladder.n.01",
               "wrench.n.03", "screwdriver.n.01", "pliers.n.01", "saw.n.02", "tape_measure.n.01",
               "shovel.n.01", "rake.n.03", "hose.n.03", "lawn_mower.n.01", "wheelbarrow.n.01"),
              exclude=("roach_clip.n.01",)),
    "furniture": C(("furniture.n.01",), exclude=("altar.n.01", "throne.n.01", "operating_table.n.01",
                                                 "pew.n.01")),
    "household": C(("kitchen_utensil.n.01", "tableware.n.01", "bedclothes.n.01", "cutlery.n.02",
                    "cooking_utensil.n.01", "towel.n.01", "pillow.n.01", "mattress.n.01",
                    "curtain.n.01", "rug.n.01", "mirror.n.01", "candle.n.01", "vacuum.n.04",
                    "mop.n.01", "broom.n.01", "bucket.n.01", "light_bulb.n.01", "battery.n.02")),
    "container": C(("bottle.n.01", "jar.n.01", "box.n.01", "can.n.01", "carton.n.02", "bag.n.01",
                    "cup.n.01", "tray.n.01", "envelope.n.01", "packet.n.03", "jug.n.01", "tub.n.02",
                    "tube.n.01"), strict=True,
                   exclude=("wheeled_vehicle.n.01", "coffin.n.01", "body_bag.n.01", "vessel.n.03")),
    "material": C(("plastic.n.01", "glass.n.01", "cardboard.n.01", "rubber.n.01", "concrete.n.01",
                   "foil.n.01", "styrofoam.n.01"), mass=True, strict=True,
                  exclude=("playing_card.n.01", "revenue_stamp.n.01", "chad.n.01")),
    "clothing": C(("garment.n.01", "footwear.n.02", "headdress.n.01", "glove.n.02", "scarf.n.01",
                   "coat.n.01", "raincoat.n.01", "sock.n.01", "umbrella.n.01"),
                  exclude=("foundation_garment.n.01", "underwear.n.01", "hair_shirt.n.01", "veil.n.01")),
    # people and events
    "job": C(("professional.n.01", "health_professional.n.01", "craftsman.n.03", "skilled_worker.n.01",
              "mechanic.n.01", "plumber.n.01", "electrician.n.01", "carpenter.n.01", "painter.n.02",
              "driver.n.01", "cook.n.01", "waiter.n.01", "nurse.n.01", "police_officer.n.01",
              "firefighter.n.01", "accountant.n.01", "engineer.n.01", "programmer.n.01",
              "librarian.n.01", "pharmacist.n.01", "architect.n.01", "journalist.n.01",
              "farmer.n.01", "baker.n.02", "butcher.n.01", "hairdresser.n.01", "gardener.n.01",
              "veterinarian.n.01", "dentist.n.01", "lawyer.n.01", "teacher.n.01", "cleaner.n.03",
              "postman.n.01", "pilot.n.01", "secretary.n.02", "receptionist.n.01", "chef.n.01",
              "scientist.n.01", "social_worker.n.01", "translator.n.01", "musician.n.01",
              "photographer.n.01", "electrician.n.01", "locksmith.n.01", "bricklayer.n.01"),
             strict=True,
             exclude=("military_officer.n.01", "serviceman.n.01", "soldier.n.01", "missionary.n.01",
                      "official.n.01", "diplomat.n.01", "quack.n.01", "headmistress.n.01")),
    "trade": C(("plumber.n.01", "electrician.n.01", "carpenter.n.01", "painter.n.02", "mechanic.n.01",
                "locksmith.n.01", "roofer.n.01", "bricklayer.n.01", "gardener.n.01", "handyman.n.01",
                "cleaner.n.03", "builder.n.03", "glazier.n.01", "exterminator.n.01",
                "upholsterer.n.01", "tiler.n.01")),
    "health_job": C(("health_professional.n.01", "dentist.n.01", "pharmacist.n.01", "optician.n.01",
                     "physiotherapist.n.01", "veterinarian.n.01", "midwife.n.01", "pediatrician.n.01",
                     "dermatologist.n.01", "chiropractor.n.01", "optometrist.n.01"),
                    exclude=("intern.n.01", "foster-nurse.n.01", "scrub_nurse.n.01", "shrink.n.01")),
    "relative": C(("relative.n.01", "spouse.n.01", "parent.n.01", "grandparent.n.01",
                   "sibling.n.01"), strict=True,
                  exclude=("ancestor.n.01", "descendant.n.01", "offspring.n.01", "blood_relation.n.01",
                           "illegitimate.n.01", "kin.n.01", "golf_widow.n.01", "mate.n.03")),
    "event": C(("party.n.02", "concert.n.01", "festival.n.01", "wedding.n.01", "funeral.n.01",
                "parade.n.01", "fair.n.01", "match.n.02", "race.n.02", "exhibition.n.02",
                "play.n.01", "ceremony.n.01", "meeting.n.01", "auction.n.02",
                "tournament.n.01", "recital.n.02", "lecture.n.01", "reception.n.02",
                "picnic.n.03", "barbecue.n.02", "carnival.n.01", "sale.n.03"),
                strict=True, exclude=("preliminary.n.01",)),
    # nature and science
    "weather": C(("atmospheric_phenomenon.n.01", "weather.n.01", "storm.n.01", "heat_wave.n.01",
                  "drought.n.01", "flood.n.01", "frost.n.01", "hail.n.01", "sleet.n.01", "ice.n.01"),
                 mass=True, strict=True,
                 exclude=("elves.n.01", "inversion.n.05", "thermal.n.01", 
                          "atmosphere.n.05", "air.n.01", "quiet.n.01", "low.n.02", "puff.n.05")),
    "phenomenon": C(("weather.n.01", "geological_phenomenon.n.01", "tide.n.01", "eclipse.n.01",
                     "rainbow.n.01", "lightning.n.01", "thunder.n.01", "aurora.n.02", "gravity.n.01",
                     "magnetism.n.01", "electricity.n.01", "photosynthesis.n.01", "evaporation.n.01",
                     "erosion.n.01", "volcano.n.02", "earthquake.n.01", "tornado.n.01", "hurricane.n.01",
                     "global_warming.n.01", "greenhouse_effect.n.01", "sunset.n.01", "sunrise.n.01",
                     "fog.n.01", "snow.n.02", "wind.n.01", "rain.n.01", "echo.n.01",
                     "rust.n.01", "fermentation.n.02"),
                    strict=True, exclude=("deposit.n.04", "shock.n.03")),
    "celestial": C(("celestial_body.n.01", "galaxy.n.03", "black_hole.n.01", "comet.n.01",
                    "meteor.n.01", "constellation.n.02", "moon.n.06", "star.n.01", "satellite.n.03"),
                   strict=True),
    "planet": C(("planet.n.01", "terrestrial_planet.n.01", "superior_planet.n.01",
                 "inferior_planet.n.01"), proper=True, min_count=0),
    "element": C(("chemical_element.n.01",), mass=True, strict=True,
                 exclude=("activated_carbon.n.01", "carbon_black.n.01", "char.n.01", "adamant.n.01",
                          "trace_element.n.01", "base_metal.n.01", "heavy_metal.n.02", "noble_metal.n.01",
                          "metallic_element.n.01", "wrought_iron.n.01", "cast_iron.n.01")),
    "subject": C(("natural_science.n.01", "social_science.n.01", "mathematics.n.01",
                  "history.n.03", "geography.n.01", "literature.n.01",
                  "computer_science.n.01", "philosophy.n.02", "psychology.n.01", "economics.n.01",
                  "accounting.n.03", "statistics.n.01", "algebra.n.01", "geometry.n.01",
                  "calculus.n.03", "cooking.n.01", "nursing.n.01",
                  "engineering.n.02"), mass=True, strict=True,
                 exclude=("pathology.n.01", "morphology.n.01", "topology.n.01", "dynamics.n.01",
                          "statistical_mechanics.n.01", "surface_chemistry.n.01", "plasma_physics.n.01",
                          "mechanics.n.01", "pharmacy.n.01", "medicine.n.01", "surgery.n.01",
                          "psychiatry.n.01", "forestry.n.01", "dentistry.n.01")),
    "sport": C(("sport.n.01", "chess.n.02", "yoga.n.01", "dance.n.01", "martial_art.n.01",
                "jogging.n.01", "hiking.n.01", "fishing.n.01", "bowling.n.01"), mass=True, strict=True,
               exclude=("blood_sport.n.01", "hunting.n.01", "camel_racing.n.01", "greyhound_racing.n.01",
                        "dune_cycling.n.01", "doubles.n.01", "singles.n.01", "round.n.08",
                        "floating.n.01", "dive.n.02", "field_sport.n.01", "outdoor_sport.n.01",
                        "contact_sport.n.01", "spectator_sport.n.01", "team_sport.n.01", "rock_climbing.n.01",
                        "tumbling.n.01", "jumping.n.01", "water_sport.n.01", "racing.n.01",
                        "athletic_game.n.01", "outdoor_game.n.01", "court_game.n.01", "ball_game.n.01",
                        "night_game.n.01", "aquatics.n.01", "equestrian_sport.n.01", "riding.n.01",
                        "athletics.n.01", "sport.n.01")),
    "instrument": C(("musical_instrument.n.01",), strict=True,
                    exclude=("bones.n.01", "organ_pipe.n.01", "post_horn.n.01", "rain_stick.n.01",
                             "electronic_instrument.n.01", "keyboard_instrument.n.01",
                             "percussion_instrument.n.01", "wind_instrument.n.01",
                             "stringed_instrument.n.01", "brass.n.02", "string.n.04")),
    "genre": C(("popular_music.n.01", "music_genre.n.01", "jazz.n.02", "rock.n.06",
                "classical_music.n.01", "country_music.n.01", "hip-hop.n.01", "folk_music.n.01"),
               mass=True, strict=True, exclude=("black_music.n.01", "gradual.n.01", "religious_music.n.01",
                                                "serious_music.n.01", "military_march.n.01", "chant.n.01",
                                                "chorale.n.01", "choral.n.01", "spiritual.n.01",
                                                "religious_song.n.01", "marching_music.n.01")),
    "currency": C(("monetary_unit.n.01", "dollar.n.01", "euro.n.01", "pound.n.02", "yen.n.02",
                   "peso.n.01", "rupee.n.01", "franc.n.01", "yuan.n.01"), strict=True,
                  exclude=("subunit.n.01", "anna.n.01", "bob.n.03", "fen.n.01", "heller.n.02", "mil.n.03",
                           "sen.n.01", "sent.n.01", "punt.n.03", "leone.n.01", "dong.n.01", "lev.n.01",
                           "won.n.01", "cordoba.n.01", "bolivar.n.02", "rand.n.02", "cent.n.01",
                           "penny.n.01", "monetary_unit.n.01")),
    "country": C(("country.n.02", "state.n.04"), proper=True, min_count=1),
    "city": C(("city.n.01", "national_capital.n.01", "port.n.01"), proper=True, min_count=1),
    "language": C(("natural_language.n.01", "language.n.01"), proper=True, min_count=1),
    "season": C(("season.n.02",), strict=True, mass=True, exclude=("dry_season.n.01", "rainy_season.n.01")),
    # hand-written: no WordNet category fits
    "weekday": C(hand=("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")),
    "month": C(hand=("January", "February", "March", "April", "May", "June", "July", "August",
                     "September", "October", "November", "December")),
    "holiday": C(hand=("Christmas", "New Year's Eve", "New Year's Day", "Easter", "Thanksgiving",
                       "Halloween", "the bank holiday", "the long weekend", "the school holidays",
                       "Boxing Day", "Independence Day", "Labor Day", "Memorial Day", "Good Friday",
                       "Christmas Eve", "Valentine's Day", "Mother's Day", "Father's Day")),
    "when": C(hand=("today", "tomorrow", "tonight", "this weekend", "this morning", "this afternoon",
                    "this evening", "tomorrow morning", "tomorrow afternoon", "tomorrow night",
                    "next week", "on {weekday}", "next {weekday}", "this {weekday}", "on {weekday} morning",
                    "on {weekday} afternoon", "on {weekday} evening", "in {month}", "at the weekend",
                    "on the weekend", "over {holiday}", "on {holiday}", "during {holiday}",
                    "right now", "later today", "in the morning", "at lunchtime", "after work",
                    "at {time}", "around {time}", "before {time}", "after {time}", "early next week",
                    "at the end of the month", "in the summer", "in the winter", "over the summer",
                    "the day after tomorrow", "in two weeks", "next month", "later this week")),
    "time": C(hand=tuple(
        [f"{h}" for h in ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                          "ten", "eleven", "twelve")]
        + [f"{h} o'clock" for h in ("six", "seven", "eight", "nine", "ten", "eleven", "twelve")]
        + [f"{h} thirty" for h in ("six", "seven", "eight", "nine", "ten", "eleven", "twelve", "one",
                                   "two", "three", "four", "five")]
        + [f"half past {h}" for h in ("six", "seven", "eight", "nine", "ten", "two", "three", "four")]
        + [f"quarter past {h}" for h in ("seven", "eight", "nine", "five")]
        + [f"quarter to {h}" for h in ("eight", "nine", "six", "twelve")]
        + [f"{h} fifteen" for h in ("seven", "eight", "nine", "ten", "four", "five")]
        + [f"{h} forty-five" for h in ("seven", "eight", "five", "six")]
        + [f"{d} {p}" for d in ("6", "7", "8", "9", "10", "11", "1", "2", "3", "4", "5")
           for p in ("am", "pm")]
        + [f"{h} in the morning" for h in ("six", "seven", "eight", "nine", "ten", "eleven")]
        + [f"{h} in the evening" for h in ("five", "six", "seven", "eight", "nine")]
        + ["noon", "midday", "midnight", "lunchtime"])),
    "number": C(hand=("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                      "twelve", "fifteen", "twenty", "thirty", "forty", "fifty", "a hundred",
                      "2", "3", "4", "5", "6", "8", "10", "12", "20", "25", "50", "100")),
    "small_number": C(hand=("two", "three", "four", "five", "six", "eight", "ten", "2", "3", "4", "6")),
    "price": C(hand=tuple(f"{amount} {unit}" for amount in (
        "five", "ten", "twenty", "fifty", "a hundred", "two hundred", "a thousand", "fifteen",
        "thirty", "forty", "twenty-five", "500", "20", "10", "300")
        for unit in ("dollars", "pounds", "euros", "bucks")) + ("fifty cents", "a dollar", "a pound")),
    "duration": C(hand=("an hour", "half an hour", "two hours", "ten minutes", "twenty minutes",
                        "forty minutes", "a day", "two days", "three days", "a week", "two weeks",
                        "a month", "six months", "a year", "a few days", "a couple of weeks",
                        "five minutes", "three hours", "the weekend", "a night", "two nights",
                        "ninety minutes", "15 minutes", "45 minutes")),
    "age": C(hand=("two", "three", "four", "five", "six", "seven", "eight", "ten", "twelve",
                   "fourteen", "sixteen", "eighteen", "sixty", "seventy", "eighty")),
    "temperature": C(hand=("180 degrees", "200 degrees", "350 degrees", "four hundred degrees",
                           "a low heat", "a high heat", "gas mark four", "medium heat", "220 degrees",
                           "thirty degrees", "minus five")),
    "distance": C(hand=("a mile", "two miles", "five miles", "ten kilometers", "a kilometer",
                        "half a mile", "three miles", "twenty miles", "100 miles")),
    "service": C(hand=(
        "bin collection", "rubbish collection", "garbage pickup", "recycling collection",
        "garden waste collection", "bulky waste collection", "street cleaning", "snow clearing",
        "the recycling centre", "the food bank", "the library card scheme", "parking permits",
        "resident parking", "council tax", "property tax", "the bus pass scheme", "housing benefit",
        "free school meals", "after school clubs", "childcare support", "adult education classes",
        "swimming lessons", "the youth club", "the senior center", "meals on wheels", "home care",
        "the community garden", "allotments", "dog licensing", "pest control", "street lighting",
        "road repairs", "planning permission", "building permits", "noise complaints",
        "the water supply", "sewer repairs", "tree trimming", "leaf collection", "Christmas tree collection",
        "the farmers market", "marriage registration", "birth registration", "voter registration",
        "jury duty", "the community center", "public toilets", "the lost property office",
        "electric car charging", "bike hire", "the park and ride", "the school bus",
        "fishing permits", "market stall licences", "the local clinic", "flu jabs", "vaccinations")),
    "problem": C(hand=(
        "a pothole", "a broken streetlight", "graffiti", "fly-tipping", "a blocked drain",
        "an abandoned car", "a fallen tree", "a water leak", "a burst water main", "a power cut",
        "overflowing bins", "a missed bin collection", "dog fouling", "a noisy neighbor",
        "a broken traffic light", "a dead animal in the road", "litter in the park",
        "a damaged pavement", "a broken bench", "illegal parking", "a flooded road", "a gas smell",
        "rats in the street", "a broken swing in the playground", "a missing road sign",
        "a loose manhole cover", "an icy footpath", "a stray dog", "broken glass on the path")),
    "gadget": C(hand=(
        "phone", "smartphone", "laptop", "tablet", "computer", "smart watch", "printer", "router",
        "wifi router", "smart TV", "TV", "games console", "e-reader", "smart speaker", "headphones",
        "earbuds", "webcam", "keyboard", "mouse", "hard drive", "USB stick", "charger", "camera",
        "doorbell camera", "fitness tracker", "baby monitor", "sat nav", "dishwasher", "microwave")),
    "online": C(hand=(
        "password", "email password", "wifi password", "email account", "bank app", "online banking",
        "voicemail", "pin number", "Apple ID", "Google account", "social media account",
        "streaming subscription", "phone contract", "home broadband", "library account",
        "council account", "parking app", "bus app", "calendar", "contacts", "photos", "text messages")),
    "belonging": C(hand=(
        "wallet", "purse", "keys", "car keys", "house keys", "phone", "umbrella", "glasses",
        "sunglasses", "bag", "backpack", "handbag", "coat", "jacket", "scarf", "gloves", "hat",
        "watch", "ring", "passport", "bus pass", "library card", "credit card", "bank card",
        "driving licence", "ID card", "laptop", "headphones", "suitcase", "water bottle")),
    "payment": C(hand=(
        "my water bill", "my electricity bill", "my gas bill", "my phone bill", "my rent",
        "my council tax", "a parking fine", "a parking ticket", "a speeding ticket", "my property tax",
        "my credit card bill", "my internet bill", "my TV licence", "my car insurance",
        "my mortgage", "the school trip", "my tuition fees", "a library fine", "my dentist bill",
        "the vet bill", "my gym membership", "my car tax")),
    "errand": C(hand=(
        "park on the street", "fish in the river", "travel abroad", "open a bank account",
        "rent a flat", "drive a car", "use the library", "vote", "start a business",
        "get married", "sell food at the market", "build a shed", "cut down a tree in my garden",
        "hold a street party", "keep chickens", "fly a drone", "work part-time", "volunteer at a school",
        "rent a car", "see a doctor", "board a plane", "cross the border", "buy a house",
        "camp in the park", "put up a fence", "run a market stall", "work abroad")),
    "task": C(hand=(
        "call my {relative}", "take out the bins", "pay {payment}", "buy {ingredient}",
        "water the plants", "pick up the kids", "book an appointment with the {health_job}",
        "renew my {document}", "take my {medicine}", "walk the dog", "feed the {pet}",
        "defrost the {ingredient}", "put the {dish} in the oven", "charge my {gadget}",
        "send the {document}", "check the {car_part}", "return the library books",
        "move the car", "lock the back door", "turn off the {device}", "buy milk",
        "go to the {place}", "email my {relative}", "clean the {room}", "fix the {house_part}",
        "call the {trade}", "book a table for {small_number}", "collect my prescription",
        "cancel my {online}", "order more {ingredient}", "wish my {relative} happy birthday")),
    "occasion": C(hand=(
        "a birthday", "her birthday", "his birthday", "our anniversary", "Christmas", "a wedding",
        "a retirement", "graduation", "a new baby", "a housewarming", "Mother's Day",
        "Father's Day", "Valentine's Day", "a leaving party", "Easter")),
    "phrase": C(hand=(
        "thank you", "good morning", "good night", "excuse me", "where is the toilet",
        "how much is this", "I don't understand", "hello", "goodbye", "please", "I'm sorry",
        "can you help me", "the bill please", "I'm allergic to nuts", "where is the station",
        "I need a doctor", "happy birthday", "cheers", "nice to meet you", "how are you")),
    "action": C(hand=(
        "walk", "run", "bend down", "sleep", "eat", "swallow", "breathe in", "climb stairs",
        "sit for a long time", "stand up", "lift things", "type", "cough", "wake up", "exercise",
        "turn my head", "go up the stairs", "drink something cold", "chew", "kneel")),
    "product": C(union=("device", "gadget", "tool", "furniture", "household", "clothing", "instrument")),
    "thing": C(union=("device", "gadget", "tool", "furniture", "household", "vehicle")),
}
del C

# Hand notes on grammar: these are mass nouns wherever they are found ("I have nausea"),
# these count nouns even in a mass category ("a cookie"), and these take a special article.
MASS = frozenset("""
spinach lettuce broccoli celery garlic corn asparagus kale greens rhubarb parsley basil cauliflower
cabbage rice pasta bread cheese butter meat milk soup stew stock chili curry hash pudding spaghetti
salad toast cereal porridge oatmeal fish chicken beef pork lamb ham bacon turkey salmon tuna
nausea congestion swelling bleeding vertigo inflammation dizziness diarrhea constipation heartburn
insomnia indigestion fatigue hay fever asthma diabetes cancer arthritis sunburn acne eczema
jewelry luggage furniture cutlery crockery laundry software hardware glass paper plastic
food chocolate candy fudge popcorn toffee honey jam yogurt
""".split())
COUNT = frozenset("""
cookie biscuit cake pie bun roll muffin croissant doughnut pancake waffle sandwich burger hamburger
pizza omelet omelette egg sausage steak chop taco burrito potato onion tomato pepper carrot
cold cough fever headache rash burn bruise cut sprain fracture sting bite blister migraine
storm thunderstorm hurricane tornado blizzard gale heat wave drought flood shower earthquake
eclipse rainbow tide volcano sunset sunrise snowstorm frost hailstorm typhoon
""".split())
ARTICLE = {"flu": "the flu", "measles": "measles", "mumps": "mumps", "chickenpox": "chickenpox",
           "hiccups": "hiccups", "shingles": "shingles", "hives": "hives", "gout": "gout",
           "sore throat": "a sore throat", "common cold": "a cold", "stomach flu": "the stomach flu"}

# What the WordNet filter lets through that does not belong in everyday questions.
DROP = frozenset((
    "America", "Congo", "Dominican Republic", "Great Britain", "Philippines", "The Netherlands", "United Kingdom", "United States", "aviary", "boardinghouse", "bride", "bridegroom", "doghouse", "great-niece", "half sister", "half-brother", "housewife", "little sister", "mate", "relative", "second cousin", "sis", "sleeping capsule", "spouse", "twin", "vestibule",
    "American", "Assyrian", "Athabascan", "Balinese", "British", "Burma", "Cassite", "Cherokee", "Cheyenne", "Communist China", "English", "French", "Hellenic", "Hesperus", "Hokan", "Irish", "Khmer", "Lucifer", "Massachuset", "Min", "Modern Greek", "North", "Oxford English", "Penutian", "Phosphorus", "Red China", "Red Planet", "Reich", "Rumanian", "Salish", "Siamese", "Slavic", "Soviet Union", "Spanish", "Swiss", "Third Reich", "Union", "Vesper", "Viet Nam", "Yokuts", "Yugoslavia", "abscess", "accelerator", "afghan", "air", "alley cat", "alter ego", "amethystine python", "anorexia", "apothecary", "at home", "atmosphere", "atrophy", "attraction", "bale", "bedding", "bedstead", "beef man", "benefit", "bloat", "bloodhound", "boater", "boatswain", "bolster", "bolt", "brain tumor", "breeches", "bridge", "bronchiolitis", "bug", "bugler", "bundle", "bursitis", "capillary", "capillary tubing", "car door", "cards", "case", "cash register", "cast", "catheter", "celestial body", "charcoal", "chemist's", "chest", "chick", "chief", "chill", "chimney corner", "choirboy", "chute", "coco palm", "coloratura", "columbine", "column", "compact", "compartment", "comrade", "conclave", "congress", "contralto", "contusion", "cords", "corner", "cottonmouth", "coughing", "country doctor", "court", "cover", "coverlet", "crofter", "crony", "crown", "cumulus", "cut glass", "dairy cow", "dairyman", "dance", "date", "deck", "demonstrator", "derby", "diagnostician", "diarrhoea", "dichondra", "display window", "dove", "drape", "drapery", "drawers", "dysentery", "earth", "edema", "element", "emphysema", "experimenter", "extern", "feature", "feed bunk", "fellow", "fencing", "file", "fish hawk", "flat", "floodhead", "flower", "fox terrier", "frangipani", "gamecock", "gamin", "garden heliotrope", "garment", "gentian", "germanium", "globe", "golden glow", "grammarian", "graphite", "grip", "grocery", "grocery store", "gun barrel", "haberdashery", "hand blower", "hand tool", "harpy eagle", "headgear", "heavenly body", "hemorrhage", "hemorrhoid", "herb", "hike", "hillbilly music", "histrionics", "hive", "hopper", "hopscotch", "hound", "hypothyroidism", "icebox", "induction", "infection", "infectious disease", "initiation", "inversion", "jean", "kerchief", "kit", "larkspur", "laundry", "leafhopper", "legume", "leprosy", "levis", "light", "live oak", "loon", "lump", "mac", "mack", "mackinaw", "mailbox", "manzanita", "marbles", "mare", "marriage bed", "masseur", "matron", "maxi", "medical man", "meteor stream", "micrometeorite", "milking stool", "mini", "minor", "mite box", "mobcap", "nervous breakdown", "newmarket", "news", "news show", "numbers game", "oat", "octave", "opening", "outlet", "overshoe", "pail", "peacock", "percolator", "peripheral", "picture hat", "piles", "pimple", "planetoid", "plantain lily", "polio", "popular music", "porcupine", "portable", "power tool", "prairie dog", "prie-dieu", "radio transmitter", "radiochlorine", "ragamuffin", "rail fence", "receiver", "receiving system", "receptacle", "reverse", "rheumatic fever", "rheumatism", "running board", "sagebrush", "sapling", "sawmill", "scar", "scrub oak", "sewer line", "sheaf", "shivering", "shrub", "silver", "skullcap", "sloe", "smallpox", "snuffbox", "spasm", "sport shirt", "spray", "stillness", "stinging", "stole", "sweet shrub", "syringa", "tam", "tea service", "time clock", "tire tool", "tree", "triphammer", "trouser", "tulip tree", "tumour", "turtle", "twitch", "twitching", "typhoid", "typhus", "urchin", "verbena", "veterinary", "vine", "warmer", "website", "whiff", "white violet", "worker bee", "world", "yellow pine",
    "aba", "acetonemia", "ache", "aching", "acoustic", "adenoma", "affidavit", "agony", "ague", "ailment", "airline", "alkali bee", "aloes", "amen corner", "amended return", "analogue computer", "andrena", "anterior", "architecture", "argyle", "argyll", "assignment", "aura", "authorization", "auto", "baba", "bailey", "bang", "bathtub gin", "batwing", "beak", "beef", "beef cattle", "bethel", "bilharziasis", "bird", "blanc", "bolo", "booze", "braid", "brief", "bronc", "broody hen", "brucellosis", "brush cut", "buckskin", "buffer", "bullethead", "cab", "can", "carabao", "card", "cardiomegaly", "cardroom", "cell", "chaise", "chamber", "charger", "check", "chignon", "circuitry", "claw", "clodhopper", "collapse", "coloring", "commissary", "common", "commuter", "complaint", "concentrate", "congress gaiter", "constitution", "cookfire", "cooking utensil", "countenance", "covenant", "cowling", "crisp", "crowbait", "cruiser", "cryostat", "cuckoo-bumblebee", "cur", "cure", "dairy cattle", "dead room", "diesel", "dinner pail", "disease", "disorder", "domestic animal", "dose", "drive", "duff", "electronic equipment", "ell", "emergency", "engineering", "epiphysis", "escritoire", "extremity", "face powder", "fantods", "fasciculation", "fauteuil", "feedlot", "fin", "fingerprint", "fire", "first", "flashlight battery", "flight", "founder", "fowl", "frambesia", "frame", "fundamental law", "funny wagon", "fur", "furniture", "game bird", "garner", "gas", "gastrocnemius", "gelding", "ginmill", "goitre", "green", "greenroom", "gun", "haberdashery store", "haircut", "hairdo", "hardtack", "harm", "haying time", "heat", "heating", "herbal", "high", "honky-tonk", "hoof", "hoop", "hoop snake", "horn fly", "hound dog", "hurt", "hurting", "hyperemia", "hypoadrenocorticism", "ileum", "illness", "infectious hepatitis", "injury", "insect", "jejunum", "joint snake", "jowl", "judgement", "judgment", "ketosis", "king's evil", "kirk", "landrover", "lat", "launch", "law", "level", "license number", "limited", "line", "lined snake", "livestock", "loblolly", "lobscouse", "lobscuse", "local", "lock", "long bone", "low", "malady", "malignancy", "mammal", "mandate", "mane", "manifest", "manifold", "marge", "marrowbone", "mart", "meat house", "men's", "mining bee", "mix", "mixture", "motorcar", "movie house", "muzzle", "number", "occupation license", "order", "organs", "outboard motor", "oxen", "packinghouse", "pain", "password", "paw", "pecs", "pectoralis", "pectoralis major", "pemmican", "petit dejeuner", "phalanx", "pharmaceutical", "physiognomy", "picture palace", "pirogue", "polymyositis", "poultry", "powder", "premix", "pressure dome", "public law", "pulmonary emphysema", "radial", "rattler", "refectory", "reptile", "rick", "round bone", "rumen", "sawdust saloon", "second", "serratus", "shifter", "shock", "short bone", "sickness", "sickroom", "skeleton", "slash", "slice", "smart", "snout", "sore", "sowbelly", "spare", "speakeasy", "spots", "sprue", "squad car", "steamer", "streamliner", "stud", "sub", "suffering", "surgery", "symptom", "telegraph form", "thatch", "the shits", "therapeutic", "third", "throe", "tibialis anticus", "title", "tollhouse", "torment", "towboat", "trading post", "transversus abdominis", "trap", "trauma", "trough", "truck bed", "turbinate", "typhus fever", "vault", "viand", "visage", "voltaic battery", "voltaic pile", "wave", "whiskers", "wing", "yaws",
    "act", "ass", "assembly", "ban", "bar room", "base", "bawdyhouse", "bean counter", "beast",
    "bedroom furniture", "behind", "bitter", "blue point", "bond", "bosom", "bottom", "breast", "brew",
    "brothel", "building", "bunny", "bush", "butt", "captive", "cassie", "cathouse", "center",
    "certiorari", "chilly", "chips", "cisco", "civic center", "clarence", "clit", "cock", "coco",
    "concession", "conference house", "congress boot", "console", "cooler", "cows", "crack house",
    "crazy bone", "crazy house", "creature", "critter", "cure-all", "das", "decree", "dinner theater",
    "doc", "draft", "drone", "dug", "dun", "earth science", "edifice", "electric", "entire",
    "establishment", "facility", "family jewels", "fanny", "feeder", "female", "fiat", "fitch",
    "flag stop", "flats", "franchise", "free house", "fries", "fuji", "funeral chapel",
    "funeral church", "funeral parlor", "funny bone", "funny farm", "funny house", "game",
    "garden truck", "generic", "gig", "gin mill", "giro", "gray", "grease monkey", "green goods",
    "hackney", "hand", "head", "help", "hire", "hired hand", "hired man", "home brew", "hooker",
    "hooks", "hulk", "human", "human being", "humans", "ice chest", "insane asylum", "installation",
    "java", "john", "kamikaze", "kite", "lame duck", "lawn furniture", "left", "life science", "links",
    "loony bin", "lounge", "love handle", "lower", "madhouse", "male", "man", "mandamus", "mankind",
    "marc", "massage parlor", "measure", "meat hooks", "medical science", "meeting house", "mei",
    "member", "mess", "mixed drink", "modern man", "mons", "morgue", "mount", "murphy",
    "natural science", "near beer", "nest", "network", "neutral spirits", "nipple", "nuclear winter",
    "nuthouse", "office furniture", "opinion", "opium den", "option", "panzer", "penis",
    "physical science", "pickup", "pill pusher", "pill roller", "platform", "port", "post",
    "post house", "potion", "presence chamber", "private parts", "privy", "produce", "program",
    "prohibition", "proof spirit", "public house", "puppy fat", "pussy", "put", "quack", "queen",
    "rabbit food", "range", "rear end", "repertory", "repository", "return", "right", "saloon",
    "samba", "sawbones", "sectional", "settle", "share", "shay", "short line", "shrink", "side",
    "slave market", "sling", "social science", "sour", "source", "spare tire", "spectator",
    "spectator pump", "sperm bank", "sporting house", "squad room", "stand", "station house", "stock",
    "storage", "stray", "strip", "structure", "study", "tab", "tap house", "tart", "technical",
    "telecom hotel", "torture chamber", "tourist court", "track", "tramp", "transportation", "tung",
    "upper", "vintage", "war room", "water", "water closet", "whistle stop", "white goods",
    "whorehouse", "wing tip", "wish-wash", "worker", "writ", "young", "adult", "young adult",
))
# Everyday lemmas the counts miss; each is a WordNet noun under its category's roots (tested).
ADD: dict[str, tuple[str, ...]] = {
    "place": ("library", "post office", "town hall", "city hall", "police station", "fire station",
              "swimming pool", "train station", "bus station", "recycling center", "community center",
              "sports center", "health center", "supermarket", "pharmacy", "bakery", "museum", "zoo",
              "cinema", "theater", "stadium", "gym", "park", "playground", "car park", "parking lot",
              "hospital", "clinic", "dentist", "school", "bank", "post office", "court", "courthouse",
              "airport", "beach", "cemetery", "market", "shopping center", "mall", "hotel", "hostel",
              "restaurant", "cafe", "pub", "church", "garage", "gas station", "petrol station"),
    "device": ("toaster", "microwave", "washing machine", "dishwasher", "dryer", "fridge", "freezer",
               "kettle", "oven", "vacuum cleaner", "iron", "television", "radio", "computer", "printer",
               "laptop", "boiler", "air conditioner", "smoke alarm", "smoke detector", "thermostat",
               "doorbell", "blender", "coffee maker", "food processor", "hair dryer", "heater",
               "fan", "lamp", "alarm clock", "dehumidifier", "water heater"),
    "tool": ("hammer", "screwdriver", "drill", "saw", "wrench", "spanner", "pliers", "ladder", "shovel",
             "spade", "rake", "lawn mower", "wheelbarrow", "chisel", "paintbrush", "tape measure",
             "level", "hacksaw", "chainsaw", "sander", "stapler", "glue gun", "hose", "trowel", "axe"),
    "document": ("passport", "visa", "driver's license", "driving licence", "birth certificate",
                 "marriage certificate", "death certificate", "library card", "identity card",
                 "id card", "receipt", "prescription", "permit", "parking permit", "work permit",
                 "residence permit", "lease", "will", "contract", "insurance policy", "tax return",
                 "bill", "invoice", "ticket", "diploma", "certificate", "report card"),
    "job": ("plumber", "electrician", "carpenter", "mechanic", "nurse", "doctor", "dentist", "teacher",
            "police officer", "firefighter", "accountant", "engineer", "programmer", "lawyer",
            "librarian", "pharmacist", "architect", "journalist", "farmer", "baker", "butcher",
            "hairdresser", "gardener", "vet", "chef", "cook", "waiter", "waitress", "pilot",
            "bus driver", "taxi driver", "truck driver", "cleaner", "postman", "receptionist",
            "secretary", "scientist", "social worker", "translator", "musician", "photographer",
            "locksmith", "bricklayer", "painter", "nursery school teacher", "surgeon", "midwife",
            "paramedic", "physiotherapist", "optician", "electrician", "software engineer"),
    "trade": ("plumber", "electrician", "carpenter", "painter", "mechanic", "locksmith", "roofer",
              "bricklayer", "gardener", "handyman", "cleaner", "builder", "glazier", "exterminator"),
    "health_job": ("doctor", "nurse", "dentist", "pharmacist", "optician", "physiotherapist", "vet",
                   "midwife", "pediatrician", "dermatologist", "chiropractor", "surgeon",
                   "psychiatrist", "optometrist", "general practitioner", "specialist"),
    "illness": ("flu", "cold", "common cold", "measles", "mumps", "chickenpox", "asthma", "diabetes",
                "arthritis", "migraine", "pneumonia", "bronchitis", "tonsillitis", "food poisoning",
                "hay fever", "allergy", "eczema", "acne", "shingles", "gout", "anemia", "malaria",
                "covid", "whooping cough", "strep throat", "ear infection", "sinusitis", "heartburn",
                "insomnia", "depression", "anxiety", "high blood pressure", "tuberculosis", "hepatitis",
                "cancer", "dementia", "stroke", "heart disease", "lyme disease", "conjunctivitis"),
    "symptom": ("headache", "cough", "fever", "sore throat", "rash", "nausea", "toothache",
                "backache", "earache", "stomachache", "runny nose", "dizziness", "blister",
                "sunburn", "insect bite", "bee sting", "nosebleed", "cramp", "hiccup"),
    "medicine": ("aspirin", "ibuprofen", "paracetamol", "acetaminophen", "antibiotic", "antihistamine",
                 "cough syrup", "cough drop", "vitamin", "vitamin d", "vitamin c", "insulin",
                 "sleeping pill", "eye drops", "nasal spray", "painkiller", "antacid", "laxative",
                 "penicillin", "sunscreen"),
    "weather": ("rain", "snow", "fog", "frost", "hail", "sleet", "thunderstorm", "storm", "heat wave",
                "drought", "flood", "hurricane", "tornado", "blizzard", "gale", "wind", "ice"),
    "pet": ("dog", "cat", "puppy", "kitten", "rabbit", "hamster", "guinea pig", "parrot", "goldfish",
            "budgie", "tortoise", "pony", "canary", "horse", "mouse", "rat", "ferret", "lizard",
            "snake", "chicken"),
    "pest": ("ant", "wasp", "mouse", "rat", "cockroach", "bedbug", "flea", "moth", "slug", "snail",
             "fly", "mosquito", "spider", "termite", "mole", "squirrel", "pigeon", "woodlouse",
             "silverfish", "aphid", "fruit fly", "bee", "hornet", "tick", "beetle", "louse"),
    "household": ("towel", "pillow", "blanket", "duvet", "sheet", "mattress", "curtain", "rug", "carpet",
                  "mirror", "candle", "light bulb", "battery", "frying pan", "saucepan", "kettle",
                  "plate", "bowl", "cup", "mug", "glass", "fork", "knife", "spoon", "teapot", "mop",
                  "broom", "bucket", "sponge", "iron", "ironing board", "coat hanger", "vase",
                  "picture frame", "clock", "doormat", "bin", "trash can", "laundry basket"),
    "room": ("kitchen", "bathroom", "bedroom", "living room", "dining room", "basement", "attic",
             "cellar", "hallway", "garage", "loft", "study", "office", "nursery", "spare room",
             "utility room", "conservatory", "porch", "closet", "pantry"),
    "event": ("concert", "festival", "wedding", "party", "parade", "fair", "match", "game", "play",
              "show", "market", "car boot sale", "yard sale", "jumble sale", "quiz night",
              "fireworks display", "marathon", "exhibition", "book fair", "craft fair", "open day",
              "bake sale", "charity run", "town meeting", "barbecue", "picnic", "carnival"),
    "produce": ("apple", "banana", "orange", "grape", "strawberry", "blueberry", "raspberry",
                "cherry", "peach", "pear", "plum", "lemon", "lime", "mango", "pineapple",
                "watermelon", "melon", "avocado", "kiwi", "tomato", "potato", "carrot", "onion",
                "cucumber", "pepper", "zucchini", "courgette", "eggplant", "aubergine", "pumpkin",
                "squash", "sweet potato", "mushroom", "pea", "bean", "green bean", "broccoli",
                "cauliflower", "cabbage", "lettuce", "spinach", "leek", "beetroot", "radish",
                "corn", "asparagus", "celery", "garlic", "parsnip", "turnip", "apricot", "fig",
                "grapefruit", "coconut", "rhubarb", "brussels sprout", "kale"),
    "ingredient": ("flour", "sugar", "salt", "butter", "rice", "pasta", "bread", "cheese", "milk",
                   "cream", "yogurt", "honey", "olive oil", "vinegar", "chicken", "beef", "pork",
                   "lamb", "bacon", "ham", "salmon", "tuna", "shrimp", "prawns", "tofu", "lentils",
                   "chickpeas", "oats", "quinoa", "couscous", "chocolate", "yeast", "baking soda",
                   "baking powder", "ginger", "cinnamon", "mint", "basil", "parsley", "coriander",
                   "peanut butter", "jam", "mayonnaise", "ketchup", "mustard", "soy sauce", "cod",
                   "minced beef", "turkey", "duck", "sausages", "eggs", "almonds", "walnuts",
                   "peanuts", "noodles", "cornflour", "brown rice", "coconut milk", "cream cheese"),
    "dish": ("lasagna", "pizza", "soup", "stew", "curry", "omelette", "pancake", "sandwich",
             "salad", "risotto", "chili", "shepherd's pie", "apple pie", "banana bread", "chocolate cake",
             "cheesecake", "brownie", "cookie", "muffin", "scone", "quiche", "stir fry", "roast chicken",
             "meatballs", "fried rice", "mashed potatoes", "scrambled eggs", "french toast",
             "burger", "taco", "burrito", "pie", "pasta salad", "potato salad", "fish pie",
             "chicken soup", "vegetable soup", "tomato soup", "bread", "flapjack", "crumble",
             "trifle", "gravy", "custard", "pizza dough", "pastry", "hummus", "guacamole", "pesto",
             "porridge", "granola", "smoothie", "sourdough", "sponge cake", "carrot cake"),
    "drink": ("coffee", "tea", "green tea", "water", "milk", "orange juice", "apple juice", "beer",
              "wine", "red wine", "white wine", "lemonade", "hot chocolate", "cola", "soda",
              "sparkling water", "herbal tea", "smoothie", "cider", "whisky", "energy drink",
              "milkshake", "iced tea"),
    "plant": ("rose", "tulip", "daffodil", "sunflower", "lavender", "tomato plant", "basil",
              "mint", "cactus", "fern", "orchid", "ivy", "bamboo", "apple tree", "oak", "palm",
              "bonsai", "geranium", "hydrangea", "lily", "daisy", "grass", "hedge", "moss",
              "strawberry plant", "pepper plant", "succulent", "aloe", "clover", "weed"),
    "clothing": ("coat", "jacket", "raincoat", "jumper", "sweater", "t-shirt", "shirt", "dress",
                 "skirt", "jeans", "trousers", "shorts", "suit", "tie", "scarf", "gloves", "hat",
                 "boots", "shoes", "trainers", "sneakers", "sandals", "socks", "pyjamas",
                 "swimsuit", "hoodie", "uniform", "school uniform", "wedding dress", "umbrella"),
    "vehicle": ("car", "bike", "bicycle", "motorbike", "motorcycle", "scooter", "van", "truck",
                "lorry", "bus", "taxi", "boat", "caravan", "camper van", "electric car", "minibus",
                "tractor", "trailer", "electric bike", "moped", "canoe", "kayak", "wheelchair",
                "mobility scooter", "pushchair", "stroller", "pram"),
    "animal": ("dog", "cat", "horse", "cow", "sheep", "pig", "goat", "chicken", "duck", "goose",
               "rabbit", "fox", "deer", "badger", "hedgehog", "squirrel", "mouse", "rat", "bat",
               "owl", "eagle", "hawk", "robin", "sparrow", "crow", "pigeon", "seagull", "swan",
               "frog", "toad", "snake", "lizard", "turtle", "tortoise", "spider", "bee", "wasp",
               "ant", "butterfly", "moth", "ladybug", "snail", "slug", "worm", "fish", "shark",
               "whale", "dolphin", "seal", "octopus", "crab", "lobster", "jellyfish", "lion",
               "tiger", "elephant", "giraffe", "zebra", "monkey", "gorilla", "bear", "wolf",
               "kangaroo", "koala", "penguin", "camel", "hippo", "rhino", "crocodile", "alligator",
               "parrot", "flamingo", "otter", "beaver", "mole", "hamster", "tick", "mosquito"),
    "body_part": ("head", "hand", "arm", "leg", "foot", "knee", "back", "lower back", "neck",
                  "shoulder", "elbow", "wrist", "ankle", "hip", "finger", "toe", "thumb", "eye", "ear",
                  "nose", "mouth", "tooth", "throat", "stomach", "chest", "skin", "heel", "jaw",
                  "tongue", "lip", "gum", "scalp", "hair", "nail", "spine", "heart", "lung", "kidney",
                  "liver", "bladder", "muscle", "hamstring", "calf", "thigh", "forehead", "big toe"),
    "celestial": ("sun", "moon", "star", "planet", "comet", "asteroid", "meteor", "galaxy",
                  "black hole", "milky way", "north star", "solar system", "shooting star"),
    "planet": ("Mercury", "Venus", "Earth", "Mars", "Jupiter", "Saturn", "Uranus", "Neptune", "Pluto"),
    "country": ("France", "Spain", "Italy", "Germany", "Japan", "China", "India", "Canada",
                "Mexico", "Brazil", "Australia", "Ireland", "Scotland", "Greece", "Portugal",
                "Turkey", "Egypt", "Thailand", "Norway", "Sweden", "Iceland", "New Zealand"),
    "language": ("English", "French", "Spanish", "German", "Italian", "Portuguese", "Chinese",
                 "Japanese", "Russian", "Arabic", "Greek", "Dutch", "Polish", "Turkish", "Korean",
                 "Hindi", "Welsh", "Irish", "Swedish"),
    "subject": ("math", "maths", "mathematics", "english", "history", "geography", "science",
                "biology", "chemistry", "physics", "art", "music", "economics", "psychology",
                "computer science", "programming", "accounting", "statistics", "algebra",
                "geometry", "philosophy", "spelling", "grammar", "reading", "writing",
                "creative writing", "drama", "physical education", "engineering", "law",
                "nursing", "cooking", "photography", "first aid", "coding", "woodwork"),
    "sport": ("football", "soccer", "tennis", "golf", "swimming", "running", "cycling", "basketball",
              "baseball", "cricket", "rugby", "hockey", "badminton", "volleyball", "table tennis",
              "bowling", "skiing", "snowboarding", "surfing", "yoga", "pilates", "boxing", "karate",
              "judo", "climbing", "rowing", "sailing", "horse riding", "ice skating", "chess",
              "darts", "netball", "athletics", "gymnastics", "hiking", "fishing", "squash"),
    "instrument": ("piano", "guitar", "violin", "drums", "flute", "trumpet", "saxophone", "cello",
                   "clarinet", "ukulele", "harp", "keyboard", "bass guitar", "harmonica",
                   "accordion", "trombone", "recorder", "banjo", "organ", "mandolin"),
    "genre": ("jazz", "rock", "pop", "classical music", "country music", "blues", "hip hop", "folk",
              "reggae", "soul", "disco", "dance music", "opera", "heavy metal", "punk"),
    "relative": ("mum", "mom", "dad", "mother", "father", "son", "daughter", "husband", "wife",
                 "partner", "brother", "sister", "grandmother", "grandfather", "grandma",
                 "grandpa", "granny", "aunt", "uncle", "cousin", "niece", "nephew", "baby",
                 "toddler", "kid", "kids", "children", "teenager", "neighbor", "neighbour",
                 "friend", "boss", "flatmate", "roommate", "girlfriend", "boyfriend",
                 "stepdad", "mother-in-law", "father-in-law", "colleague", "best friend"),
    "currency": ("dollar", "euro", "pound", "yen", "peso", "rupee", "franc", "yuan", "krona"),
    "element": ("oxygen", "hydrogen", "carbon", "nitrogen", "iron", "gold", "silver", "copper",
                "aluminum", "lead", "mercury", "helium", "neon", "sodium", "calcium", "zinc",
                "uranium", "silicon", "chlorine", "lithium", "titanium", "tin", "platinum"),
    "container": ("bottle", "jar", "box", "can", "carton", "bag", "plastic bag", "paper bag", "cup",
                  "coffee cup", "tray", "envelope", "pizza box", "egg box", "tin", "jug", "tub",
                  "tube", "crisp packet", "milk carton", "juice carton", "shoe box", "wine bottle",
                  "glass jar", "aerosol can", "cereal box", "yogurt pot", "drinks can"),
    "material": ("plastic", "paper", "cardboard", "glass", "metal", "aluminum", "aluminium", "tin",
                 "steel", "wood", "cotton", "wool", "silk", "leather", "rubber", "polystyrene",
                 "styrofoam", "foil", "tin foil", "concrete", "ceramic", "clay", "fabric", "denim"),
    "house_part": ("roof", "gutter", "chimney", "window", "door", "front door", "back door",
                   "ceiling", "wall", "floor", "stairs", "staircase", "fence", "gate", "driveway",
                   "porch", "balcony", "patio", "skylight", "loft hatch", "garage door", "drainpipe",
                   "window frame", "door frame", "floorboard", "skirting board", "fireplace"),
    "fixture": ("sink", "toilet", "bath", "bathtub", "shower", "tap", "faucet", "drain", "boiler",
                "radiator", "kitchen sink", "washbasin", "water heater", "pipe"),
    "car_part": ("tire", "tyre", "battery", "brakes", "brake", "engine", "windscreen", "windshield",
                 "wiper", "headlight", "exhaust", "clutch", "gearbox", "radiator", "horn", "bumper",
                 "mirror", "door", "steering wheel", "seat belt", "air conditioning", "alternator",
                 "spark plug", "oil filter", "fan belt", "handbrake", "indicator", "boot", "trunk"),
    "bike_part": ("chain", "brakes", "tire", "tyre", "saddle", "seat", "pedal", "handlebar",
                  "gears", "wheel", "inner tube", "bell", "light", "lock"),
    "transit": ("bus", "train", "tram", "subway", "metro", "ferry", "underground", "night bus",
                "express train", "coach", "shuttle bus", "school bus", "taxi", "train to the airport"),
    "meal": ("breakfast", "lunch", "dinner", "supper", "brunch", "tea", "a snack", "a picnic",
             "a packed lunch", "a school lunch", "a party", "a barbecue", "Sunday lunch",
             "Christmas dinner", "a date night", "a dinner party"),
}


_IRREGULAR_OK = frozenset("mice teeth feet children men women geese people lice oxen dice sheep fish deer".split())


def _plural(word: str, irregular: dict[str, str]) -> str:
    head, _, last = word.rpartition(" ")
    prefix = head + " " if head else ""
    plural = irregular.get(last, "")
    if plural and (plural.endswith("s") or plural in _IRREGULAR_OK):
        return prefix + plural  # knives, potatoes, mice; not Latin "camerae"
    if re.search(r"(s|x|z|ch|sh)$", last):
        return prefix + last + "es"
    if re.search(r"[^aeiou]y$", last):
        return prefix + last[:-1] + "ies"
    if re.search(r"(?:[^aeiou]o)$", last) and last not in ("piano", "photo", "radio", "video",
                                                          "kilo", "zoo", "logo", "disco", "cello"):
        return prefix + last + "es"
    return prefix + last + "s"


def _article(phrase: str) -> str:
    first = phrase.split(" ")[0].lower()
    if re.match(r"^(uni|use|usu|eu|one|ewe|u[bkrst][aeiou])", first):
        return "a " + phrase
    if re.match(r"^(hour|honest|honou?r|heir)", first) or re.match(r"^[aeiou]", first):
        return "an " + phrase
    if re.match(r"^[A-Z]{2,}", phrase.split(" ")[0]) and phrase[0] in "AEFHILMNORSX":
        return "an " + phrase  # an ID card, an MRI, an SUV
    return "a " + phrase


@dataclass(frozen=True)
class Word:
    text: str
    mass: bool

    def form(self, kind: str, irregular: dict[str, str]) -> str:
        if kind == "" or self.text[0].isupper() and kind != "a":
            return self.text
        head = self.text.split(" ")[-1]
        mass = self.mass if self.text not in MASS and head not in MASS else True
        if self.text in COUNT or head in COUNT:
            mass = False
        if kind == "a":
            if self.text in ARTICLE:
                return ARTICLE[self.text]
            return self.text if mass or self.text[0].isupper() else _article(self.text)
        if kind == "pl":
            if mass or head.endswith("s") and not head.endswith("ss"):
                return self.text  # rice; trousers; kids
            return _plural(self.text, irregular)
        raise ValueError(f"unknown slot form {kind!r}")


_LEMMA = re.compile(r"^[a-z]+(?:'s)?(?:[ -][a-z]+)?$")
_PROPER = re.compile(r"^[A-Z][a-z]+(?: [A-Z][a-z]+)?$")


def _category_words(wordnet: WordNet, name: str, category: Category, common: frozenset[str]) -> list[str]:
    """The filtered WordNet lemmas of one slot type, sorted, plus its ADD list."""
    excluded: set[int] = set()
    for root in category.exclude:
        excluded.update(wordnet.hyponym_closure(wordnet.synset(root)))
    offsets: list[int] = []
    for root in category.roots:
        offsets.extend(o for o in wordnet.hyponym_closure(wordnet.synset(root)) if o not in excluded)
    meronyms: list[int] = []
    for whole in category.parts_of:
        for part in wordnet.synsets[wordnet.synset(whole)].parts:
            meronyms.append(part)
            meronyms.extend(wordnet.synsets[part].hyponyms)
    words: set[str] = set()
    for offset in offsets + meronyms:
        for written, _ in wordnet.synsets[offset].words:
            base = re.sub(r"\(.*\)$", "", written)
            lemma = base.replace("_", " ")
            count = wordnet.tag_count(base, offset)
            if category.proper:
                if _PROPER.match(lemma) and count >= category.min_count:
                    words.add(lemma)
                continue
            if not _LEMMA.match(lemma) or lemma in DROP:
                continue
            whole_words = all(part in common for part in re.split(r"[ -]", lemma.replace("'s", "")))
            single = " " not in lemma and "-" not in lemma
            if count >= category.min_count:
                words.add(lemma)
            elif (not category.strict and single and whole_words
                  and (offset in meronyms or wordnet.sense_rank(base, offset) == 1)):
                words.add(lemma)
    words.difference_update(DROP)
    words.difference_update(category.drop)
    words.update(ADD.get(name, ()))
    # a plural lemma next to its singular ("cows" and "cow") is the same word twice
    return sorted(w for w in words if not (w.endswith("s") and w[:-1] in words))


@dataclass
class Slots:
    words: dict[str, list[Word]]
    irregular: dict[str, str]

    def sizes(self) -> dict[str, int]:
        return {name: len(words) for name, words in self.words.items()}


@functools.lru_cache(maxsize=4)
def load_slots(wordnet_dir: str | None = None) -> Slots:
    wordnet = load_wordnet(wordnet_dir)
    common = common_words()
    words: dict[str, list[Word]] = {}
    for name, category in CATEGORIES.items():
        if category.hand:
            words[name] = [Word(text, category.mass) for text in category.hand]
        elif not category.union:
            words[name] = [Word(text, category.mass)
                           for text in _category_words(wordnet, name, category, common)]
    for name, category in CATEGORIES.items():
        if category.union:
            merged = {w.text: w for part in category.union for w in words[part]}
            words[name] = [merged[text] for text in sorted(merged)]
    return Slots(words, wordnet.irregular_plurals)


# ------------------------------------------------------------------------------------------------
# Frames: one a line, grouped by domain. {x} is a slot word, {a:x} with its article ("a cough",
# "nausea"), {pl:x} its plural ("potatoes", "rice"); {x#2} a second, different word of the same type.

FRAMES: dict[str, str] = {
    "town": """
What time does the {place} open?
What time does the {place} close {when}?
When does the {place} open on {pl:weekday}?
Is the {place} open {when}?
Is the {place} open on {holiday}?
Where is the nearest {place}?
Where's the closest {shop} to here?
How do I get to the {place} from here?
How far is the {place} from the {place#2}?
Is there {a:place} near here?
Is there {a:shop} in town?
What are the opening hours of the {place}?
Where can I park near the {place}?
Is there free parking at the {place}?
Can I bring my dog into the {place}?
Does the {place} have free wifi?
Is the {place} wheelchair accessible?
What's the phone number for the {place}?
Does the {place} have public toilets?
Who do I call about {service}?
When is {service} in my area?
How do I sign up for {service}?
How much does {service} cost?
Is {service} running as normal {when}?
Has {service} changed because of {holiday}?
Which day is {service} on my street?
Who is in charge of {service} in this town?
Can I apply for {service} online?
I want to report {problem}.
How do I report {problem} on my street?
There's {problem} outside my house, who do I tell?
Who fixes {problem}?
How long does it take the council to deal with {problem}?
I'd like to complain about {problem} near the {place}.
How do I get {a:document}?
How do I renew my {document}?
How long does it take to get {a:document}?
How much does {a:document} cost?
Where do I apply for {a:document}?
What do I need to bring to get {a:document}?
I lost my {document}, what should I do?
Can I renew my {document} online?
My {document} expires {when}, what do I do?
Do I need {a:document} to {errand}?
Is it legal to {errand} without {a:document}?
Who can sign my {document} application?
How do I pay {payment}?
Can I pay {payment} online?
When is {payment} due?
What happens if I pay {payment} late?
Can I pay {payment} in cash at the {place}?
How do I set up a direct debit for {payment}?
I can't afford to pay {payment} this month.
Is there any help with paying {payment}?
Can I recycle {pl:container}?
Which bin do {pl:container} go in?
Do {pl:container} go in the recycling?
Is {material} recyclable?
Can I put {material} in the recycling bin?
Where can I recycle old {pl:gadget}?
How do I get rid of an old {furniture}?
Will the council collect an old {furniture}?
Where can I take old {pl:device} to be recycled?
Where is the nearest {place} with a {place#2} nearby?
Is there a car park near the {place}?
How much does it cost to park at the {place} {when}?
Are there any events at the {place} {when}?
What's on at the {place} {when}?
Can I book a room at the {place} for a party?
Are dogs allowed in the {place}?
How do I register to vote?
When is the next local election?
Where is my polling station?
How do I contact my local councillor?
When will the road outside the {place} reopen?
Why are the bins not collected {when}?
What goes in the green bin?
Can I get a bigger recycling bin?
How do I order a new bin?
Can I have a bonfire in my garden?
What are the rules for putting up a fence?
Do I need permission to {errand}?
How do I apply to {errand}?
Is it allowed to {errand} in this town?
""",
    "transport": """
When is the next bus to the {place}?
Which bus goes to the {place}?
How often do buses run on {pl:weekday}?
Do the buses run on {holiday}?
How much is a bus ticket to the {place}?
Where does the {transit} to the {place} leave from?
Is the {transit} running late {when}?
What time is the last {transit} tonight?
What time is the first {transit} on {weekday}?
How long does it take to get to {city} by {transit}?
Is the {transit} on time?
Can I take my {vehicle} on the {transit}?
Where can I buy a ticket for the {transit}?
Is there a discount on the {transit} for students?
Do kids travel free on the {transit}?
How do I get from the {place} to the {place#2} by {transit}?
Where can I park my {vehicle}?
Where can I rent {a:vehicle}?
How much does it cost to rent {a:vehicle} for {duration}?
My {vehicle} won't start.
My {vehicle} has a flat tire.
Where can I get my {vehicle} fixed?
How much does it cost to service {a:vehicle}?
My {car_part} is making a strange noise.
The {car_part} on my car is broken.
How much does it cost to replace {a:car_part}?
How do I check my {car_part}?
Why is my {car_part} warning light on?
How often should I change my {car_part}?
My bike {bike_part} keeps slipping.
How do I fix {a:bike_part} on my bike?
The {bike_part} on my bike is broken, where can I get it fixed?
How much is a taxi to the {place}?
Can you call me a taxi to the {place}?
What time is the last train to {city}?
Is the road to {city} closed?
How long is the drive to {city}?
How many miles is it to {city}?
What's the quickest way to get to {city}?
Is there a direct train to {city}?
How much is a return ticket to {city}?
Are there roadworks on the way to the {place}?
Is there traffic on the way to the {place} right now?
How long will it take me to walk to the {place}?
Is it safe to cycle to the {place}?
Where can I charge my electric car near the {place}?
How much does a monthly bus pass cost?
Can I pay for the bus with my phone?
I left my {belonging} on the {transit}.
I think I left my {belonging} on the bus, who do I call?
""",
    "travel": """
Do I need a visa to visit {country}?
What's the weather like in {city} in {month}?
What's the best time of year to visit {country}?
What language do they speak in {country}?
What currency do they use in {country}?
How long is the flight to {city}?
What should I pack for a trip to {country} in {season}?
Do I need any vaccinations to travel to {country}?
Can I use my phone in {country}?
What time is it in {city} right now?
Is it safe to drink the tap water in {country}?
How do I say {phrase} in {language}?
How do you say {a:animal} in {language}?
What's the capital of {country}?
How many people live in {city}?
What is {city} famous for?
I need a hotel in {city} for {duration}.
I'm looking for a cheap hotel near the {place}.
What are the best things to do in {city}?
How far is {city} from {city#2}?
Is {city} expensive to visit?
Can I drive in {country} with my licence?
Do they drive on the left in {country}?
What plug do they use in {country}?
Do I need to tip in {country}?
How much is {price} in {pl:currency}?
What's the exchange rate for the {currency} today?
Where can I change money into {pl:currency}?
Can I bring {ingredient} into {country}?
How early should I get to the airport for a flight to {city}?
My flight to {city} was cancelled, what are my rights?
I lost my {belonging} at the airport.
How heavy can my suitcase be?
Can I take {medicine} on a plane?
What's the best way to get from the airport to {city}?
Is {country} safe for tourists?
What's a traditional dish from {country}?
What should I see in {city} if I only have {duration}?
Which is the cheapest way to travel to {city}?
Is it better to go to {country} in {month} or {month#2}?
""",
    "health": """
I have {a:symptom}, what should I do?
What can I take for {a:symptom}?
How do I get rid of {a:symptom} fast?
Is {illness} contagious?
What are the symptoms of {illness}?
How long does {illness} last?
How do you treat {illness}?
Is there a vaccine for {illness}?
How do you catch {illness}?
Can children get {illness}?
What's the difference between {illness} and {illness#2}?
I think I have {a:illness}.
My {relative} has {a:illness}, should they stay home?
How do I know if I have {a:illness}?
My {body_part} hurts.
My {body_part} has been hurting for {duration}.
Why does my {body_part} hurt when I {action}?
Why do my {pl:body_part} hurt in the morning?
I think I broke my {body_part}.
I hurt my {body_part} playing {sport}.
How do I treat {a:injury} on my {body_part}?
What's the best way to look after {a:injury}?
Should I see a doctor about {a:symptom}?
When should I go to the emergency room for {a:symptom}?
My {relative} has {a:symptom} and {a:symptom#2}.
My baby has {a:symptom}, is that normal?
How do I make an appointment with {a:health_job}?
Is there {a:health_job} open on {pl:weekday}?
Where can I find {a:health_job} near me?
How much does it cost to see {a:health_job}?
Do I need a referral to see {a:health_job}?
Can I take {medicine} with {drink}?
How much {medicine} can I take in a day?
Is it safe to take {medicine} while pregnant?
Can I give {medicine} to my {age} year old?
What are the side effects of {medicine}?
Can I buy {medicine} without a prescription?
Does {medicine} make you drowsy?
How long does {medicine} take to work?
Is {ingredient} good for you?
Is it bad to eat {ingredient} every day?
How many calories are in {a:produce}?
How much {drink} is too much?
Is {drink} bad for your {body_part}?
How much sleep does a {age} year old need?
How much water should I drink a day?
How can I lower my blood pressure?
What's a normal heart rate?
How do I stop snoring?
Is it normal to feel tired all the time?
How do I know if I'm dehydrated?
What should I do if I'm stung by {a:pest}?
Are {animal} bites dangerous?
What should I do if a dog bites me?
How do I know if a cut needs stitches?
How long should I wait to exercise after {a:injury}?
What exercises are good for a bad {body_part}?
Is {sport} good for your {body_part}?
How do I get my {relative} to see a doctor?
Where can I get a flu jab?
How do I register with a new doctor?
Can I get a same day appointment?
What number do I call in an emergency?
How do I do CPR?
""",
    "food": """
How long do I boil {pl:produce} for?
How long do I cook {ingredient} in the oven?
How long does it take to roast {ingredient}?
What temperature should I cook {ingredient} at?
How do I know when {ingredient} is cooked?
How do I make {a:dish}?
What do I need to make {a:dish}?
Give me a simple recipe for {dish}.
Can you find me a recipe with {ingredient} and {pl:produce}?
What can I make with {ingredient} and {ingredient#2}?
What can I cook with {pl:produce}?
Can I freeze {ingredient}?
Can I freeze {dish}?
How long does {ingredient} keep in the fridge?
How long does {dish} keep in the fridge?
How do I know if {ingredient} has gone bad?
Can dogs eat {pl:produce}?
Is it safe to eat raw {ingredient}?
What can I use instead of {ingredient}?
What's a good substitute for {ingredient} in baking?
How do I peel {a:produce}?
How do I tell if {a:produce} is ripe?
When are {pl:produce} in season?
How do I store {pl:produce}?
What goes well with {pl:dish}?
What wine goes with {ingredient}?
What should I serve with {pl:dish}?
What's a good {meal} for {number} people?
Give me an easy idea for {meal}.
What can I have for {meal} that's healthy?
Where can I buy fresh {ingredient}?
How much {ingredient} do I need for {number} people?
How many grams is a cup of {ingredient}?
Can I cook {ingredient} in the microwave?
Can I make {dish} without an oven?
How do I make {dish} without {ingredient}?
Why is my {dish} always dry?
Why did my {dish} not rise?
How do I reheat {dish} safely?
Is {dish} healthy?
How many calories are in a slice of {dish}?
How do I cook {ingredient} on the barbecue?
Set a timer for {small_number} minutes.
Set a timer for {small_number} minutes for the {dish}.
Add {ingredient} to my shopping list.
Put {pl:produce} on the shopping list.
Do I have {ingredient} on my shopping list?
How do I make {drink} at home?
Is {drink} good for you?
Can I drink {drink} if I'm pregnant?
What's the best way to make {drink}?
Is it safe to eat {ingredient} after the use by date?
How do I defrost {ingredient} quickly?
What's a vegetarian alternative to {ingredient}?
I'm allergic to {ingredient}, what can I eat?
Does {dish} have {ingredient} in it?
""",
    "shopping": """
Where can I buy {a:product}?
How much does {a:product} cost?
Is there a sale on {pl:product} {when}?
What's the best {product} for under {price}?
Can I return {a:product} without a receipt?
How do I return {a:product} I bought online?
Does the {shop} sell {pl:product}?
Which shop sells {pl:product}?
What time does the {shop} close {when}?
Is the {shop} open on {holiday}?
I want to buy {a:product} for my {relative}.
What should I get my {relative} for {occasion}?
What's a good present for a {age} year old?
Is it cheaper to buy {pl:product} online?
How do I get a refund for {a:product}?
My new {product} arrived broken.
The {product} I ordered hasn't arrived yet.
Where is my parcel?
Can I change the delivery address for my order?
Do they deliver on {pl:weekday}?
Is {price} a good price for {a:product}?
Where can I buy second hand {pl:product}?
Can I sell my old {product} somewhere?
Is there a shop near the {place} that sells {pl:clothing}?
Where can I get {pl:clothing} for kids?
I need new {pl:clothing} for {occasion}.
What size {clothing} should I get?
Where can I get my {clothing} repaired?
How do I wash {a:clothing} made of {material}?
Can I put {a:clothing} in the dryer?
Is there a {shop} open late {when}?
Where can I buy {ingredient} near here?
Are there any deals on {ingredient} this week?
""",
    "home": """
My {device} is broken.
My {device} won't turn on.
My {device} is making a weird noise.
My {device} keeps beeping.
Why is my {device} leaking?
How do I clean my {device}?
How often should I clean the {device}?
How do I reset my {device}?
Is it worth repairing an old {device}?
How much does a new {device} cost?
Who can fix my {device}?
How long should {a:device} last?
How much electricity does {a:device} use?
The {house_part} is leaking.
There's water coming through the {house_part}.
There's a crack in the {house_part}.
How much does it cost to replace {a:house_part}?
Who should I call to fix my {house_part}?
How do I fix a leaking {fixture}?
My {fixture} is blocked.
How do I unblock {a:fixture}?
The {fixture} in the {room} won't stop dripping.
My {fixture} has no hot water.
Do I need {a:trade} to fix the {house_part}?
How much does {a:trade} charge per hour?
How do I find a good {trade}?
Can you recommend {a:trade} near me?
How do I use {a:tool}?
Can I borrow {a:tool} from the library?
Where can I rent {a:tool}?
What's the difference between {a:tool} and {a:tool#2}?
Do I need {a:tool} to hang a picture?
How do I get rid of {pl:pest} in my {room}?
Why are there {pl:pest} in my {room}?
Are {pl:pest} dangerous to {pl:pet}?
How do I keep {pl:pest} out of the house?
What attracts {pl:pest}?
How do I paint {a:furniture}?
How do I move {a:furniture} up the stairs?
How do I put together {a:furniture}?
How do I get {drink} out of the carpet?
How do I get {a:drink} stain out of my {clothing}?
What's the best way to heat {a:room}?
How do I keep my {room} warm in winter?
Why is my {room} so cold?
How do I get rid of damp in the {room}?
How do I stop mould in the {room}?
What colour should I paint my {room}?
When should I plant {pl:plant}?
How often should I water {pl:plant}?
Why are the leaves on my {plant} turning yellow?
How do I grow {pl:produce} at home?
Do {pl:plant} need full sun?
How tall does {a:tree} grow?
Is {a:plant} poisonous to {pl:pet}?
How do I look after {a:plant} indoors?
When is the best time to cut back {pl:plant}?
How do I get rid of weeds in the lawn?
How often should I mow the lawn?
How do I look after {a:pet}?
What should I feed {a:pet}?
How often should I take my {pet} to the vet?
How much does it cost to keep {a:pet}?
My {pet} isn't eating, what should I do?
Can {pl:pet} eat {ingredient}?
How do I train my {pet}?
Where can I adopt {a:pet}?
How do I save energy at home?
How do I bleed a radiator?
What temperature should my thermostat be on?
Why is my electricity bill so high?
How do I change a light bulb safely?
How do I change a fuse?
Turn off the {device}.
Turn on the {device} in the {room}.
Remind me to {task} {when}.
Remind me {when} to {task}.
""",
    "work": """
How do I become {a:job}?
How much does {a:job} earn?
What qualifications do I need to be {a:job}?
How long does it take to train as {a:job}?
Is there a shortage of {pl:job}?
I want to work as {a:job}, where do I start?
What does {a:job} do all day?
Is it hard to become {a:job}?
Can I become {a:job} at forty?
What's the difference between {a:job} and {a:job#2}?
How do I write a CV for a job as {a:job}?
I have a job interview {when}, any tips?
What should I wear to a job interview?
How do I ask for a pay rise?
How many days of holiday do I get a year?
Can I take a day off if my {relative} is sick?
How do I write a resignation letter?
What's the minimum wage?
How do I find a part-time job?
Where can I find volunteering jobs near me?
When does the school term start?
When do schools go back after {holiday}?
How do I enroll my child in school?
Are schools closed {when}?
What time does school finish on {pl:weekday}?
Is there {a:subject} tutor near me?
How can I help my child with {subject} homework?
What's the best way to learn {subject}?
Where can I study {subject} in the evenings?
Are there free {subject} classes for adults?
How do I get better at {subject}?
Is {subject} a good subject to study at university?
What jobs can I get with a degree in {subject}?
How do I learn {language}?
How long does it take to learn {language}?
Is {language} harder to learn than {language#2}?
Where can I take {language} lessons?
How do I apply for a student loan?
When is the deadline for university applications?
How do I write a good essay?
How do I revise for exams?
What's the best way to remember things for a test?
""",
    "money": """
How do I open a bank account?
What do I need to open a bank account?
How much tax do I pay on my wages?
How do I save money on {payment}?
How do I send money to {country}?
Is there a cash machine near the {place}?
Can I pay by card at the {place}?
How do I dispute a charge on my card?
I think someone stole my credit card.
How much should I save each month?
What's the interest rate on a savings account?
How do I make a budget?
How do I check my credit score?
How can I pay off my debts faster?
How much is {price} in {pl:currency}?
How many {pl:currency} do I get for {price}?
Is it cheaper to pay {payment} monthly or yearly?
How do I claim money back for {a:product}?
Can I get a loan to buy {a:vehicle}?
How much does it cost to insure {a:vehicle}?
How much should I spend on {a:product}?
How do I apply for {service}?
Am I eligible for {service}?
How much do people usually spend on {occasion}?
""",
    "tech": """
How do I connect my {gadget} to the wifi?
My {gadget} keeps freezing.
How do I reset my {online}?
I forgot my {online}.
How do I change my {online}?
How do I update my {gadget}?
How do I take a screenshot on my {gadget}?
Why is my {gadget} so slow?
How do I back up my {gadget}?
How do I move my photos from my {gadget} to my {gadget#2}?
My {gadget} battery drains really fast.
How do I turn off notifications on my {gadget}?
Can I recycle my old {gadget}?
How do I set up {a:gadget}?
Which {gadget} should I buy?
Is it worth repairing {a:gadget}?
How do I connect my {gadget} to the TV?
My {gadget} won't charge.
My {gadget} screen is cracked, can it be fixed?
How do I make my {gadget} louder?
How do I free up space on my {gadget}?
How do I block a number on my phone?
How do I stop spam emails?
Is this email a scam?
How do I know if a website is safe?
How do I make a video call with my {relative}?
How do I share my {online} with my {relative}?
Why is the internet so slow {when}?
The wifi keeps dropping out.
How do I change the wifi password?
How do I print from my {gadget}?
Call my {relative}.
Send a message to my {relative} saying I'll be late.
What's on my calendar for {when}?
Set an alarm for {time}.
Wake me up at {time} {when}.
Play some {genre}.
Play {genre} in the {room}.
Turn the volume down.
""",
    "science": """
What causes {pl:phenomenon}?
Why do we get {pl:phenomenon}?
How does {phenomenon} work?
Is {phenomenon} dangerous?
How do I explain {phenomenon} to a child?
How long do {pl:animal} live?
What do {pl:animal} eat?
Where do {pl:animal} sleep?
How fast can {a:animal} run?
Are {pl:animal} dangerous?
How many legs does {a:animal} have?
Do {pl:animal} hibernate?
Where do {pl:animal} go in the winter?
What's the difference between {a:animal} and {a:animal#2}?
Is {a:animal} a mammal?
Why do {pl:animal} have tails?
How big does {a:animal} get?
How many babies does {a:animal} have?
Can {pl:animal} see in the dark?
What should I do if I see {a:animal} in my garden?
Tell me a fact about {pl:animal}.
How far is {planet} from the sun?
How big is {planet}?
Can you see {planet} tonight?
How long is a day on {planet}?
Does {planet} have any moons?
What is {planet} made of?
How long would it take to fly to {planet}?
Could people live on {planet}?
Why is {planet} that colour?
What is {a:celestial}?
How far away is the nearest {celestial}?
How old is the {celestial}?
How hot is the {celestial}?
What is the boiling point of {element}?
Is {element} a metal?
What is {element} used for?
Where does {element} come from?
Is {element} dangerous?
Why do {pl:tree} lose their leaves in {season}?
How old can {a:tree} get?
Which flowers bloom in {season}?
Why is the sky blue?
Why is the sea salty?
How are rainbows made?
What causes the tides?
Why do we have seasons?
How hot is the centre of the earth?
How many stars are in the sky?
Why does the moon change shape?
What's the weather going to be like {when}?
Will it rain {when}?
Is it going to snow {when}?
Do I need an umbrella {when}?
What's the temperature outside?
Is there going to be {a:weather} {when}?
How do I prepare for {a:weather}?
What should I do during {a:weather}?
Is it safe to drive in {weather}?
When is the sunset {when}?
Will it be sunny at the weekend?
Is there a weather warning for {weather}?
""",
    "howto": """
How do I learn to play the {instrument}?
How long does it take to learn the {instrument}?
Where can I take {instrument} lessons?
Is the {instrument} hard to learn?
What's the easiest instrument to learn?
How much does {a:instrument} cost?
Can adults learn the {instrument}?
How do I get better at {sport}?
Where can I play {sport} {when}?
What are the rules of {sport}?
Is there a {sport} club near me?
How many players are on a {sport} team?
What equipment do I need for {sport}?
When does the {sport} season start?
Who won the {sport} {when}?
How do I start running?
How do I draw {a:animal}?
How do I tie a tie?
How do I iron a shirt?
How do I sew on a button?
How do I get chewing gum off my {clothing}?
How do I wrap a present neatly?
How do I write a thank you card?
How do I make my {room} look bigger?
Who invented the {device}?
When was the {device} invented?
How does {a:device} work?
How does the {device} actually work?
Tell me something interesting about {planet}.
Tell me about the history of {city}.
Tell me a fact about {country}.
Are there any {pl:event} {when}?
Is there {a:event} in town {when}?
How do I get tickets for the {event}?
What time does the {event} start?
Where is the {event} being held?
Can I bring my {relative} to the {event}?
What should I wear to {a:event}?
How much are tickets for the {event} {when}?
Is the {event} still on if it rains?
How do I organise {a:event}?
How do I plan {a:event} on a budget?
What's a good idea for {occasion}?
How do I cheer up my {relative}?
How do I make friends in a new town?
How do I say no politely?
How do I stop procrastinating?
How do I fall asleep faster?
How do I get my {relative} to stop snoring?
""",
    "statements": """
I need {a:document}.
I'm looking for {a:shop}.
I'm looking for a good {trade}.
I'm looking for {a:place} near the {place#2}.
I lost my {belonging}.
I can't find my {belonging}.
I think I left my {belonging} at the {place}.
I found a {belonging} outside the {place}.
I need to see {a:health_job}.
I need to get my {vehicle} fixed.
I need to book an appointment with {a:health_job} {when}.
I'd like to book a table for {small_number} {when}.
I'd like to report {problem}.
I want to learn {language}.
I want to learn to play the {instrument}.
I want to take up {sport}.
I'm allergic to {ingredient}.
I'm allergic to {pl:animal}.
My {relative} is allergic to {ingredient}.
My {relative} has {a:symptom}.
My {relative} fell and hurt their {body_part}.
I've had {a:symptom} for {duration}.
I've got {a:symptom} and {a:symptom#2}.
I need a recipe for {dish}.
I need ideas for {meal}.
I need to buy {a:product}.
I need a new {device}.
I need someone to fix my {house_part}.
My {house_part} needs fixing.
My neighbour's {pet} keeps coming into my garden.
There's {a:animal} in my {room}.
There are {pl:pest} in my {room}.
I need to {errand}.
I want to {errand}, what do I need?
I'm moving to {city} in {month}.
I'm going to {country} for {duration}.
I'm planning a trip to {city} with my {relative}.
I'm having {a:event} {when}.
I'm going to {a:event} {when}.
I'm cooking {meal} for {number} people.
I have {ingredient} and {pl:produce} in the fridge.
I just moved here and need to register with {a:health_job}.
I need a {trade} urgently.
My {online} isn't working.
My {gadget} is broken.
I have a meeting at {time} {when}.
I'm running late for the {event}.
I'd like to cancel my {online}.
I'd like to speak to someone about {service}.
I'd like some information about {service}.
I need help with {payment}.
""",
}

# Spoken variation: what people put in front and after, and how they shorten.
OPENERS = (
    ("", 40), ("Um, ", 4), ("Uh, ", 3), ("So, ", 4), ("Hey, ", 4), ("Hi, ", 2), ("Okay, ", 3),
    ("Excuse me, ", 2), ("Sorry, ", 1), ("Quick question, ", 3), ("Hello, ", 1), ("Hmm, ", 1),
    ("Well, ", 1), ("Right, ", 1), ("Oh, ", 1), ("Hey there, ", 1), ("Um, so ", 2), ("Can you tell me, ", 1),
    ("I was wondering, ", 1), ("Just wondering, ", 1), ("Hey, quick question, ", 1), ("Hi there, ", 1),
    ("Okay so ", 1), ("Sorry to bother you, ", 1), ("Yeah, ", 1), ("Hey assistant, ", 1),
)
CLOSERS_QUESTION = (("", 30), (", please", 2), (" please", 1), (", thanks", 2), (", thank you", 1),
                    (" by any chance", 1), (", do you know", 1))
CLOSERS_STATEMENT = (("", 20), (", please", 2), (", thanks", 2), (". Can you help", 2),
                     (". What should I do", 1), (". Any ideas", 1), (", thank you", 1))
CONTRACTIONS = (
    (r"\bWhat is\b", "What's"), (r"\bwhat is\b", "what's"), (r"\bWhere is\b", "Where's"),
    (r"\bwhere is\b", "where's"), (r"\bHow is\b", "How's"), (r"\bWho is\b", "Who's"),
    (r"\bWhen is\b", "When's"), (r"\bThere is\b", "There's"), (r"\bthere is\b", "there's"),
    (r"\bI am\b", "I'm"), (r"\bI would\b", "I'd"), (r"\bI will\b", "I'll"), (r"\bdo not\b", "don't"),
    (r"\bdoes not\b", "doesn't"), (r"\bis not\b", "isn't"), (r"\bcannot\b", "can't"),
    (r"\bI have (got|been|lost|had|broken|forgotten)\b", r"I've \1"), (r"\bit is\b(?=\s\w)", "it's"),
    (r"\bIt is\b", "It's"), (r"\bthat is\b(?=\s\w)", "that's"), (r"\bare not\b", "aren't"),
    (r"\bwill not\b", "won't"), (r"\bhas not\b", "hasn't"), (r"\bhave not\b", "haven't"),
)
EXPANSIONS = tuple((re.compile(short), long) for short, long in (
    (r"\bwon't\b", "will not"), (r"\bcan't\b", "can not"), (r"\bcannot\b", "can not"),
    (r"\bshan't\b", "shall not"), (r"n't\b", " not"), (r"'m\b", " am"), (r"'re\b", " are"),
    (r"'ve\b", " have"), (r"'ll\b", " will"), (r"'d\b", " would"),
    (r"\b(it|that|what|where|when|who|how|there|here|he|she|this)'s\b", r"\1 is"),
))
SLOT = re.compile(r"\{(?:(a|pl):)?([a-z_]+)(#2)?\}")


def normalize(text: str) -> str:
    """Lower case, contractions expanded, punctuation dropped, single spaces: for comparisons."""
    text = text.lower().replace("\u2019", "'")
    for pattern, long in EXPANSIONS:
        text = pattern.sub(long, text)
    text = re.sub(r"'s\b", "s", text).replace("'", "")
    return " ".join(re.findall(r"[a-z0-9]+", text))


def _ngrams(words: Sequence[str], n: int = NGRAM) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


@dataclass(frozen=True)
class Frame:
    domain: str
    text: str

    @property
    def slots(self) -> list[tuple[str, str, bool]]:
        return [(m.group(1) or "", m.group(2), bool(m.group(3))) for m in SLOT.finditer(self.text)]


def frames() -> list[Frame]:
    out = []
    for domain, block in FRAMES.items():
        out.extend(Frame(domain, line.strip()) for line in block.strip().splitlines() if line.strip())
    return out


def _weighted(rng: random.Random, options: Sequence[tuple[str, int]]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def _fill(text: str, rng: random.Random, slots: Slots, depth: int = 0) -> str:
    chosen: dict[str, str] = {}

    def replace(match: re.Match) -> str:
        kind, name, second = match.group(1) or "", match.group(2), bool(match.group(3))
        words = slots.words[name]
        word = rng.choice(words)
        if second:
            for _ in range(10):
                if word.text != chosen.get(name):
                    break
                word = rng.choice(words)
        else:
            chosen[name] = word.text
        form = word.form(kind, slots.irregular)
        return _fill(form, rng, slots, depth + 1) if "{" in form and depth < 3 else form

    # fill first-draw slots before the #2 ones, so a second draw can avoid the first
    text = SLOT.sub(lambda m: replace(m) if not m.group(3) else m.group(0), text)
    return SLOT.sub(replace, text)


def _speak(sentence: str, rng: random.Random) -> str:
    """Spoken variants: contractions, an opener ("um", "hey", "quick question"), a closer."""
    if rng.random() < 0.5:
        for pattern, short in CONTRACTIONS:
            sentence = re.sub(pattern, short, sentence)
    end = sentence[-1]
    body = sentence[:-1]
    closer = _weighted(rng, CLOSERS_QUESTION if end == "?" else CLOSERS_STATEMENT)
    if closer.startswith(". "):
        body, end = body + closer, "?"
    else:
        body += closer
    opener = _weighted(rng, OPENERS)
    if opener:
        first = body.split(" ")[0]
        keep = first in ("I", "I'm", "I'd", "I've", "I'll") or (first[:1].isupper() and first[1:2].isupper())
        if not keep and not (first in ("Christmas", "Easter") or first[0].isdigit()):
            body = body[0].lower() + body[1:]
        body = opener + body
    return body + end


def _acceptable(sentence: str) -> bool:
    words = sentence.split()
    return (MIN_WORDS <= len(words) <= MAX_WORDS and bool(SPEAKABLE.match(sentence))
            and "  " not in sentence and "{" not in sentence)


def everyday_sentences(n: int, seed: int = 0, exclude: Iterable[str] = (),
                       wordnet_dir: str | Path | None = None) -> list[str]:
    """``n`` distinct everyday spoken questions and requests, the same for the same ``seed``.

    No sentence's normalized form equals one of ``exclude`` or shares a 4-word sequence with one.
    Raises ``WordNetMissing`` without WordNet, ``ValueError`` when ``n`` distinct ones cannot be made.
    """
    if n <= 0:
        return []
    slots = load_slots(str(wordnet_dir) if wordnet_dir else None)
    excluded_texts, excluded_grams = set(), set()
    for text in exclude:
        words = normalize(text).split()
        excluded_texts.add(" ".join(words))
        excluded_grams |= _ngrams(words)
    pool = frames()
    capacity = []
    for frame in pool:
        size = 1.0
        for _, name, _ in frame.slots:
            size *= len(slots.words[name])
        capacity.append(min(size, 400.0) ** 0.5 + 1.0)
    rng = random.Random(seed)
    out: list[str] = []
    seen: set[str] = set()
    attempts, limit = 0, 60 * n + 20000
    while len(out) < n:
        attempts += 1
        if attempts > limit:
            raise ValueError(f"made only {len(out)} distinct everyday sentences of {n} asked for")
        frame = rng.choices(pool, weights=capacity)[0]
        sentence = _speak(_fill(frame.text, rng, slots), rng)
        if not _acceptable(sentence):
            continue
        key = " ".join(re.findall(r"[a-z0-9']+", sentence.lower()))
        if key in seen:
            continue
        words = normalize(sentence).split()
        if " ".join(words) in excluded_texts or (_ngrams(words) & excluded_grams):
            continue
        seen.add(key)
        out.append(sentence)
    return out


def vocabulary_report(sentences: Iterable[str], tokenizer=None) -> dict:
    """How many distinct words and MiniLM word pieces the sentences cover."""
    if tokenizer is None:
        from transformers import AutoTokenizer

        from models.weights import resolve_text_model

        tokenizer = AutoTokenizer.from_pretrained(str(resolve_text_model("all-MiniLM-L6-v2")))
    words: set[str] = set()
    pieces: set[str] = set()
    count = 0
    for sentence in sentences:
        count += 1
        words.update(re.findall(r"[a-z0-9']+", sentence.lower()))
        pieces.update(tokenizer.tokenize(sentence))
    vocab = tokenizer.get_vocab()
    usable = [p for p in vocab if not (p.startswith("[") and p.endswith("]"))]
    return {
        "sentences": count,
        "distinct_words": len(words),
        "distinct_word_pieces": len(pieces),
        "whole_word_pieces": sum(1 for p in pieces if not p.startswith("##")),
        "vocab_size": len(vocab),
        "piece_coverage": round(len(pieces) / max(1, len(usable)), 4),
    }


def stats(wordnet_dir: str | Path | None = None) -> dict:
    """Counts for a report: frames per domain, slot types and their words."""
    slots = load_slots(str(wordnet_dir) if wordnet_dir else None)
    pool = frames()
    wordnet_types = [k for k, c in CATEGORIES.items() if not c.hand and not c.union]
    return {
        "frames": len(pool),
        "frames_per_domain": {d: sum(1 for f in pool if f.domain == d) for d in FRAMES},
        "slot_types": len(CATEGORIES),
        "slot_words": sum(len(slots.words[k]) for k, c in CATEGORIES.items() if not c.union),
        "wordnet_slot_words": sum(len(slots.words[k]) for k in wordnet_types),
        "distinct_slot_words": len({w.text for k, c in CATEGORIES.items() if not c.union
                                    for w in slots.words[k]}),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Print everyday spoken questions and requests.")
    parser.add_argument("-n", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--stats", action="store_true", help="print frame and slot counts too")
    args = parser.parse_args(argv)
    for sentence in everyday_sentences(args.n, args.seed):
        print(sentence)
    if args.stats:
        print(stats())


if __name__ == "__main__":
    main()
