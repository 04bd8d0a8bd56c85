//! The notAfter time of an X.509 certificate, read straight from its DER encoding (for
//! `probe_ssl_earliest_cert_expiry`): just enough ASN.1 to walk
//! `Certificate → tbsCertificate → validity → notAfter`.

/// A DER tag-length-value: the tag and the content bytes; `rest` follows it.
struct Element<'a> {
    tag: u8,
    content: &'a [u8],
    rest: &'a [u8],
}

fn element(input: &[u8]) -> Option<Element<'_>> {
    let (&tag, after_tag) = input.split_first()?;
    let (&first, mut after_length) = after_tag.split_first()?;
    let length = if first < 0x80 {
        usize::from(first)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || after_length.len() < count {
            return None;
        }
        let (bytes, remaining) = after_length.split_at(count);
        after_length = remaining;
        bytes.iter().fold(0usize, |n, &b| (n << 8) | usize::from(b))
    };
    if after_length.len() < length {
        return None;
    }
    let (content, rest) = after_length.split_at(length);
    Some(Element { tag, content, rest })
}

const SEQUENCE: u8 = 0x30;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;
const EXPLICIT_VERSION: u8 = 0xa0;

/// The certificate's notAfter as Unix seconds; `None` when the DER is not a certificate.
pub fn not_after_unix(der: &[u8]) -> Option<i64> {
    let certificate = element(der).filter(|e| e.tag == SEQUENCE)?;
    let tbs = element(certificate.content).filter(|e| e.tag == SEQUENCE)?;
    let mut field = element(tbs.content)?;
    if field.tag == EXPLICIT_VERSION {
        field = element(field.rest)?;
    }
    // serialNumber, signature, issuer, then validity.
    for _ in 0..3 {
        field = element(field.rest)?;
    }
    if field.tag != SEQUENCE {
        return None;
    }
    let not_before = element(field.content)?;
    let not_after = element(not_before.rest)?;
    parse_time(not_after.tag, std::str::from_utf8(not_after.content).ok()?)
}

/// `YYMMDDHHMMSSZ` (UTCTime, years 1950–2049) or `YYYYMMDDHHMMSSZ` (GeneralizedTime).
fn parse_time(tag: u8, text: &str) -> Option<i64> {
    let digits = text.strip_suffix('Z')?;
    let (year, rest) = match tag {
        UTC_TIME if digits.len() == 12 => {
            let short: i64 = digits.get(..2)?.parse().ok()?;
            (
                if short < 50 {
                    2000 + short
                } else {
                    1900 + short
                },
                &digits[2..],
            )
        }
        GENERALIZED_TIME if digits.len() == 14 => (digits.get(..4)?.parse().ok()?, &digits[4..]),
        _ => return None,
    };
    let part = |i: usize| -> Option<i64> { rest.get(i..i + 2)?.parse().ok() };
    let (month, day, hour, minute, second) = (part(0)?, part(2)?, part(4)?, part(6)?, part(8)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A skeleton certificate: version, serial, empty algorithm and issuer, then validity.
    fn skeleton(not_before: &[u8], not_after: &[u8]) -> Vec<u8> {
        let mut validity = vec![SEQUENCE, (not_before.len() + not_after.len()) as u8];
        validity.extend_from_slice(not_before);
        validity.extend_from_slice(not_after);
        let mut tbs = vec![
            0xa0, 0x03, 0x02, 0x01, 0x02, 0x02, 0x01, 0x01, 0x30, 0x00, 0x30, 0x00,
        ];
        tbs.extend(validity);
        let mut tbs_sequence = vec![SEQUENCE, tbs.len() as u8];
        tbs_sequence.extend(tbs);
        let mut certificate = vec![SEQUENCE, 0x81, tbs_sequence.len() as u8];
        certificate.extend(tbs_sequence);
        certificate
    }

    fn time(tag: u8, text: &str) -> Vec<u8> {
        let mut out = vec![tag, text.len() as u8];
        out.extend_from_slice(text.as_bytes());
        out
    }

    #[test]
    fn reads_not_after_in_both_time_formats() {
        let utc = skeleton(
            &time(UTC_TIME, "250101000000Z"),
            &time(UTC_TIME, "260102030405Z"),
        );
        assert_eq!(not_after_unix(&utc), Some(1_767_323_045));
        let general = skeleton(
            &time(UTC_TIME, "250101000000Z"),
            &time(GENERALIZED_TIME, "20500101000000Z"),
        );
        assert_eq!(not_after_unix(&general), Some(2_524_608_000));
    }

    #[test]
    fn garbage_is_none() {
        assert_eq!(not_after_unix(b""), None);
        assert_eq!(not_after_unix(&[0x30, 0x05, 0x01]), None);
        let bad_time = skeleton(&time(UTC_TIME, "x"), &time(UTC_TIME, "2613990000Z"));
        assert_eq!(not_after_unix(&bad_time), None);
    }
}
