"""Short passages on well-known general topics, phrased for this project (CC0).

Facts are common knowledge; the wording is original. Numbers are rounded as a school book would.
"""

SOURCE = "General knowledge notes (written for the SEAL demo)"

SPACE = [
    ("The Sun", """The Sun is a star, a huge ball of hot hydrogen and helium gas about 150 million
     kilometres from Earth. Its light takes a little over eight minutes to reach us."""),
    ("The Moon", """The Moon is Earth's only natural satellite, about 384,000 kilometres away. It always
     shows the same face to Earth because it turns once on its axis in the same time it takes to go
     around us."""),
    ("Phases of the Moon", """The Moon's phases, from new moon to full moon and back, come from how much of
     its sunlit side we can see. A full cycle takes about twenty-nine and a half days."""),
    ("Planets", """Eight planets orbit the Sun: Mercury, Venus, Earth and Mars are small rocky worlds, while
     Jupiter, Saturn, Uranus and Neptune are giants made mostly of gas and ice."""),
    ("Mars", """Mars is called the red planet because iron oxide, a kind of rust, colours its dusty
     surface. It has two small moons, Phobos and Deimos, and the tallest volcano known, Olympus Mons."""),
    ("Jupiter", """Jupiter is the largest planet in the solar system, more than three hundred times as
     heavy as Earth. Its Great Red Spot is a storm larger than our whole planet."""),
    ("Saturn's rings", """Saturn's bright rings are made of countless pieces of ice and rock, from grains of
     dust to chunks as big as houses. They are very wide but mostly less than a kilometre thick."""),
    ("Eclipses", """A solar eclipse happens when the Moon passes between the Sun and Earth and hides the
     Sun. A lunar eclipse happens when Earth's shadow falls on the full Moon, which can turn it a dark
     red."""),
    ("Seasons", """Earth has seasons because its axis is tilted by about 23 degrees. When a hemisphere leans
     towards the Sun it gets more direct sunlight and longer days, which makes summer."""),
    ("Light year", """A light year is a distance, not a time: it is how far light travels in one year,
     nearly ten trillion kilometres. The nearest star after the Sun is a bit more than four light years
     away."""),
    ("The Milky Way", """The Milky Way is the galaxy we live in, a flat spiral of a few hundred billion
     stars. On a dark night away from city lights it can be seen as a pale band across the sky."""),
    ("First Moon landing", """People first walked on the Moon in July 1969, during the Apollo 11 mission.
     Neil Armstrong stepped out first, followed by Buzz Aldrin, while Michael Collins stayed in orbit."""),
    ("International Space Station", """The International Space Station circles Earth about every 90
     minutes at a height of roughly 400 kilometres. Astronauts from several countries have lived on board
     continuously since 2000."""),
    ("Shooting stars", """A shooting star is not a star but a small piece of space rock or dust burning up
     as it rushes into Earth's atmosphere. Meteor showers happen when Earth passes through a trail of comet
     dust."""),
]

EARTH = [
    ("Water cycle", """In the water cycle, the Sun warms seas and lakes so water evaporates, the vapour
     cools and condenses into clouds, and it falls back as rain or snow that flows to rivers and the sea
     again."""),
    ("Why the sky is blue", """The sky looks blue because air molecules scatter the short blue wavelengths
     of sunlight much more than the longer red ones, so blue light reaches our eyes from every direction of
     the sky."""),
    ("Rainbows", """A rainbow appears when sunlight shines into raindrops behind you. Each drop bends and
     reflects the light, splitting it into colours from red on the outside to violet on the inside."""),
    ("Thunder and lightning", """Lightning is a giant electric spark between a cloud and the ground or
     between clouds. It heats the air so fast that the air bursts outward, and that is the sound of
     thunder."""),
    ("How far away is a storm", """To estimate how far away a thunderstorm is, count the seconds between
     the flash and the thunder and divide by three. The answer is roughly the distance in kilometres."""),
    ("Earthquakes", """Earthquakes happen when huge plates of Earth's crust, which move very slowly, get
     stuck and then suddenly slip. The energy released travels through the ground as waves that shake the
     surface."""),
    ("Volcanoes", """A volcano is an opening in Earth's crust where melted rock called magma rises to the
     surface. Once the molten rock comes out it is called lava."""),
    ("Tides", """Tides are the regular rise and fall of the sea, caused mainly by the Moon's gravity pulling
     on the oceans. Most coasts have two high tides and two low tides each day."""),
    ("Oceans", """Oceans cover about seventy percent of Earth's surface. The Pacific is the largest and
     deepest ocean; its Mariana Trench goes down about eleven kilometres."""),
    ("Highest mountain", """Mount Everest in the Himalayas is the highest mountain above sea level, at
     about 8,850 metres. The air at its top has only a third of the oxygen found at sea level."""),
    ("Longest rivers", """The Nile in Africa and the Amazon in South America are the two longest rivers in
     the world, each more than six thousand kilometres long. The Amazon carries by far the most water."""),
    ("Deserts", """A desert is a place that gets very little rain, not necessarily a hot one. The largest
     hot desert is the Sahara, but Antarctica, a cold desert, is even larger."""),
    ("Climate and weather", """Weather is what the air is doing on a given day: rain, wind, sun or snow.
     Climate is the typical pattern of weather in a place measured over many years."""),
    ("Greenhouse effect", """Gases such as carbon dioxide and methane trap some of the heat that Earth gives
     off, like the glass of a greenhouse. Burning coal, oil and gas adds more of these gases and warms the
     planet."""),
    ("Rain forests", """Tropical rain forests grow near the equator where it is warm and wet all year. They
     cover a small part of the land but are home to about half of the plant and animal species on
     Earth."""),
]

