"""Passages about the public services of Alderbrook, a fictional town (written for this project, CC0).

Every name, number, address and phone number here is invented for the demo.
"""

SOURCE = "Alderbrook city services guide (fictional)"

WASTE = [
    ("Bin collection days", """Household rubbish in Alderbrook is collected once a week. Homes north of the
     River Alder have their grey bins emptied on Tuesday, homes south of the river on Thursday. Put the bin
     at the kerb by 7 in the morning on collection day."""),
    ("Recycling", """The blue recycling bin takes paper, cardboard, glass bottles and jars, food tins,
     drink cans and plastic bottles. Rinse containers and flatten boxes. Plastic bags, nappies and
     polystyrene do not go in the blue bin."""),
    ("Recycling schedule", """Blue recycling bins are emptied every two weeks, on the same weekday as the
     grey rubbish bin. The printed calendar sent to every household each January shows which weeks."""),
    ("Food waste", """Every household can get a small green caddy for food waste at no charge. Peelings,
     leftovers, tea bags, coffee grounds, bones and egg shells go in it. It is collected every week
     together with the grey bin."""),
    ("Garden waste", """Grass cuttings, leaves, hedge trimmings and small branches can go in a brown garden
     waste bin. The service runs from March to November and costs 45 crowns a year per bin."""),
    ("Missed collection", """If your bin was not emptied, report it on the city website or call the
     service line at 0400 200 300 before 6 in the evening of the next working day. The crew returns within
     two working days."""),
    ("Bulky items", """Furniture, mattresses, fridges and other large items can be collected from your
     home for 25 crowns for up to three items. Book a bulky waste pick-up online; collections happen on
     Saturdays."""),
    ("Recycling centre", """The Millbank recycling centre on Quarry Road takes wood, metal, electrical
     goods, garden waste, building rubble in small amounts and textiles. It is open every day from 8 to 6,
     except on public holidays. Residents need proof of address."""),
    ("Batteries and electronics", """Used batteries can be left in a small bag on top of the blue bin on
     collection day. Phones, laptops, cables and small electrical appliances go to the recycling centre or
     to the collection boxes in the library and the town hall lobby."""),
    ("Hazardous waste", """Paint, motor oil, solvents, pesticides and gas bottles must never go in household
     bins. Take them to the hazardous waste corner at the Millbank recycling centre, which is staffed on
     Wednesdays and Saturdays."""),
    ("New or broken bin", """A replacement for a stolen or broken bin can be ordered online. The first
     replacement is free; further replacements within a year cost 20 crowns. New homes receive a full set
     of bins when they register."""),
    ("Holiday collections", """When a public holiday falls on your collection day, your bins are collected
     one day later that week. Over the winter holidays the changed dates are posted on the city website."""),
    ("Christmas trees", """Real Christmas trees are collected for free during the first two weeks of
     January. Remove all decorations and the stand and leave the tree next to your grey bin. Trees are
     shredded into mulch for the city parks."""),
    ("Fly-tipping", """Dumping rubbish in the street, in parks or in the countryside is an offence that
     carries a fine of up to 400 crowns. Report dumped rubbish with a photo through the city app and it is
     usually cleared within three days."""),
    ("Clothes and textiles", """Clean clothes, shoes in pairs and household textiles can go in the textile
     banks at supermarkets and at the recycling centre. Items in good condition are passed on to charity
     shops."""),
    ("Composting", """Residents can buy a home compost bin from the city at a reduced price of 15 crowns.
     A free composting workshop is held at the Green Lane community garden on the first Saturday of April
     and September."""),
]

