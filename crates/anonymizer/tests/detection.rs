//! Positive and negative detection cases from `shared/reference/pii.md` §2.

use anonymizer::{Anonymizer, Label};

fn found(text: &str) -> Vec<(Label, String)> {
    let a = Anonymizer::new();
    a.detect(text)
        .into_iter()
        .map(|e| (e.label, text[e.byte_start..e.byte_end].to_string()))
        .collect()
}

fn has(text: &str, label: Label, value: &str) {
    let f = found(text);
    assert!(
        f.iter().any(|(l, v)| *l == label && v == value),
        "{text:?}: expected {label} {value:?}, got {f:?}"
    );
}

fn none(text: &str) {
    let f = found(text);
    assert!(f.is_empty(), "{text:?}: expected nothing, got {f:?}");
}

#[test]
fn persons_with_cues() {
    has("Sehr geehrte Frau Mag.a Huber,", Label::Person, "Huber");
    has("Herrn DI Dr. Thomas Gruber", Label::Person, "Thomas Gruber");
    has("Anna Huber, BSc", Label::Person, "Anna Huber");
    has("Liebe Anna,\nvielen Dank.", Label::Person, "Anna");
    has(
        "Mit freundlichen Grüßen\nMag. Anna Huber\nHuber & Partner GmbH",
        Label::Person,
        "Anna Huber",
    );
    has(
        "Von: Huber Anna <anna.huber@firma.at>",
        Label::Person,
        "Huber Anna",
    );
    has("Kontoinhaber: Huber, Anna", Label::Person, "Huber, Anna");
    has("i.A. Stefan Mayer", Label::Person, "Stefan Mayer");
    has("Grüezi Herr Meier", Label::Person, "Meier");
    has("Servus Thomas, passt das?", Label::Person, "Thomas");
    has(
        "Termin mit Mehmet Yılmaz bestätigt.",
        Label::Person,
        "Mehmet Yılmaz",
    );
    has(
        "Herr Müller-Lüdenscheidt ruft zurück.",
        Label::Person,
        "Müller-Lüdenscheidt",
    );
    has("Frau Jürgenßen hat angerufen.", Label::Person, "Jürgenßen");
}

#[test]
fn person_negatives() {
    none("Liebe Grüße aus Graz");
    none("Hallo zusammen, liebe Kolleginnen und Kollegen");
    none("Die Firma Wulf Stiftung liefert.");
    none("Im Haus der Wirtschaft findet die Sitzung statt.");
    none("Die Hauptstraße ist gesperrt, bitte über die Ringstraße ausweichen.");
    none("Gemäß Art. 6 DSGVO und § 13 UStG.");
}

#[test]
fn contact_and_bank() {
    has("Tel. +43 1 53114-0", Label::Phone, "+43 1 53114-0");
    has("Handy 0664/1234567", Label::Phone, "0664/1234567");
    has("+49 (0)89 123456-0", Label::Phone, "+49 (0)89 123456-0");
    has(
        "Zentrale +41 44 668 18 00",
        Label::Phone,
        "+41 44 668 18 00",
    );
    has("Rückruf (0162-4930565)", Label::Phone, "0162-4930565");
    has(
        "IBAN: DE89 3704 0044 0532 0130 00",
        Label::Iban,
        "DE89 3704 0044 0532 0130 00",
    );
    has(
        "IBAN AT61 1904\n3002 3457 3201 bitte",
        Label::Iban,
        "AT61 1904\n3002 3457 3201",
    );
    has(
        "CH93 0076 2011 6238 5295 7",
        Label::Iban,
        "CH93 0076 2011 6238 5295 7",
    );
    has("BIC: BKAUATWW", Label::Bic, "BKAUATWW");
    has(
        "Karte 2223 0031 2200 3222",
        Label::CreditCard,
        "2223 0031 2200 3222",
    );
    has(
        "Mail an anna.huber@firma.at bitte",
        Label::Email,
        "anna.huber@firma.at",
    );
    has("Server 192.168.10.1", Label::IpAddress, "192.168.10.1");
    has(
        "IPv6 2001:db8::1 blockiert",
        Label::IpAddress,
        "2001:db8::1",
    );
}

