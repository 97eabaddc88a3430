#!/usr/bin/env python3
"""Writes eval.jsonl: chat-like customer messages (German and English) with
labelled personal data and many decoys that look like it but fail a check.

Every IBAN, card number and tax id is generated with correct check digits;
every decoy number is generated to fail them. Offsets are byte offsets into
the UTF-8 text. Deterministic: the same seed writes the same file.

    python3 data/pii/make_eval.py > data/pii/eval.jsonl
"""
import json
import random
import sys

rng = random.Random(20240601)

# ---- check digits ----------------------------------------------------------

def iban_check(country, bban):
    digits = "".join(str(int(c, 36)) for c in (bban + country + "00"))
    return "%02d" % (98 - int(digits) % 97)

def iban_valid(compact):
    s = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in s)) % 97 == 1

def luhn_digit(body):
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)

def luhn_valid(number):
    return luhn_digit(number[:-1]) == number[-1]

def tax_check(first_ten):
    product = 10
    for ch in first_ten:
        s = (int(ch) + product) % 10
        if s == 0:
            s = 10
        product = (s * 2) % 11
    check = 11 - product
    return "0" if check == 10 else str(check)

def tax_rule(first_ten):
    if first_ten[0] == "0":
        return False
    counts = {d: first_ten.count(d) for d in set(first_ten)}
    repeated = [d for d, c in counts.items() if c >= 2]
    if len(repeated) != 1 or counts[repeated[0]] > 3:
        return False
    if counts[repeated[0]] == 3 and repeated[0] * 3 in first_ten:
        return False
    return True

def tax_valid(number):
    return len(number) == 11 and tax_rule(number[:10]) and tax_check(number[:10]) == number[10]

# ---- generators of personal data -----------------------------------------

def digits(n, first_nonzero=False):
    s = "".join(rng.choice("0123456789") for _ in range(n))
    if first_nonzero and s[0] == "0":
        s = rng.choice("123456789") + s[1:]
    return s

def letters(n):
    return "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(n))

BBAN = {
    "DE": lambda: digits(18), "AT": lambda: digits(16), "CH": lambda: digits(17),
    "FR": lambda: digits(23), "NL": lambda: letters(4) + digits(10), "BE": lambda: digits(12),
    "ES": lambda: digits(20), "IT": lambda: letters(1) + digits(22), "GB": lambda: letters(4) + digits(14),
    "PL": lambda: digits(24), "LU": lambda: digits(16), "IE": lambda: letters(4) + digits(14),
    "PT": lambda: digits(21), "DK": lambda: digits(14), "SE": lambda: digits(20),
}

def grouped(s, size=4, sep=" "):
    return sep.join(s[i:i + size] for i in range(0, len(s), size))

def make_iban():
    country = rng.choice(["DE"] * 6 + ["AT"] * 2 + ["CH"] * 2 + list(BBAN))
    bban = BBAN[country]()
    compact = country + iban_check(country, bban) + bban
    assert iban_valid(compact)
    style = rng.random()
    if style < 0.55:
        text = grouped(compact)
    elif style < 0.9:
        text = compact
    else:
        text = compact.lower() if rng.random() < 0.5 else grouped(compact).lower()
    return text

CARD_PREFIXES = [("4", 16), ("4", 16), ("4", 13), ("51", 16), ("53", 16), ("55", 16), ("2221", 16),
                 ("2720", 16), ("34", 15), ("37", 15), ("6011", 16), ("65", 16), ("3530", 16),
                 ("3589", 16), ("36", 14), ("6759", 16), ("4", 19)]

def make_card_digits():
    prefix, length = rng.choice(CARD_PREFIXES)
    body = prefix + digits(length - len(prefix) - 1)
    number = body + luhn_digit(body)
    assert luhn_valid(number)
    return number

def format_card(number):
    style = rng.random()
    if len(number) == 15:
        groups = [number[:4], number[4:10], number[10:]]
    elif len(number) == 14:
        groups = [number[:4], number[4:10], number[10:]]
    else:
        groups = [number[i:i + 4] for i in range(0, len(number), 4)]
    if style < 0.5:
        return " ".join(groups)
    if style < 0.75:
        return number
    return "-".join(groups)

def make_card():
    return format_card(make_card_digits())

def make_tax_digits():
    while True:
        first = rng.choice("123456789")
        rest = rng.sample("0123456789", 10)
        if rng.random() < 0.7:  # one digit twice
            body = [first] + [d for d in rest if d != first][:8]
            body.insert(rng.randrange(1, 10), rng.choice(body))
        else:  # one digit three times (since 2016), not three in a row
            body = [first] + [d for d in rest if d != first][:7]
            d = rng.choice(body)
            body.insert(rng.randrange(1, 9), d)
            body.insert(rng.randrange(1, 10), d)
        s = "".join(body[:10])
        if len(s) == 10 and tax_rule(s):
            number = s + tax_check(s)
            assert tax_valid(number)
            return number

