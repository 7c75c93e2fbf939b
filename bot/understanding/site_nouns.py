"""The nouns customers count: sites ("3 offices", "two hospitals"), people ("40 employees") and
measures that count neither ("3 days", "100 meg"). Read by the site-count rules, the extractor's
count patterns, the challenge rules and bot.conversation.
"""

from __future__ import annotations


# Nouns that name the sites customers count ("3 offices", "two hospitals").
SITE_NOUNS = [
    "office", "offices", "site", "sites", "location", "locations", "loc", "locs", "branch", "branches",
    "store", "stores", "building", "buildings", "facility", "facilities", "warehouse", "warehouses",
    "clinic", "clinics", "restaurant", "restaurants", "campus", "campuses", "plant", "plants",
    "shop", "shops", "school", "schools", "hotel", "hotels", "property", "properties",
    "dealership", "dealerships", "franchise", "franchises", "practice", "practices",
    "outlet", "outlets", "center", "centers", "centre", "centres", "showroom", "showrooms",
    "places", "spots", "salons", "studios", "gyms", "bars", "cafes", "pharmacies", "banks",
    # more kinds of sites customers count (singular and plural): "9 daycares", "two hospitals"
    "hospital", "hospitals", "lab", "labs", "laboratory", "laboratories", "pharmacy", "dispensary",
    "dispensaries", "daycare", "daycares", "library", "libraries", "church", "churches", "museum",
    "museums", "venue", "venues", "theater", "theaters", "theatre", "theatres", "cinema", "cinemas",
    "bakery", "bakeries", "diner", "diners", "pub", "pubs", "brewery", "breweries", "winery",
    "wineries", "farm", "farms", "ranch", "ranches", "mills", "factory", "factories", "depot",
    "depots", "garage", "garages", "station", "stations", "storefront", "storefronts", "agency",
    "agencies", "hub", "hubs", "supermarket", "supermarkets", "community", "communities",
    "college", "colleges", "spa", "spas", "salon", "studio", "gym", "cafe", "bank", "addresses",
    "motel", "motels", "resort", "resorts", "hangar", "hangars", "shelter", "shelters", "joints",
    # satellites, annexes, kiosks, data centers and "one spot" are sites too
    "satellite", "satellites", "annex", "annexes", "kiosk", "kiosks", "datacenter", "datacenters", "spot",
    "headquarters", "hq", "hqs",
    # yards, terminals and the trades' own words for a site ("3 yards", "2 marinas", "a commissary
    # kitchen", "4 rooftops" for dealers)
    "yard", "yards", "terminal", "terminals", "kitchen", "kitchens", "commissary", "commissaries", "marina",
    "marinas", "taproom", "taprooms", "rooftop", "rooftops", "chapel", "chapels", "temple", "temples",
    "mosque", "mosques", "synagogue", "synagogues", "parish", "parishes", "nursery", "nurseries",
    "greenhouse", "greenhouses", "kennel", "kennels", "laundromat", "laundromats", "washes", "complex",
    "complexes", "camp", "camps", "quarry", "quarries", "mine", "mines", "firehouse", "firehouses",
    "precinct", "precincts", "pizzeria", "pizzerias", "bistro", "bistros", "lodge", "lodges", "inn", "inns",
    "cares",  # "4 urgent cares"
    # homes run as sites (group, care, funeral homes), food pantries, halls of a campus
    "homes", "pantry", "pantries", "halls",
    # more premises of the trades ("3 orchards", "two vineyards", "4 golf courses")
    "orchard", "orchards", "vineyard", "vineyards", "courses", "arenas", "rinks", "clubhouses", "clubhouse",
    # Spanish, as customers who mix it with English count their sites ("dos oficinas", "cinco tiendas")
    "tiendas", "oficinas", "locales", "sucursales", "restaurantes", "clínicas", "clinicas", "talleres",
    "bodegas", "almacenes", "ubicaciones", "sedes", "panaderías", "panaderias", "taquerías", "taquerias",
    "escuelas", "iglesias", "farmacias", "consultorios", "salones", "lavanderías", "lavanderias",
]
# Nouns that name the people customers count ("40 employees", "25 ppl").
PEOPLE_NOUNS = [
    "employees", "employee", "people", "staff", "users", "user", "seats", "workers", "worker",
    "ftes", "fte", "agents", "associates", "personnel", "folks", "persons", "person", "staffers",
    "team-members", "members", "heads", "emps", "employes", "employess", "empolyees", "ppl",
    "peeps", "guys",
    "empleados", "trabajadores", "personas",  # Spanish ("8 empleados")
    # the trades' words for their people ("45 teachers", "140 drivers and 25 office staff" adds
    # up); not "servers" (machines as often), nor the carrier's people a customer speaks of
    # ("AT&T sent 3 techs": techs, technicians, installers, engineers, reps, managers)
    "teachers", "stylists", "drivers", "attorneys", "lawyers", "paralegals", "nurses", "doctors",
    "physicians", "dentists", "hygienists", "mechanics", "dispatchers",
    "barbers", "cooks", "chefs", "cashiers", "clerks", "accountants", "bookkeepers",
    "designers", "therapists", "assistants", "hands", "caregivers", "aides", "pharmacists",
    "vets", "veterinarians", "groomers", "electricians", "plumbers", "laborers",
    "bartenders", "baristas", "instructors", "trainers", "counselors", "receptionists", "tellers",
    "salespeople", "architects", "adjusters", "housekeepers", "janitors", "guards", "coaches",
]
# Units of time, distance, speed and share: "3 days", "40 minutes", "100 meg" count neither
# sites nor people.
MEASURE_NOUNS = [
    "hour", "hours", "hr", "hrs", "day", "days", "week", "weeks", "month", "months", "year", "years", "yr", "yrs",
    "minute", "minutes", "min", "mins", "mile", "miles", "percent", "meg", "megs", "mbps", "gig", "gigs", "gbps",
    "times",  # how often: "drops a couple times a week"
]
SITE_NOUN_SET = frozenset(SITE_NOUNS)
MEASURE_NOUN_SET = frozenset(MEASURE_NOUNS)
# A site noun followed by one of these names people or things at the sites.
NOT_SITES_AFTER = frozenset(PEOPLE_NOUNS) | {
    "techs", "technicians", "managers", "manager", "phones", "lines", "circuits", "computers", "printers",
    "staff", "team", "teams", "workers", "employees",
}
SINGULAR_SITE_NOUNS = frozenset(n for n in SITE_NOUNS if not n.endswith("s") or n in ("campus", "headquarters"))