LIBRARY = [
    ("Opening hours", """Alderbrook Central Library on Market Square opens Monday to Friday from 9 in the
     morning to 8 in the evening, and on Saturday from 10 to 4. It is closed on Sundays and public
     holidays."""),
    ("Library card", """Anyone who lives, works or studies in Alderbrook can get a library card for free.
     Bring a photo ID and something showing your address to any library desk, or register online and
     collect the card on your first visit."""),
    ("Borrowing limits", """With one library card you can borrow up to 15 items at a time. Books and audio
     books are lent for three weeks, films and games for one week."""),
    ("Renewing loans", """Loans can be renewed up to three times online, in the library app, or by phone,
     unless another reader has reserved the item."""),
    ("Late returns", """Alderbrook libraries charge no late fees for children's books. For adults the fee is
     10 cents per item per day, up to a maximum of 3 crowns per item. Lost items are charged at their
     replacement cost."""),
    ("Returning books", """Items can be returned to any Alderbrook library, including the book drop next
     to the main entrance of the Central Library, which is open day and night."""),
    ("Reservations", """You can reserve a book that is on loan. Reservations are free, and the library
     sends an email or text message when the item is waiting for you at the branch you chose."""),
    ("E-books", """Library members can borrow e-books and e-audiobooks for free through the library's
     reading app. Sign in with your card number and PIN. Up to five digital titles can be borrowed at
     once."""),
    ("Computers and wifi", """Every library has free wifi and public computers. Members can book a
     computer for up to two hours a day. Printing costs 10 cents per black and white page and 50 cents per
     colour page."""),
    ("Study rooms", """Quiet study rooms on the second floor of the Central Library can be booked for up to
     three hours at a time. Group rooms for four to eight people have a screen and a whiteboard."""),
    ("Branch libraries", """Besides the Central Library there are two branch libraries: Northgate Library
     on Elm Street and Riverside Library in the Riverside community centre. The branches open Tuesday to
     Saturday."""),
    ("Children's story time", """Story time for children aged two to five takes place every Wednesday at
     10:30 and every Saturday at 11 in the children's corner of the Central Library. No booking is
     needed."""),
    ("Home delivery", """People who cannot visit the library because of illness, disability or caring
     duties can have books delivered to their home every four weeks by library volunteers, at no cost."""),
    ("Local history archive", """The local history room of the Central Library holds old maps, photographs,
     newspapers and parish records of Alderbrook. Staff can help with family history research on Thursday
     afternoons."""),
    ("Tool library", """The Riverside Library also lends tools: drills, ladders, sewing machines and garden
     equipment can be borrowed for a week with a library card. A small deposit is asked for power
     tools."""),
    ("Language cafe", """A free language cafe meets in the Central Library every Tuesday evening at 6.
     Newcomers practise conversation with volunteers in a relaxed setting; everyone is welcome."""),
]