def make_tax_id():
    n = make_tax_digits()
    return n if rng.random() < 0.5 else "%s %s %s %s" % (n[:2], n[2:5], n[5:8], n[8:])

FIRST = ["Anna", "Lukas", "Sophie", "Jürgen", "Özlem", "Marie", "Felix", "Lena", "Jonas", "Emily",
         "John", "Sarah", "Michael", "Laura", "Thomas", "Sabine", "Ahmet", "Katarzyna", "Björn", "Chloé"]
LAST = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schäfer",
        "Koch", "Özdemir", "Richter", "Klein", "Wolf", "Neumann", "Smith", "Clarke", "O'Brien",
        "Kowalski", "Hoffmann", "Zimmermann", "Krüger", "Lehmann", "Hartmann", "Brown"]
DOMAINS = ["web.de", "gmx.de", "gmail.com", "t-online.de", "outlook.com", "posteo.de", "example.org",
           "firma-mueller.de", "uni-hamburg.de", "yahoo.co.uk", "icloud.com", "mail.ch", "gmx.at"]

def ascii_name(s):
    return (s.replace("ü", "ue").replace("ö", "oe").replace("ä", "ae").replace("Ö", "Oe")
            .replace("é", "e").replace("'", "").lower())

def make_email():
    f, l = ascii_name(rng.choice(FIRST)), ascii_name(rng.choice(LAST))
    local = rng.choice([f + "." + l, f[0] + "." + l, f + l + str(rng.randint(1, 99)), l + "_" + f,
                        f + "+shop", f + "-" + l])
    return local + "@" + rng.choice(DOMAINS)

def sub(n):
    return rng.choice("23456789") + digits(n - 1)

def make_phone():
    kind = rng.randrange(12)
    if kind == 0:
        return "0" + rng.choice(["151", "152", "157", "176"]) + " " + sub(8)
    if kind == 1:
        return "0" + rng.choice(["170", "171", "175"]) + " " + sub(7)
    if kind == 2:
        return "0" + rng.choice(["170", "171", "175"]) + "-" + sub(7)
    if kind == 3:
        return "030/" + sub(rng.choice([7, 8]))
    if kind == 4:
        return "0" + rng.choice(["30", "40", "89", "69"]) + " " + sub(rng.choice([7, 8]))
    if kind == 5:
        return "+49 " + rng.choice(["30", "40", "89", "69", "221"]) + " " + sub(7)
    if kind == 6:
        return "+49 " + rng.choice(["151", "152", "176"]) + " " + sub(8)
    if kind == 7:
        return "+49 (0)" + rng.choice(["30", "89"]) + " " + sub(7)
    if kind == 8:
        return "(0" + rng.choice(["30", "40", "89"]) + ") " + sub(7)
    if kind == 9:
        return "+43 1 " + sub(7) if rng.random() < 0.5 else "+43 664 " + sub(7)
    if kind == 10:
        d = sub(7)
        return "+41 " + rng.choice(["44", "31", "61", "79", "78"]) + " %s %s %s" % (d[:3], d[3:5], d[5:])
    return "0049 " + rng.choice(["30", "89"]) + " " + sub(8)

def make_ip():
    if rng.random() < 0.75:
        first = rng.choice([rng.randint(1, 223), 192, 10, 172])
        return "%d.%d.%d.%d" % (first, rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254))
    groups = ["%x" % rng.randint(0, 0xffff) for _ in range(8)]
    if rng.random() < 0.5:
        return "2001:db8::" + ":".join(groups[5:])
    return ":".join(groups)

PASSWORDS = ["Sommer2023!", "Hund123", "Blume#77", "Tr0ub4dor&3", "hunter22", "K4tze!Maus",
             "Passau1987", "x7Gq!29pL", "Schalke04", "Mausi_2020", "Geheim99", "LiebeLisa3",
             "qwertz123", "Fussball#1", "Winter-2024", "Sonnenschein", "Zitronenfalter", "abc987XYZ"]

def make_date():
    y, m, d = rng.randint(1935, 2005), rng.randint(1, 12), rng.randint(1, 28)
    mon_de = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
              "Oktober", "November", "Dezember"][m - 1]
    mon_en = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December"][m - 1]
    return rng.choice(["%02d.%02d.%d" % (d, m, y), "%d.%d.%d" % (d, m, y), "%d-%02d-%02d" % (y, m, d),
                       "%d. %s %d" % (d, mon_de, y), "%d %s %d" % (d, mon_en, y),
                       "%s %d, %d" % (mon_en, d, y), "%02d/%02d/%d" % (d, m, y)])