BODY = [
    ("The heart", """The heart is a muscle about the size of a fist that pumps blood around the body. At
     rest an adult's heart beats about sixty to a hundred times a minute."""),
    ("Blood", """Blood carries oxygen from the lungs and nutrients from food to every cell, and takes waste
     away. Red blood cells carry the oxygen, white blood cells fight infections, and platelets help blood
     clot."""),
    ("Lungs and breathing", """When you breathe in, the lungs fill with air and oxygen passes into the blood
     through millions of tiny air sacs. When you breathe out, carbon dioxide leaves the body."""),
    ("Bones", """An adult skeleton has 206 bones. The smallest is the stirrup bone in the ear and the
     longest is the thigh bone. Babies are born with more bones, some of which grow together."""),
    ("Sleep", """Sleep lets the body recover and the brain sort memories. Most adults need seven to nine
     hours a night, and teenagers a little more. A regular bedtime and a dark room help you sleep
     well."""),
    ("Drinking water", """The body is mostly water and loses some all day through breathing, sweat and
     urine. A simple sign of drinking enough is pale yellow urine; you need more in hot weather or during
     exercise."""),
    ("Vitamins", """Vitamins are substances the body needs in small amounts. Vitamin C from fruit and
     vegetables helps heal wounds, and vitamin D, which the skin makes in sunlight, keeps bones strong."""),
    ("Exercise", """Health services commonly advise adults to be active for at least 150 minutes a week,
     such as brisk walking or cycling, plus exercises that strengthen muscles on two days."""),
    ("Washing hands", """Washing hands with soap and water for about twenty seconds removes most germs. It
     is most important before eating or cooking, after using the toilet and after coughing or
     sneezing."""),
    ("Colds and flu", """Colds and flu are both caused by viruses, so antibiotics do not help against
     them. Flu usually comes on suddenly with fever and aches, while a cold is milder and mostly affects
     the nose."""),
    ("Teeth", """Adults have 32 permanent teeth, including four wisdom teeth that sometimes never come
     through. Brushing twice a day with fluoride toothpaste and cutting down on sugary drinks prevents
     decay."""),
    ("The brain", """The brain controls thinking, movement, feelings and the senses. It contains around
     eighty-six billion nerve cells, which pass signals to each other through electrical and chemical
     messages."""),
    ("First aid for burns", """For a minor burn, cool it under cool running water for at least twenty
     minutes, remove rings or tight clothing nearby, and cover it loosely with cling film. Do not use ice or
     butter."""),
    ("Sun protection", """Too much sun can burn the skin and raise the risk of skin cancer. Use sunscreen
     with a high protection factor, wear a hat, and stay in the shade around midday in summer."""),
]

