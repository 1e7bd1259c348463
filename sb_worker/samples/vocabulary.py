"""The words the sample generator writes with: spam sentence templates by family, honest bios in many languages
and scripts, names, places and mail providers. Data, not code: :mod:`sb_worker.samples.musicbrainz` fills them in."""

CITIES = ["delhi", "mumbai", "goa", "dubai", "jaipur", "pune", "lahore", "karachi", "bangalore", "chennai",
          "kolkata", "hyderabad", "istanbul", "london", "paris", "manchester", "singapore", "bangkok"]
SOFTWARE = ["Adobe Photoshop 2026", "Windows 11 Pro", "FL Studio 24", "IDM 6.42", "Microsoft Office 2024",
            "Ableton Live 12", "Wondershare Filmora", "CorelDRAW", "AutoCAD 2026", "Avast Premium"]
BRANDS = ["HP Printer", "Norton", "QuickBooks", "Coinbase", "Netgear Router", "Epson", "McAfee", "Brother Printer",
          "Roku", "Cash App"]
PILLS = ["Viagra", "Cialis", "Tramadol", "Xanax", "Adderall", "Oxycodone", "Levitra", "Modafinil"]

# Sentence templates by spam family; {city} {phone} {url} {software} {brand} {pill} {n} are filled in.
SPAM_FAMILIES: dict[str, list[str]] = {
    "escorts": [
        "Hot and sexy {city} escorts available 24/7, call {phone} for booking.",
        "Independent call girls in {city}, incall and outcall, 100% real photos and genuine profiles.",
        "Book VIP escort service in {city} at cheap rates: {url}",
        "Russian, college and housewife escorts in {city}. WhatsApp {phone}, cash payment only.",
        "Looking for a night of fun? Meet beautiful {city} call girls tonight at {url}",
    ],
    "essays": [
        "Need help with your essay? Our professional writers deliver plagiarism-free papers before your deadline.",
        "Buy college essays online at {url} and get {n}% off your first order.",
        "Do my assignment for me cheap: PhD writers for dissertation, thesis and coursework help.",
        "Best essay writing service in the UK and USA, 24/7 support, money-back guarantee: {url}",
    ],
    "seo": [
        "We offer affordable SEO services, high DA backlinks and guest posting. Rank #1 on Google: {url}",
        "Buy {n} dofollow backlinks, PBN links and link building packages at {url}",
        "Digital marketing agency in {city}: SEO, SMM, PPC and web design at the lowest price. Call {phone}.",
    ],
    "pharma": [
        "Buy {pill} online without prescription, overnight delivery: {url}",
        "Cheap generic {pill} 100mg at the best price, discreet shipping worldwide.",
        "Order {pill} and {pill2} from our trusted online pharmacy {url} - no prescription needed.",
    ],
    "loans": [
        "Instant payday loans with no credit check, approval in 5 minutes: {url}",
        "Need cash fast? Personal loans up to ${n}00, bad credit OK. Call {phone} today.",
        "Get a quick loan online with the lowest interest rates in {city}: {url}",
    ],
    "casinos": [
        "Play online casino and win real money! Free spins and {n}% welcome bonus at {url}",
        "Best sports betting site in {city}, live odds and instant withdrawal: {url}",
        "Slot online gacor hari ini, daftar sekarang dan dapatkan bonus new member {n}% di {url}",
    ],
    "cracked": [
        "Download {software} crack with serial key, full version free: {url}",
        "{software} keygen + license key working 100%, direct download link: {url}",
        "{software} activator patch free download for Windows and Mac.",
    ],
    "techsupport": [
        "{brand} customer support phone number {phone} toll free, 24/7 help for every problem.",
        "Call the {brand} helpline {phone} for instant help with setup, errors and login issues.",
        "{brand} support number {phone}: our certified technicians fix it remotely in minutes.",
    ],
    "crypto": [
        "Earn $3000 weekly with bitcoin trading, contact my account manager on WhatsApp {phone}.",
        "Best crypto investment platform, recover lost funds and get daily forex signals: {url}",
        "I made {n}k in one month with this trading bot, message me on Telegram @cryptoking{n}.",
    ],
}
SPAM_DOMAIN_WORDS = {
    "escorts": ["escorts", "callgirls", "vipescort"], "essays": ["essaywriter", "paperhelp", "assignmenthelp"],
    "seo": ["seoexpert", "backlinkpro", "rankfast"], "pharma": ["pillsshop", "rxstore", "medsonline"],
    "loans": ["quickloan", "paydaycash", "easycredit"], "casinos": ["casino", "betwin", "slotgacor"],
    "cracked": ["crackfree", "keygenpro", "fullsoft"], "techsupport": ["helpdesk", "support-number", "fixit"],
    "crypto": ["cryptoprofit", "btcinvest", "forexking"],
}
SPAM_TLDS = [".com", ".in", ".net", ".org", ".xyz", ".online", ".co.uk", ".info", ".site"]