# ---- decoys: look like personal data, fail a check or lack the context ------

def bad_iban():
    country = rng.choice(["DE", "AT", "DE", "GB", "FR"])
    bban = BBAN[country]()
    good = iban_check(country, bban)
    bad = "%02d" % ((int(good) + rng.randint(1, 96)) % 97 + 2)
    compact = country + bad + bban
    if iban_valid(compact):
        return bad_iban()
    return grouped(compact) if rng.random() < 0.5 else compact

def bad_card():
    while True:
        number = make_card_digits()
        wrong = number[:-1] + str((int(number[-1]) + rng.randint(1, 9)) % 10)
        if not luhn_valid(wrong):
            return " ".join(wrong[i:i + 4] for i in range(0, len(wrong), 4)) if rng.random() < 0.5 else wrong

def bad_tax():
    while True:
        n = digits(11, first_nonzero=True)
        if not tax_valid(n):
            return n

def bad_digits(n):
    while True:
        s = digits(n, first_nonzero=True)
        if not luhn_valid(s) and not (n == 11 and tax_valid(s)):
            return s

DECOYS = [
    lambda: "Der Betrag von %d,%02d € wurde zweimal abgebucht." % (rng.randint(10, 2000), rng.randint(0, 99)),
    lambda: "I was charged $%d,%03d.%02d twice this month." % (rng.randint(1, 9), rng.randint(0, 999), rng.randint(0, 99)),
    lambda: "Meine Bestellung vom %02d.%02d.2024 ist noch nicht da." % (rng.randint(1, 28), rng.randint(1, 12)),
    lambda: "Bestellnummer %d-%07d-%07d, bitte prüfen." % (rng.randint(100, 999), rng.randint(0, 9999999), rng.randint(0, 9999999)),
    lambda: "Order #%s has not shipped yet." % bad_digits(11),
    lambda: "Sendungsnummer %s laut DHL zugestellt, aber nichts da." % ("00" + digits(18)),
    lambda: "Tracking number 1Z%s%s is stuck in Leipzig." % (letters(3).upper(), digits(13)),
    lambda: "Auftrag %s storniert?" % bad_digits(rng.choice([11, 12, 13, 16])),
    lambda: "Die App (Version %d.%d.%d) stürzt ab." % (rng.randint(1, 20), rng.randint(0, 30), rng.randint(0, 99)),
    lambda: "Firmware %d.%d.%d.%d installed, router still offline." % (rng.randint(1, 9), rng.randint(0, 20), rng.randint(0, 9), rng.randint(0, 200)),
    lambda: "Ist die IBAN %s richtig? Die Bank sagt nein." % bad_iban(),
    lambda: "Card %s was declined, is that number right?" % bad_card(),
    lambda: "Steuer-ID %s wird als ungültig angezeigt." % bad_tax(),
    lambda: "Rechnung RE-2024-%06d über %d,%02d EUR" % (rng.randint(0, 999999), rng.randint(5, 500), rng.randint(0, 99)),
    lambda: "Kundennummer %s, Vertrag %s" % (digits(8, True), digits(10, True)),
    lambda: "Termin am %d. Mai um %d:%02d Uhr passt mir." % (rng.randint(1, 31), rng.randint(8, 18), rng.choice([0, 15, 30, 45])),
    lambda: "Ich habe mein Passwort vergessen, können Sie helfen?",
    lambda: "My password is not working since the update.",
    lambda: "Die TAN kam nicht an, bitte einen neuen PIN-Brief schicken.",
    lambda: "Wie ändere ich meine PIN am Automaten?",
    lambda: "Sehr geehrte Damen und Herren, ich möchte kündigen.",
    lambda: "Meine Frau und ich haben beide ein Konto.",
    lambda: "I was born in 1985 and have been a customer for years.",
    lambda: "Lieferung am %02d.%02d.%d, Zeitfenster 14:00-18:00." % (rng.randint(1, 28), rng.randint(1, 12), rng.choice([2023, 2024, 2025])),
    lambda: "Das Paket wiegt %d,%d kg und kostet %d,%02d € Porto." % (rng.randint(1, 30), rng.randint(0, 9), rng.randint(3, 20), rng.randint(0, 99)),
    lambda: "Mein Zähler steht bei %d.%03d kWh (Zählernummer %s)." % (rng.randint(1, 99), rng.randint(0, 999), bad_digits(12)),
    lambda: "Gutscheincode SOMMER%d gilt nicht." % rng.randint(10, 50),
    lambda: "ISBN 978-3-%d-%05d-%d ist vergriffen." % (rng.randint(10, 99), rng.randint(0, 99999), rng.randint(0, 9)),
    lambda: "Flug LH%d am %02d.%02d. um %02d:%02d gestrichen." % (rng.randint(100, 2999), rng.randint(1, 28), rng.randint(1, 12), rng.randint(5, 22), rng.randint(0, 59)),
    lambda: "Wir haben %d.%03d Punkte, Stand %d-%02d-%02d." % (rng.randint(1, 99), rng.randint(0, 999), 2024, rng.randint(1, 12), rng.randint(1, 28)),
    lambda: "Please call me back, I'm available from 9:00 to 17:30.",
    lambda: "Reference %s-%s-%s" % (digits(4), digits(4), digits(4)),
    lambda: "PLZ %s, Hausnummer %d" % (digits(5, True), rng.randint(1, 200)),
    lambda: "Vorgang %s vom 03.04.2024" % bad_digits(11),
]