TRANSPORT = [
    ("Residential parking permit", """Residents of the old town can apply for a residential parking permit
     online. It costs 40 crowns a year for the first car and 90 crowns for a second car. You need your
     vehicle registration and proof of address."""),
    ("Visitor parking", """Permit holders can buy visitor passes for guests in packs of ten day passes for
     12 crowns. A guest must show the pass on the dashboard or register the number plate in the parking
     app."""),
    ("Parking fines", """A parking fine can be paid online within 28 days. If it is paid within 14 days the
     amount is halved. To challenge a fine, send the reference number and your reasons through the appeals
     form."""),
    ("Car parks", """The city runs three car parks: Market Square underground, Station Road multi-storey and
     Riverside open car park. Parking costs 1.50 crowns per hour, and evenings after 7 are free at
     Riverside."""),
    ("Disabled parking", """Holders of a blue disabled parking badge park free in all city car parks and
     on-street spaces, without a time limit. Apply for a badge at the town hall customer centre."""),
    ("Buses", """Alderbrook has six bus lines run by the city transport company. Buses run from 5:30 in the
     morning to midnight, every ten minutes on the main lines during the day."""),
    ("Bus tickets", """A single bus ticket costs 2 crowns and is valid for 60 minutes including changes. A
     day ticket costs 5 crowns. Tickets can be bought in the transport app, by tapping a bank card on the
     reader, or from the driver in cash."""),
    ("Monthly pass", """A monthly bus pass costs 45 crowns. Students, people over 65 and job seekers pay
     half price with the reduced pass, which needs a photo card from the transport office at the main
     station."""),
    ("Night bus", """On Friday and Saturday nights the N1 night bus runs every half hour from midnight to
     4 in the morning, from the main station through the old town to Northgate and Riverside."""),
    ("Children on buses", """Children under six travel free on Alderbrook buses. Children from six to
     fifteen need a child ticket, which costs half the adult fare."""),
    ("Lost property on buses", """Items left on a bus or at a bus stop are kept at the transport office at
     the main station for three months. Call the lost property line or fill in the form in the transport
     app."""),
    ("City bikes", """The city bike scheme has 40 stations around town. After registering in the app, the
     first 30 minutes of every ride are free; each further half hour costs 1 crown. Electric bikes cost 1
     crown to unlock."""),
    ("Cycle lanes", """Alderbrook has 85 kilometres of cycle lanes. The riverside path from the old town to
     the Millbank lakes is separated from car traffic for its whole length."""),
    ("Bike registration", """You can have your bicycle engraved with a registration number for free at the
     police open days, held in the town hall courtyard on the first Monday of every month."""),
    ("Road works", """A map of current road works and closures is kept on the city website and in the city
     app. Major works are announced at least two weeks in advance by letter to nearby homes."""),
    ("Potholes", """Report a pothole, broken paving or a damaged road sign in the city app with a photo and
     its location. Dangerous defects are made safe within 24 hours; others are repaired within 28
     days."""),
    ("Street lights", """If a street light is out or flickering, report the number on the lamp post through
     the city website. Most repairs are done within five working days."""),
    ("Taxi licences", """Taxi drivers in Alderbrook need a licence from the city. Applicants pass a
     knowledge test of local streets, a medical check and a background check. The licence lasts three
     years."""),
    ("Electric car charging", """Public charging points for electric cars are in all three city car parks
     and at twenty street locations. Charging costs 35 cents per kilowatt hour and is paid in the charging
     app."""),
    ("Train station", """Alderbrook main station has direct trains to the capital every hour; the journey
     takes about 75 minutes. The station has bike parking for 600 bicycles and a taxi rank at the east
     exit."""),
    ("Airport connection", """Express bus X9 runs from the main station to the regional airport every 30
     minutes from 4 in the morning to 11 at night. The trip takes about 40 minutes and the fare is 8
     crowns."""),
    ("Car free Sunday", """On the last Sunday of June the old town is closed to cars for the car free day,
     with street games, music and free bus travel for everyone."""),
]

PARKS = [
    ("Swimming pool hours", """The Alderbrook indoor swimming pool on Park Lane opens weekdays from 6:30 in
     the morning to 9 at night and weekends from 8 to 6. Early mornings and evenings are reserved for lane
     swimming."""),
    ("Swimming prices", """Entry to the indoor pool costs 5 crowns for adults and 3 crowns for children and
     seniors. A family ticket for two adults and up to three children costs 12 crowns. Children under three
     swim free."""),
    ("Swimming lessons", """Swimming lessons for children from age four are held on weekday afternoons in
     terms of ten weeks. Adult beginner lessons are on Tuesday and Thursday evenings. Book at the pool desk
     or online."""),
    ("Outdoor pool", """The outdoor lido at Millbank lakes is open from the beginning of June to mid
     September, every day from 10 to 7 in good weather. It has a children's pool, a slide and lifeguards on
     duty."""),
    ("Main parks", """Alderbrook's largest parks are Kingsmead Park with its rose garden and lake, the
     Millbank lakes nature area, and Hilltop Park, which has the best view over the town."""),
    ("Park opening times", """City parks are open from 7 in the morning until dusk. The gates of Kingsmead
     Park close half an hour after sunset; closing times are posted at each gate."""),
    ("Dogs in parks", """Dogs are welcome in all parks but must be on a lead in the rose garden, near
     playgrounds and around the lakes during the bird nesting season from March to July. Two fenced dog
     runs are in Hilltop Park."""),
    ("Playgrounds", """There are 32 public playgrounds in Alderbrook. The adventure playground in Kingsmead
     Park has a climbing tower, a water play area and equipment that wheelchair users can use."""),
    ("Barbecues", """Barbecues are allowed only in the marked barbecue areas in Kingsmead Park and at the
     Millbank lakes. Use the hot ash bins provided and never leave a fire burning."""),
    ("Booking a sports pitch", """Football pitches, tennis courts and the athletics track can be booked
     through the city sports booking page. Tennis courts cost 6 crowns per hour; outdoor basketball courts
     are free and cannot be booked."""),
    ("Sports centre", """The Eastfield sports centre has a gym, a climbing wall, two sports halls and a
     fitness class timetable. Monthly membership costs 30 crowns, or 18 crowns with a reduced rate
     card."""),
    ("Allotments", """The city rents out allotment garden plots at Green Lane and Northgate for 35 crowns a
     year. Because demand is high there is a waiting list; join it through the parks office."""),
    ("Tree planting", """Residents can ask the city to plant a tree in their street. The parks team checks
     the site for pipes and cables, and planting takes place between November and March."""),
    ("Ice rink", """From December to February an open air ice rink is set up on Market Square. Skating
     costs 4 crowns including skate hire, and the rink stays open until 10 at night."""),
    ("Running routes", """Three signposted running routes start at the Kingsmead Park gate: a 3 kilometre
     loop around the lake, a 5 kilometre route to Hilltop and a 10 kilometre route along the river."""),
    ("Fishing", """Fishing at the Millbank lakes needs a day permit, which costs 4 crowns and can be bought
     at the lakeside kiosk. Fishing is not allowed from the swimming beach."""),
]

