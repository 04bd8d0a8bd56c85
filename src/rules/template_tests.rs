//! Tests of template parsing and rendering.

use super::*;

fn render(source: &str) -> String {
    let names = vec!["avail".to_owned()];
    let labels = Labels::from_pairs([("mountpoint", "/data"), ("instance", "h1")]);
    let values = BTreeMap::from([("avail".to_owned(), 1_610_612_736.0)]);
    let context = TemplateContext {
        value: 91.26,
        labels: &labels,
        values: &values,
    };
    Template::parse(source, &names).unwrap().render(&context)
}

#[test]
fn renders_terms_and_pipes() {
    assert_eq!(
        render("disk {{ $labels.mountpoint }} at {{ $value }}%"),
        "disk /data at 91.26%"
    );
    assert_eq!(render("{{ $value | printf \"%.1f\" }}%"), "91.3%");
    assert_eq!(render("{{ printf \"%.0f\" $value }}"), "91");
    assert_eq!(
        render("{{ $values.avail | humanize1024 }}B free"),
        "1.5GiB free"
    );
    assert_eq!(render("{{ $labels.missing }}|"), "|");
    assert_eq!(render("a {{- \" b \" -}} c"), "a b c");
    assert_eq!(render("{{ 0.5 | humanizePercentage }}"), "50%");
    assert_eq!(render("{{ $labels.instance | toUpper }}"), "H1");
    assert_eq!(render("{{ 3600 | humanizeDuration }}"), "1h 0m 0s");
}

#[test]
fn load_time_errors_have_offsets() {
    let names = vec!["avail".to_owned()];
    let unclosed = Template::parse("x {{ $value", &names).unwrap_err();
    assert_eq!(unclosed.offset, 2);
    let unknown = Template::parse("{{ $value | humanise }}", &names).unwrap_err();
    assert!(unknown.message.contains("humanise"), "{unknown}");
    assert_eq!(unknown.offset, 12);
    let undefined = Template::parse("{{ $values.used }}", &names).unwrap_err();
    assert!(undefined.message.contains("used"));
    assert!(Template::parse("{{ $nope }}", &names).is_err());
    assert!(Template::parse("{{ humanize }}", &names).is_err());
    assert!(Template::parse("{{ if $value }}", &names).is_err());
}

#[test]
fn runtime_error_renders_inline() {
    let labels = Labels::new();
    let values = BTreeMap::new();
    let context = TemplateContext {
        value: 1.0,
        labels: &labels,
        values: &values,
    };
    let template = Template::parse("{{ $labels.x | humanize }}", &[]).unwrap();
    assert!(template.render(&context).starts_with("<error:"));
}