# ---- messages with personal data ---------------------------------------------

def fill(template):
    """template: list of str or (type, value); returns text and entities."""
    text, entities, pos = "", [], 0
    for part in template:
        if isinstance(part, tuple):
            kind, value = part
            b = len(value.encode())
            entities.append({"type": kind, "start": pos, "end": pos + b})
            text += value
            pos += b
        else:
            text += part
            pos += len(part.encode())
    return {"text": text, "entities": entities}

def salutation_name():
    sal = rng.choice(["Frau", "Herr", "Herrn", "Mr", "Mr.", "Mrs", "Ms.", "Dr.", "Frau Dr.", "Herr Prof."])
    full = rng.random() < 0.4
    name = (rng.choice(FIRST) + " " + rng.choice(LAST)) if full else rng.choice(LAST)
    return sal, name

T = [
    lambda: ["Hallo, bitte überweisen Sie die Erstattung auf meine IBAN ", ("iban", make_iban()), ". Danke!"],
    lambda: ["Meine neue Bankverbindung: ", ("iban", make_iban())],
    lambda: ["Please refund to IBAN ", ("iban", make_iban()), " as soon as possible."],
    lambda: ["IBAN: ", ("iban", make_iban()), "\nBIC: ", "COBADEFFXXX"],
    lambda: ["Die Lastschrift soll ab jetzt von ", ("iban", make_iban()), " abgebucht werden, nicht mehr von der alten."],
    lambda: ["Ich habe mit der Karte ", ("card", make_card()), " bezahlt, aber die Bestellung ist storniert."],
    lambda: ["My card number is ", ("card", make_card()), ", expiry 09/27."],
    lambda: ["Kreditkarte ", ("card", make_card()), " wurde doppelt belastet (", "%d,%02d €" % (rng.randint(10, 900), rng.randint(0, 99)), ")."],
    lambda: ["Card: ", ("card", make_card())],
    lambda: ["Bitte die Karte ", ("card", make_card()), " sperren, sie wurde gestohlen!"],
    lambda: ["Meine Steuer-ID ist ", ("tax_id", make_tax_id()), "."],
    lambda: ["Steuerliche Identifikationsnummer: ", ("tax_id", make_tax_id()), ", Steuerklasse 1"],
    lambda: ["Für die Zinsbescheinigung: IdNr ", ("tax_id", make_tax_id())],
    lambda: ["My German tax ID is ", ("tax_id", make_tax_id()), " if you need it."],
    lambda: ["Rufen Sie mich bitte unter ", ("phone", make_phone()), " zurück."],
    lambda: ["Tel.: ", ("phone", make_phone())],
    lambda: ["You can reach me at ", ("phone", make_phone()), " after 6pm."],
    lambda: ["Meine Handynummer hat sich geändert, neu: ", ("phone", make_phone()), "."],
    lambda: ["Festnetz ", ("phone", make_phone()), ", mobil ", ("phone", make_phone())],
    lambda: ["Bitte schreiben Sie an ", ("email", make_email()), ", nicht an die alte Adresse."],
    lambda: ["My email is ", ("email", make_email())],
    lambda: ["E-Mail: ", ("email", make_email()), " / Telefon: ", ("phone", make_phone())],
    lambda: ["Die Rechnung bitte an ", ("email", make_email()), " senden, danke."],
    lambda: ["Login von IP ", ("ip", make_ip()), " war nicht ich!"],
    lambda: ["The router shows ", ("ip", make_ip()), " as the WAN address."],
    lambda: ["Mein Rechner hat die Adresse ", ("ip", make_ip()), ", der Zugriff klappt trotzdem nicht."],
    lambda: ["Mein Passwort ist ", ("secret", rng.choice(PASSWORDS)), ", bitte nicht weitergeben."],
    lambda: ["mein neues Passwort lautet ", ("secret", rng.choice(PASSWORDS))],
    lambda: ["Passwort: ", ("secret", rng.choice(PASSWORDS))],
    lambda: ["my password is ", ("secret", rng.choice(PASSWORDS)), ". can you check the account?"],
    lambda: ["The password was ", ("secret", rng.choice(PASSWORDS)), " but now I'm locked out."],
    lambda: ["Meine PIN lautet ", ("secret", digits(4)), ", trotzdem geht es nicht."],
    lambda: ["Die PIN ist ", ("secret", digits(4)), "."],
    lambda: ["my PIN is ", ("secret", digits(4)), " and the card still gets rejected"],
    lambda: ["TAN: ", ("secret", digits(6))],
    lambda: ["Ich habe die TAN ", ("secret", digits(6)), " eingegeben, Fehler 403."],
    lambda: ["Kennwort = ", ("secret", rng.choice(PASSWORDS))],
    lambda: ["verification code is ", ("secret", digits(6))],
    lambda: ["Geboren am ", ("birth_date", make_date()), ", falls Sie das brauchen."],
    lambda: ["Mein Geburtsdatum: ", ("birth_date", make_date())],
    lambda: ["date of birth: ", ("birth_date", make_date())],
    lambda: ["I was born on ", ("birth_date", make_date()), "."],
    lambda: ["Geburtsdatum ", ("birth_date", make_date()), ", Kundennummer %s" % digits(7, True)],
    lambda: ["Ich bin am ", ("birth_date", make_date()), " geboren."],
]