PERMITS = [
    ("Building permit", """You need a building permit for new buildings, extensions, loft conversions and
     changes to the outside of a listed building. Apply online with drawings; a decision is usually made
     within eight weeks."""),
    ("Small works without a permit", """Garden sheds under 10 square metres, fences up to 1.8 metres high,
     and inside renovations that do not change load bearing walls need no building permit in
     Alderbrook."""),
    ("Business licence", """Shops, cafes and restaurants need a trading licence from the business office in
     the town hall. Food businesses must also register with the food safety team at least four weeks before
     opening."""),
    ("Market stall", """A stall at the Saturday market on Market Square costs 20 crowns a day. Regular
     traders can rent a fixed place for a season. Apply to the markets office at least two weeks in
     advance."""),
    ("Street party", """To close a residential street for a party, apply for a free street party permit at
     least six weeks ahead. All households on the street must be told, and the road must remain open to
     emergency vehicles."""),
    ("Event permit", """Public events with more than 200 people, amplified music or food stalls need an
     event permit. Apply at least eight weeks ahead with a site plan and a safety plan."""),
    ("Skip on the street", """Placing a skip or scaffolding on the road or pavement requires a permit from
     the highways team. The permit costs 30 crowns per week and the skip must have lights at night."""),
    ("Dropped kerb", """To park on your driveway across the pavement you need a dropped kerb. Apply to the
     highways team; the city does the work and charges the homeowner, usually between 800 and 1,500
     crowns."""),
    ("Noise rules", """Quiet hours in Alderbrook run from 10 at night to 7 in the morning, and all day on
     Sundays for building work. Noise complaints can be reported to the environmental health team."""),
    ("Outdoor seating", """Cafes that want tables and chairs on the pavement need a pavement licence, which
     costs 100 crowns per year plus 10 crowns per square metre. At least 1.5 metres of pavement must stay
     free for walkers."""),
    ("Tree work permit", """Cutting down or heavily pruning a tree with a trunk more than 30 centimetres
     across needs permission from the parks office, even on private land. Dead or dangerous trees can be
     removed after notice with a photo."""),
    ("Short term rentals", """Homeowners who rent out a home to tourists for more than 60 nights a year must
     register it with the city and pay the tourist tax of 2 crowns per guest per night."""),
]