#[test]
fn structured_negatives() {
    none("Lieferung am 05.11.2027.");
    none("Bestellnummer 040556");
    none("Rechnung 2024-0012 über EUR 1.234,56");
    none("IBAN DE89 3704 0044 0532 0130 01");
    none("Artikelnummer 4006381333931");
    none("Version 1.2.3.4");
    none("Termin am 12.03.2025 um 10 Uhr");
    none("BIC geehrter Wohnhaft");
    none("office@firma.at");
}

#[test]
fn national_ids() {
    has("SVNR 1237 010180", Label::Svnr, "1237 010180");
    none("SVNR 1238 010180");
    has("AHV 756.9217.0769.85", Label::Svnr, "756.9217.0769.85");
    has("Steuer-ID 86095742719", Label::TaxId, "86095742719");
    none("Nummer 36574261890");
    has("UID ATU13585627", Label::VatId, "ATU13585627");
    none("UID ATU13585626");
    has("USt-IdNr. DE 136 695 976", Label::VatId, "DE 136 695 976");
    has("CHE-100.155.212 MWST", Label::VatId, "CHE-100.155.212 MWST");
    has("Personalausweis L01X00T47", Label::IdNumber, "L01X00T47");
    has("Reisepass Nr. P1234567", Label::IdNumber, "P1234567");
    none("Modell P1234567");
}

#[test]
fn addresses_plates_dates_urls() {
    has(
        "Mariahilfer Straße 12/3/5, 1060 Wien",
        Label::Address,
        "Mariahilfer Straße 12/3/5",
    );
    has(
        "Mariahilfer Straße 12/3/5, 1060 Wien",
        Label::PostalCity,
        "1060 Wien",
    );
    has(
        "Unter den Linden 77, 10117 Berlin",
        Label::Address,
        "Unter den Linden 77",
    );
    has(
        "Bahnhofstrasse 45, 8001 Zürich",
        Label::PostalCity,
        "8001 Zürich",
    );
    has("Josef-Penz-Gasse 9", Label::Address, "Josef-Penz-Gasse 9");
    has(
        "Hauptstraße 5/Stiege 2/Tür 7",
        Label::Address,
        "Hauptstraße 5/Stiege 2/Tür 7",
    );
    has("Ährenweg 12a", Label::Address, "Ährenweg 12a");
    none("Im Jahr 2024 wuchs der Umsatz.");
    has("Kennzeichen W-12345 A", Label::LicensePlate, "W-12345 A");
    has(
        "Kfz-Kennzeichen M-AB 1234",
        Label::LicensePlate,
        "M-AB 1234",
    );
    has("Fahrzeug ZH 123456", Label::LicensePlate, "ZH 123456");
    has("geb. 12.03.1985", Label::DateOfBirth, "12.03.1985");
    has(
        "geboren am 3. Jänner 1985",
        Label::DateOfBirth,
        "3. Jänner 1985",
    );
    has("Geburtsdatum: 1985-03-12", Label::DateOfBirth, "1985-03-12");
    has(
        "Profil https://www.linkedin.com/in/anna-huber-123",
        Label::Url,
        "https://www.linkedin.com/in/anna-huber-123",
    );
    none("Infos unter https://www.firma.at/kontakt");
}

#[test]
fn all_caps_and_lower_case_text() {
    has(
        "SEHR GEEHRTE FRAU HUBER, IHRE ADRESSE WIENER STRASSE 5, 1010 WIEN",
        Label::Address,
        "WIENER STRASSE 5",
    );
    has(
        "SEHR GEEHRTE FRAU HUBER, IHRE ADRESSE WIENER STRASSE 5, 1010 WIEN",
        Label::Person,
        "HUBER",
    );
    has(
        "ich hab gestern mit markus telefoniert, passt schon",
        Label::Person,
        "markus",
    );
}