def name_template():
    sal, name = salutation_name()
    return rng.choice([
        ["Guten Tag, hier schreibt ", sal, " ", ("name", name), "."],
        ["Sehr geehrte ", sal, " ", ("name", name), ", vielen Dank für die Antwort."],
        ["Dear ", sal, " ", ("name", name), ", thank you."],
        ["Ich habe gestern mit ", sal, " ", ("name", name), " telefoniert."],
        ["Please forward this to ", sal, " ", ("name", name), " in accounting."],
        ["Ansprechpartner: ", sal, " ", ("name", name)],
    ])

def combo():
    sal, name = salutation_name()
    return rng.choice([
        ["Hallo, hier ist ", sal, " ", ("name", name), ". Meine IBAN hat sich geändert: ", ("iban", make_iban()),
         ". Erreichbar unter ", ("phone", make_phone()), "."],
        ["Hi, ", sal, " ", ("name", name), " here, card ", ("card", make_card()), " was charged %d,%02d EUR on 12.03.2024." % (rng.randint(10, 99), rng.randint(0, 99))],
        ["Bestellung %s: bitte an " % bad_digits(11), ("email", make_email()), " schreiben, nicht an die IBAN ", ("iban", make_iban()), " überweisen."],
        ["Name: ", sal, " ", ("name", name), "\nGeburtsdatum: ", ("birth_date", make_date()), "\nSteuer-ID: ", ("tax_id", make_tax_id())],
        ["Ich (geboren am ", ("birth_date", make_date()), ") komme nicht ins Konto, Passwort: ", ("secret", rng.choice(PASSWORDS)), " von IP ", ("ip", make_ip())],
        ["Version 3.2.1 zeigt Fehler, Rückruf an ", ("phone", make_phone()), " oder Mail ", ("email", make_email()), "."],
        ["Rechnung %s über %d,%02d €, IBAN " % ("RE-2024-%05d" % rng.randint(0, 99999), rng.randint(10, 999), rng.randint(0, 99)), ("iban", make_iban()), ", Sendung 00%s" % digits(18)],
    ])

def main():
    lines = []
    for _ in range(190):
        lines.append(fill(rng.choice(T)()))
    for _ in range(45):
        lines.append(fill(name_template()))
    for _ in range(70):
        lines.append(fill(combo()))
    for _ in range(140):
        lines.append(fill([rng.choice(DECOYS)()]))
    # Decoys mixed into messages with personal data.
    for _ in range(40):
        t = rng.choice(T)()
        lines.append(fill([rng.choice(DECOYS)(), " "] + t))
    rng.shuffle(lines)
    out = sys.stdout
    for line in lines:
        out.write(json.dumps(line, ensure_ascii=False) + "\n")

if __name__ == "__main__":
    main()