UTILITIES = [
    ("Water supply", """Alderbrook's drinking water comes from the Hollow Hills reservoir and is tested daily.
     The water is moderately hard. Report a burst pipe or loss of water to the water emergency line, open
     day and night."""),
    ("Water bill", """Water and sewage are billed every three months based on your meter reading. Meter
     readings can be sent online to avoid an estimated bill."""),
    ("Water quality", """If your tap water looks brown or cloudy, run the cold tap for a few minutes. If it
     does not clear, call the water service; discolouration usually comes from work on the mains
     nearby."""),
    ("Sewer blockage", """A blocked drain inside your property is the owner's responsibility. A blocked
     public sewer, or sewage coming up in the street, should be reported to the water service at once."""),
    ("Snow clearing", """In winter the city gritting lorries treat main roads, bus routes and hills first
     when frost or snow is forecast. Residential streets are cleared after heavy snow once priority routes
     are done."""),
    ("Pavement snow", """Homeowners should clear snow and ice from the pavement in front of their property
     by 8 in the morning. Free grit is available from the yellow grit bins on steep streets."""),
    ("Flooding", """When river levels rise, flood warnings are sent by text message to registered
     households. Free sandbags are handed out at the Riverside depot during a flood warning."""),
    ("District heating", """Homes in the Northgate and Station quarters can connect to the district heating
     network, which is fed by the biomass plant at Millbank. Ask the energy office for a connection
     quote."""),
    ("Solar panel grants", """Homeowners can get a grant of up to 1,200 crowns towards solar panels or a
     heat pump. Apply to the energy office before the work starts; the grant is paid after installation."""),
    ("Energy advice", """The free energy advice service visits homes to suggest ways to cut heating bills,
     such as draught proofing and insulation. Book a visit by phone or on the city website."""),
    ("Public toilets", """Public toilets are at Market Square, the main station, Kingsmead Park and the
     Millbank lakes. All have accessible cubicles and baby changing; the Market Square toilets are open
     around the clock."""),
    ("Graffiti", """Offensive graffiti on public property is removed within 24 hours of being reported;
     other graffiti within ten days. The city removes graffiti from private walls facing the street for
     free."""),
]

TOWN_HALL = [
    ("Town hall opening hours", """The town hall customer centre on Market Square opens Monday to Friday
     from 8:30 to 4:30, and until 7 in the evening on Thursdays. Many services can also be used online at
     any time."""),
    ("Appointments", """For passports, ID cards and registrations, book an appointment online or at the
     kiosk in the town hall lobby. Walk-in visitors are seen between 8:30 and 10 each morning."""),
    ("Registering an address", """When you move to Alderbrook, register your new address at the customer
     centre within two weeks. Bring your ID and your rental contract or a letter from your landlord."""),
    ("ID card and passport", """Apply for an ID card or passport at the customer centre with a recent
     photo and your old document. An ID card takes about three weeks; an urgent passport can be issued in
     three working days for an extra fee."""),
    ("Birth registration", """Births must be registered within seven days at the registry office in the
     town hall. Bring the hospital confirmation and both parents' ID. The birth certificate is issued on
     the spot."""),
    ("Marriage", """Couples can marry at the town hall's marriage room or in the orangery in Kingsmead Park.
     Give notice to the registry office at least four weeks before the date; the ceremony fee starts at 80
     crowns."""),
    ("Death registration", """A death should be registered at the registry office within five days. The
     funeral director can help with this. The office then issues the death certificate and informs other
     city departments."""),
    ("Property tax", """Property tax is billed once a year in February and can be paid in full or in four
     instalments. People on low incomes can apply for a reduction of up to 80 percent."""),
    ("Paying the city", """Bills from the city can be paid online by card, by bank transfer with the
     reference number on the bill, or at the town hall cashier. If you have trouble paying, ask about a
     payment plan."""),
    ("Dog tax", """Dog owners pay a dog tax of 60 crowns a year for the first dog and 90 crowns for each
     additional dog. Registered assistance dogs are exempt. Register your dog within a month of getting
     it."""),
    ("Voting", """Residents over 18 who are registered at an Alderbrook address can vote in city elections.
     Polling cards are posted three weeks before an election; postal votes can be requested online."""),
    ("City council meetings", """The city council meets in public on the second Wednesday of each month at
     6 in the evening in the town hall chamber. Meetings are also streamed live and recorded on the city
     website."""),
    ("Complaints", """If you are unhappy with a city service, send a complaint through the online form or
     by letter. You receive an answer within 15 working days; if you are still unhappy, the city ombudsman
     can review it."""),
    ("Lost and found", """Items found in public places are kept at the lost and found desk of the town hall
     customer centre for six months. Search the online list of found items before visiting."""),
    ("City app", """The Alderbrook city app lets you report problems, check bin days, pay parking, book
     appointments and get alerts about road works and emergencies. It is free for Android and iPhone."""),
    ("Contact the city", """The city service line at 0400 200 300 answers on weekdays from 8 to 6. For
     emergencies outside these hours, such as a fallen tree on the road, call the out of hours number on
     the website."""),
    ("Translation help", """The customer centre can arrange an interpreter for appointments in more than 40
     languages at no cost. Ask for one when you book your appointment."""),
    ("Freedom of information", """Anyone can ask the city for information it holds. Send a request by
     email or letter; the city answers within 20 working days, free of charge for most requests."""),
]