FOOD = [
    ("Boiling an egg", """For a soft boiled egg with a runny yolk, lower the egg into boiling water and
     cook it for about six minutes; for a hard boiled egg, about ten minutes. Cool it in cold water to peel
     it easily."""),
    ("Cooking rice", """A simple way to cook white rice is to rinse it, add one and a half times its volume
     of water, bring it to a boil, then cover and simmer on low heat for about twelve minutes and let it
     rest."""),
    ("Bread", """Bread is made from flour, water, salt and yeast. The yeast feeds on sugars in the dough
     and releases carbon dioxide, which makes the dough rise and the bread light."""),
    ("Storing food safely", """A fridge should be kept below five degrees Celsius. Keep raw meat on the
     bottom shelf so it cannot drip onto other food, and eat leftovers within two days."""),
    ("Pasta", """Cook pasta in plenty of salted boiling water and stir it now and then so it does not stick.
     Taste it a minute before the time on the packet; it is ready when it is tender but still firm, which
     Italians call al dente."""),
    ("Why onions make you cry", """Cutting an onion breaks its cells and releases a gas that irritates the
     eyes, so they make tears to wash it away. A sharp knife and a chilled onion make it less
     painful."""),
    ("Coffee", """Coffee is made from the roasted seeds of the coffee plant, often called beans. It contains
     caffeine, which makes people feel more awake. Coffee first became popular in the Middle East before
     spreading to Europe."""),
    ("Tea", """Tea is made from the leaves of the tea plant, first drunk in China thousands of years ago.
     Green tea and black tea come from the same plant; black tea is left to oxidize before it is
     dried."""),
    ("Chocolate", """Chocolate is made from cocoa beans, the seeds of the cacao tree, which grows in warm
     places near the equator. The beans are fermented, dried, roasted and ground into a paste."""),
    ("Balanced diet", """A balanced diet includes plenty of vegetables and fruit, whole grains, some
     protein such as beans, fish, eggs or meat, and only small amounts of sugar, salt and saturated
     fat."""),
    ("Salt and health", """Eating too much salt can raise blood pressure. Adults are usually advised to eat
     less than five grams a day, about a teaspoon, and most of it comes hidden in bread and ready
     meals."""),
    ("Honey", """Bees make honey from flower nectar, which they store in honeycomb cells and fan with their
     wings until most of the water evaporates. Sealed honey can keep for a very long time."""),
]

TECH = [
    ("The internet", """The internet is a worldwide network of computer networks that exchange data using
     shared rules called protocols. The World Wide Web, the pages you open in a browser, is one service
     that runs on it."""),
    ("Passwords", """A strong password is long and unique for each account. A passphrase of several random
     words is easy to remember and hard to guess, and a password manager can keep track of them all."""),
    ("Two-factor login", """Two-factor authentication asks for a second proof when you log in, such as a
     code from an app on your phone, so a stolen password alone is not enough to get into your
     account."""),
    ("Phishing", """Phishing messages pretend to come from a bank, a shop or a colleague to trick you into
     giving away passwords or money. Be careful with urgent requests and check links before you click
     them."""),
    ("Backups", """A backup is a copy of your files kept somewhere else. A common rule is three copies of
     important data, on two different kinds of storage, with one copy away from home or in the cloud."""),
    ("How computers store data", """Computers store all data as bits, ones and zeros. Eight bits make a
     byte, and a kilobyte, megabyte and gigabyte are roughly a thousand, a million and a billion
     bytes."""),
    ("Wifi", """Wifi connects devices to a network using radio waves. Thick walls, metal and distance weaken
     the signal, so placing the router high up in a central spot usually gives better coverage."""),
    ("Speech recognition", """Speech recognition turns spoken words into text. Modern systems learn from
     many thousands of hours of recorded speech, using neural networks that map sounds to likely
     words."""),
    ("Search engines", """A search engine visits web pages with programs called crawlers, builds an index of
     the words and links on them, and ranks the pages that best match what you type."""),
    ("Artificial intelligence", """Artificial intelligence is the field of building computer systems that
     perform tasks which normally need human intelligence, such as understanding language, recognising
     images or planning."""),
    ("Batteries in phones", """Phone batteries are usually lithium-ion. They age faster when kept very hot
     or at full charge for long periods; charging between about twenty and eighty percent can help them
     last."""),
    ("Software updates", """Software updates fix bugs and close security holes that attackers could use.
     Turning on automatic updates for your phone, computer and apps is one of the simplest ways to stay
     safe."""),
]