GENRES = ["jazz", "krautrock", "metal", "J-pop", "folk", "hip hop", "classical", "shoegaze", "techno", "bossa nova",
          "punk", "soul", "ambient", "reggae", "tango", "city pop"]
# Honest bios, in many languages and scripts; {genre} {decade} are filled in.
HAM_BIOS = [
    "I mostly edit {genre} releases from my own collection.",
    "Collector of {genre} vinyl from the {decade}s. I add tracklists and credits from the sleeves.",
    "Music librarian. Fixing artist credits one release at a time.",
    "Hi! I tag my music with Picard and add whatever is missing.",
    "Ich sammle {genre}-Platten und ergänze fehlende Tracklisten.",
    "Passionné de {genre}, j'ajoute surtout des sorties de labels indépendants.",
    "Me encanta el {genre}; añado lanzamientos de mi colección de CDs.",
    "Adoro il {genre} degli anni {decade}, inserisco le mie edizioni in vinile.",
    "Verzamelaar van {genre} op cassette en vinyl.",
    "Kolekcjoner płyt, głównie {genre}. Poprawiam daty wydań.",
    "Gosto de {genre} e cadastro os discos que tenho em casa.",
    "{genre}が好きです。手持ちのCDを登録しています。",
    "Люблю {genre}, добавляю релизы из своей коллекции пластинок.",
    "喜欢{genre}音乐，主要添加自己收藏的专辑。",
    "{genre} 음반을 모으고 있어요. 트랙리스트를 추가합니다.",
    "أحب موسيقى {genre} وأضيف الألبومات من مجموعتي.",
    "אוהב {genre}, מוסיף תקליטים מהאוסף שלי.",
    "Συλλέγω δίσκους {genre} από τη δεκαετία του {decade}.",
    "मुझे {genre} संगीत पसंद है, मैं अपने संग्रह से एल्बम जोड़ता हूँ।",
    "{genre} plakları topluyorum, eksik bilgileri ekliyorum.",
    "Tykkään {genre}-musiikista ja lisään levyjä kokoelmastani.",
    "Jag samlar på {genre}-skivor och rättar upp kreditering.",
]
HAM_LINK_BIOS = [
    "My band's music is on https://{name}.bandcamp.com",
    "I scrobble everything: https://www.last.fm/user/{name}",
    "Also on Discogs as {name}: https://www.discogs.com/user/{name}",
]
#: Honest musicians' own sites: a band's name on the top-level domains where bands register theirs.
BAND_WORDS = ["band", "music", "sound", "trio", "quartet", "records", "collective", "ensemble"]
BAND_TLDS = [".com", ".net", ".org", ".co.uk", ".de", ".fr", ".nl", ".se", ".fi", ".pl", ".es", ".it", ".com.br",
             ".jp", ".band", ".music", ".info"]
HAM_NOTES = ["Source: the back cover of my copy.", "Tracklist from the booklet.", "Per the label's website.",
             "Release date from the catalogue: https://www.discogs.com/release/{n}",
             "Same barcode as the existing release, merging.", "Fixed the artist credit per the liner notes.",
             "Thanks for adding this!", "Is there a source for the date?"]
FIRST = ["anna", "ben", "carlos", "dmitri", "emma", "felix", "greta", "hiro", "ines", "jonas", "kai", "lena",
         "marco", "nadia", "oskar", "paula", "quinn", "rafa", "sofia", "tomas", "uma", "vera", "wei", "yusuf"]
WORDS = ["vinyl", "tape", "groove", "echo", "static", "velvet", "neon", "ghost", "lunar", "paper", "delta",
         "owl", "fjord", "cobalt", "amber", "moss", "sonic", "drift", "hollow", "kite"]
FREE_MAIL = ["gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "gmx.de", "web.de", "mail.ru", "yandex.ru",
             "icloud.com", "protonmail.com", "orange.fr", "libero.it"]
SPAM_MAIL = ["gmail.com", "gmail.com", "gmail.com", "outlook.com", "hotmail.com", "yahoo.com", "mail.ru",
             "yopmail.com", "mailinator.com", "guerrillamail.com", "sharklasers.com", "tempmail.net"]