SAFETY = [
    ("Emergency number", """In an emergency, when life is in danger or a crime is happening, call 112.
     For police matters that are not urgent, call the local police station or report online."""),
    ("Fire safety check", """The Alderbrook fire service offers free home fire safety visits, and fits free
     smoke alarms for people over 65 and families with young children. Book a visit on the fire service
     page."""),
    ("Hospital", """Alderbrook General Hospital on Hospital Road has a 24 hour emergency department. For
     minor injuries, the walk-in clinic at the Station health centre is open every day from 8 to 8."""),
    ("Pharmacies at night", """One pharmacy in town is always on duty at night and on Sundays. The duty
     pharmacy is listed on the door of every pharmacy and in the city app."""),
    ("Finding a doctor", """To register with a family doctor, contact one of the five general practices
     in Alderbrook. The list of practices accepting new patients is kept up to date on the city health
     page."""),
    ("Vaccinations", """Free flu vaccinations for people over 60, pregnant women and people with chronic
     illness are given at the Station health centre from October. Children's vaccinations are given by the
     school health service."""),
    ("Lost or found pets", """Lost and found dogs and cats can be reported to the city animal shelter on
     Quarry Road. Stray dogs found in the street are taken there and kept for two weeks."""),
    ("Animal shelter adoption", """The Alderbrook animal shelter rehomes dogs, cats and rabbits. Visit on
     a weekday afternoon to meet the animals; the adoption fee includes vaccination and a microchip."""),
    ("Pest control", """The city pest control service deals with rats and wasp nests in homes. Treatment
     for rats is free; removing a wasp nest costs 30 crowns. Book online or through the service line."""),
    ("Heat warnings", """During a heat warning the city opens cool rooms in the libraries and community
     centres, with water and seating. Check on elderly neighbours and never leave children or pets in a
     parked car."""),
    ("Neighbourhood safety", """Neighbourhood police officers hold a walk-in hour every Monday at 5 in
     the Northgate and Riverside community centres. Bring any concerns about safety in your street."""),
    ("Mental health support", """The city runs a free listening line for anyone who feels overwhelmed,
     lonely or anxious, open every evening from 6 to midnight. In a crisis, call 112 or go to the hospital
     emergency department."""),
]

CULTURE = [
    ("Town museum", """The Alderbrook Town Museum in the old grain exchange tells the story of the town,
     from the Roman river crossing to the wool trade and the railway. It is open Tuesday to Sunday from 10
     to 5; entry is free for residents."""),
    ("Art gallery", """The Weaver's Hall gallery shows changing exhibitions of contemporary art and craft.
     Entry is free. On the first Friday of the month the gallery stays open until 9 with live music."""),
    ("Theatre", """The Playhouse on Bridge Street hosts drama, comedy, dance and children's shows. Tickets
     are sold at the box office, open Monday to Saturday from noon, and online. Under 26s pay 8 crowns for
     any seat."""),
    ("Summer festival", """The Alderbrook summer festival takes place in Kingsmead Park on the second
     weekend of July, with three stages of music, food stalls and a children's field. Entry is free."""),
    ("Christmas market", """The Christmas market fills Market Square from the last Friday of November until
     23 December, open daily from 11 to 9, with crafts, food and a carousel."""),
    ("Farmers' market", """A farmers' market with local vegetables, cheese, bread and meat is held every
     Saturday morning from 8 to 1 on Market Square, all year round."""),
    ("Cinema", """The Regent cinema shows new films every day and a classic film on Sunday afternoons.
     On Tuesdays all tickets cost 6 crowns. The small screen has a hearing loop."""),
    ("Town history", """Alderbrook grew up around a ford on the River Alder. In the Middle Ages it became a
     wool market town, and the arrival of the railway in 1851 brought mills and factories along the
     river."""),
    ("Old town walking tour", """A free guided walking tour of the old town starts at the tourist
     information office every Saturday at 2 in the afternoon from April to October. It lasts about 90
     minutes."""),
    ("Tourist information", """The tourist information office on Bridge Street has maps, guides, event
     tickets and souvenirs. It opens daily from 9:30 to 5:30 in summer and Monday to Saturday in
     winter."""),
    ("Music school", """The city music school teaches children and adults piano, guitar, violin, singing
     and drums. Lessons cost 90 crowns per term, with reduced fees for families on low incomes."""),
    ("Community centres", """Alderbrook has four community centres, in Northgate, Riverside, Eastfield and
     the old town. Their halls and rooms can be hired for meetings, clubs and family parties."""),
    ("Volunteering", """The volunteer centre in the town hall matches people with local volunteering, from
     reading with schoolchildren to park clean-ups and driving older people to appointments."""),
    ("Twin town", """Alderbrook has been twinned with the lakeside town of Vellmar since 1972. Every two
     years a group of residents visits the twin town, and school exchanges run every spring."""),
]