HISTORY = [
    ("Printing press", """Johannes Gutenberg built a printing press with movable metal type in Mainz around
     1450. Books became far cheaper to make, which helped spread reading and new ideas across Europe."""),
    ("Telephone", """Alexander Graham Bell received a patent for the telephone in 1876. Early telephones
     were connected by operators who joined calls by hand at a switchboard."""),
    ("Light bulb", """Several inventors worked on electric light in the nineteenth century. Thomas Edison's
     team made a practical, long-lasting bulb with a carbon filament around 1880."""),
    ("First powered flight", """The Wright brothers, Orville and Wilbur, made the first controlled, powered
     aeroplane flights at Kitty Hawk in the United States in December 1903. The first flight lasted twelve
     seconds."""),
    ("Penicillin", """Alexander Fleming noticed in 1928 that a mould called Penicillium killed bacteria on
     a dish in his laboratory. Penicillin became the first widely used antibiotic in the 1940s."""),
    ("Steam engine", """Steam engines turn the heat of burning fuel into movement. James Watt's improvements
     in the 1760s and 1770s made them much more efficient, and they powered factories, trains and ships in
     the industrial revolution."""),
    ("The wheel", """The wheel was invented more than five thousand years ago, probably first for making
     pots. Wheels for carts came a little later and changed how people moved heavy loads."""),
    ("Paper", """Paper was invented in China about two thousand years ago, made from plant fibres soaked in
     water, pressed into thin sheets and dried. The craft later spread along trade routes to the Middle
     East and Europe."""),
    ("The Olympic Games", """The ancient Olympic Games were held in Olympia in Greece for over a thousand
     years. The modern Olympics began in Athens in 1896 and are now held every four years."""),
    ("The World Wide Web", """Tim Berners-Lee invented the World Wide Web in 1989 while working at CERN, the
     physics laboratory near Geneva. He wrote the first web browser and web server."""),
    ("Vaccines", """Edward Jenner showed in 1796 that infecting people with mild cowpox protected them from
     smallpox. This was the start of vaccination; smallpox was declared wiped out worldwide in 1980."""),
    ("Pyramids of Giza", """The great pyramids of Giza in Egypt were built about four and a half thousand
     years ago as tombs for pharaohs. The largest, the Great Pyramid, was the tallest building in the
     world for thousands of years."""),
]

NATURE = [
    ("Photosynthesis", """Plants make their own food by photosynthesis: using the energy of sunlight, they
     turn carbon dioxide from the air and water from the soil into sugar, and release oxygen."""),
    ("Bees and pollination", """When bees visit flowers for nectar, pollen sticks to their bodies and is
     carried to other flowers, which lets the plants make seeds and fruit. Many crops depend on this."""),
    ("Bird migration", """Many birds fly south in autumn to warmer places where food is easier to find and
     return in spring to breed. Some, like the Arctic tern, travel tens of thousands of kilometres a
     year."""),
    ("Why leaves change colour", """In autumn trees stop making green chlorophyll, so yellow and orange
     pigments that were hidden in the leaves show through. Some trees also make red pigments before the
     leaves fall."""),
    ("Hibernation", """Some animals, such as hedgehogs, bats and dormice, hibernate through winter. Their
     body temperature drops and their heartbeat slows, so they use very little energy while food is
     scarce."""),
    ("Whales", """Whales are mammals, not fish: they breathe air, are warm-blooded and feed their young on
     milk. The blue whale is the largest animal known to have ever lived."""),
    ("Cats and dogs", """Dogs were domesticated from wolves many thousands of years ago, earlier than any
     other animal. Cats came later, probably drawn to early farms by the mice living in stored grain."""),
    ("How trees grow", """A tree grows taller at the tips of its branches and wider by adding a new layer of
     wood under its bark each year. Counting these yearly rings in a cut trunk shows the tree's age."""),
    ("Spiders", """Spiders are not insects: they have eight legs and two body parts, while insects have six
     legs and three body parts. Most spiders spin silk to build webs or to wrap their prey."""),
    ("Octopuses", """An octopus has eight arms, three hearts and blue blood. Octopuses are clever animals
     that can solve puzzles, and they can change the colour of their skin to hide."""),
]

GENERAL = {
    "space": (SOURCE, "Space", SPACE),
    "earth": (SOURCE, "Earth and weather", EARTH),
    "body": (SOURCE, "Health and the body", BODY),
    "food": (SOURCE, "Food and cooking", FOOD),
    "tech": (SOURCE, "Technology", TECH),
    "history": (SOURCE, "Inventions and history", HISTORY),
    "nature": (SOURCE, "Plants and animals", NATURE),
}