FAMILIES = [
    ("School enrolment", """Children start primary school in the autumn after their sixth birthday. Enrol
     your child at the education office by the end of January; you can list three preferred schools."""),
    ("School transport", """Primary school children who live more than 2 kilometres from their school get
     a free bus pass. For secondary school pupils the distance is 3 kilometres."""),
    ("School meals", """Every primary school serves a hot lunch for 2.50 crowns a day. Children from
     families on low incomes eat for free; apply at the education office."""),
    ("Childcare places", """Children from age one have a right to a place in a city nursery. Apply at least
     three months before you need the place. Fees depend on income and are free for the final year before
     school."""),
    ("Holiday clubs", """During school holidays the city runs day camps for children aged 6 to 12 with
     sport, crafts and trips, from 8 to 5. A week costs 60 crowns, with reduced prices for siblings."""),
    ("Youth centre", """The Spark youth centre in Eastfield is open to young people aged 12 to 18 on
     weekday afternoons and Friday evenings, with music rooms, games, homework help and trained youth
     workers."""),
    ("Parent and baby groups", """Free parent and baby groups meet in every community centre on weekday
     mornings. A health visitor joins the group on the first Monday of the month to answer questions."""),
    ("Adult education", """The adult education college offers evening courses in languages, computing,
     cooking, painting and job skills. Courses start in September and January; enrol online or at the
     college office."""),
    ("Senior lunch clubs", """Lunch clubs for people over 65 serve a two-course meal for 4 crowns in the
     community centres on weekdays. Transport can be arranged for people who cannot get there alone."""),
    ("Home care", """Older or disabled residents who need help at home, with washing, meals or shopping,
     can ask the city social care team for an assessment. Care is free or charged according to income."""),
    ("Accessible transport", """The dial-a-ride minibus takes people with limited mobility door to door
     anywhere in Alderbrook for the price of a bus ticket. Book by phone at least a day ahead."""),
    ("Housing help", """People who are at risk of losing their home should contact the housing advice team
     as early as possible. Advisers can help with rent arrears, talking to landlords and finding
     emergency accommodation."""),
    ("Social housing", """To apply for a city rented home, register on the housing list online. Homes are
     offered by need and time on the list; most applicants wait between one and three years."""),
    ("Job centre", """The Alderbrook job centre helps job seekers with CVs, interview practice and training
     courses. Drop-in sessions are on weekday mornings in the town hall annex."""),
    ("Benefits advice", """Free, confidential advice on benefits, debts and money problems is given by the
     money advice service in the town hall every weekday afternoon, by appointment or by phone."""),
]

CITY = {
    "waste": (SOURCE, "Waste", WASTE),
    "library": (SOURCE, "Library", LIBRARY),
    "transport": (SOURCE, "Transport", TRANSPORT),
    "parks": (SOURCE, "Parks and sport", PARKS),
    "permits": (SOURCE, "Permits", PERMITS),
    "utilities": (SOURCE, "Streets and utilities", UTILITIES),
    "townhall": (SOURCE, "Town hall", TOWN_HALL),
    "safety": (SOURCE, "Health and safety", SAFETY),
    "culture": (SOURCE, "Culture", CULTURE),
    "families": (SOURCE, "Families and care", FAMILIES),
}
