//! Tests of loading `guardline.toml`: valid files resolve as expected (`good_*` cases and the starter
//! config), every bad file under `tests/cfg/bad_*.toml` produces exactly the located messages in its insta
//! snapshot, mangled input never makes the parser panic, and the JSON Schema (`docs/guardline.schema.json`)
//! is current and agrees with the parser on the starter, the demo and keys it rejects.

use std::collections::BTreeMap;
use std::path::Path;

use guardline_config::{
    ConfigErrors, ControlSetting, InstallMethod, Level, NotEvaluatedPolicy, Params, RegionScope, TagMatch,
    parse, starter_config,
};
use guardline_schedule::Window;
use jiff::civil::date;

/// The control IDs of the guideline (GUIDELINE.md); the CLI passes the rules crate's list.
const KNOWN: &[&str] = &[
    "COST-001",
    "COST-002",
    "COST-003",
    "SCHED-001",
    "SCHED-002",
    "IAM-001",
    "IAM-002",
    "IAM-003",
    "IAM-004",
    "IAM-005",
    "IAM-006",
    "IAM-007",
    "CONFIG-001",
    "CONFIG-002",
    "CONFIG-003",
    "EC2-001",
    "S3-001",
    "S3-002",
    "INSPECTOR-001",
    "HUB-001",
    "HUB-002",
    "ANALYZER-001",
    "ANALYZER-002",
    "ACCOUNT-001",
    "ACCOUNT-002",
    "ORG-001",
    "ORG-002",
    "ORG-003",
    "ORG-004",
    "SSM-001",
    "HEALTH-001",
    "GUARDDUTY-001",
    "GUARDDUTY-002",
    "TRAIL-001",
];

fn case_text(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cfg").join(format!("{name}.toml"));
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn parse_case(name: &str) -> Result<guardline_config::Config, ConfigErrors> {
    parse(&case_text(name), &format!("{name}.toml"), KNOWN)
}

fn adopted(level: Level) -> ControlSetting {
    ControlSetting::Adopted { level }
}

fn not_adopted(reason: &str) -> ControlSetting {
    ControlSetting::NotAdopted { reason: reason.to_owned() }
}

fn tag(key: &str, values: &[&str]) -> TagMatch {
    TagMatch { key: key.to_owned(), values: values.iter().map(|value| (*value).to_owned()).collect() }
}

#[test]
fn inheritance_params_accounts_and_exceptions_resolve() {
    let config = parse_case("good_inheritance").unwrap_or_else(|errors| panic!("{errors}"));

    assert_eq!(config.scan.regions, Some(vec!["ap-northeast-1".to_owned(), "us-east-1".to_owned()]));
    assert_eq!(config.scan.concurrency, 4);
    assert_eq!(config.scan.call_timeout_secs, 10);
    assert_eq!(config.scan.max_attempts, 3);
    assert_eq!(config.scan.not_evaluated, NotEvaluatedPolicy::Warn);
    assert_eq!(config.default_profile, "production");
    assert_eq!(config.profiles.keys().collect::<Vec<_>>(), ["base", "dev", "production"]);

    let base = &config.profiles["base"];
    assert_eq!(base.default_level, Level::Warn);
    assert_eq!(
        base.controls,
        BTreeMap::from([
            ("EC2-001".to_owned(), adopted(Level::Fail)),
            ("IAM-002".to_owned(), not_adopted("virtual MFA accepted for root in sandboxes")),
            // Lowercase input is stored canonical; no level: the profile's default level.
            ("S3-001".to_owned(), adopted(Level::Warn)),
        ])
    );
    assert_eq!(base.params.unused_user_days, 60);
    assert_eq!(base.params.guardduty_severity_threshold, 5.5);
    assert_eq!(base.params.nonprod_tag, tag("Stage", &["dev"]));
    assert_eq!(base.params.password_policy.min_length, 20);
    assert!(!base.params.password_policy.require_symbols);
    assert_eq!(base.params.password_policy.reuse_prevention, Some(24));
    assert_eq!(base.params.home_region, "ap-northeast-1");

    let production = &config.profiles["production"];
    assert_eq!(production.default_level, Level::Fail);
    assert_eq!(
        production.controls,
        BTreeMap::from([
            ("EC2-001".to_owned(), adopted(Level::Fail)),
            // The child's entry replaces the parent's whole.
            ("IAM-002".to_owned(), adopted(Level::Warn)),
            // An inherited entry without a level takes the level of the profile that uses it.
            ("S3-001".to_owned(), adopted(Level::Fail)),
        ])
    );
    let expected = Params {
        unused_user_days: 30,
        // Inherited from base.
        guardduty_severity_threshold: 5.5,
        // A tag selector is replaced whole.
        nonprod_tag: tag("Env", &["stg"]),
        password_policy: guardline_config::PasswordMinimums {
            min_length: 16,
            // Nested tables merge key by key: inherited from base.
            require_symbols: false,
            ..Default::default()
        },
        security_hub_not_adopted: BTreeMap::from([
            ("EC2.10".to_owned(), "prod reason".to_owned()),
            ("IAM.6".to_owned(), "base reason".to_owned()),
        ]),
        ..Params::default()
    };
    assert_eq!(production.params, expected);

    let dev = &config.profiles["dev"];
    assert_eq!(dev.default_level, Level::Fail);
    assert_eq!(dev.params, expected);
    assert_eq!(dev.setting("EC2-001"), not_adopted("lab network"));
    assert_eq!(dev.setting("IAM-002"), adopted(Level::Warn));
    assert_eq!(dev.setting("TRAIL-001"), adopted(Level::Fail));

    assert_eq!(config.profile_for("123456789012", None).name, "production");
    assert_eq!(config.profile_for("123456789012", Some("acme-dev-1")).name, "production");
    assert_eq!(config.profile_for("999999999999", Some("acme-dev-42")).name, "dev");
    assert_eq!(config.profile_for("999999999999", Some("acme-prod")).name, "production");
    assert_eq!(config.profile_for("999999999999", None).name, "production");
    assert_eq!(config.profile_for("210987654321", None).name, "production");

    let accounts: Vec<_> = config
        .accounts
        .iter()
        .map(|account| {
            (account.id.as_deref(), account.alias.as_deref(), account.profile.as_str(), account.line)
        })
        .collect();
    assert_eq!(
        accounts,
        [
            (Some("123456789012"), Some("acme-prod"), "production", 45),
            (None, Some("acme-dev-*"), "dev", 50),
            (Some("210987654321"), None, "production", 54),
        ]
    );

    let [first, second] = config.exceptions.as_slice() else { panic!("{:?}", config.exceptions) };
    assert_eq!(first.control, "EC2-001");
    assert_eq!(first.account.as_deref(), Some("123456789012"));
    assert_eq!(first.region.as_deref(), Some("ap-northeast-1"));
    assert_eq!(first.reason, "vendor VPN until March");
    assert_eq!(first.owner, "sre@example.com");
    assert_eq!(first.expires, date(2027, 3, 31));
    assert_eq!(first.line, 57);
    let resource = first.resource.as_ref().expect("resource");
    assert_eq!(resource.text, "arn:aws:ec2:*:123456789012:security-group/sg-0abc*");
    assert!(resource.matches("arn:aws:ec2:ap-northeast-1:123456789012:security-group/sg-0abc123"));
    assert!(!resource.matches("arn:aws:ec2:ap-northeast-1:123456789012:security-group/sg-0abd123"));
    assert!(!resource.matches("arn:aws:ec2:ap-northeast-1:210987654321:security-group/sg-0abc123"));
    // An expired exception is not an error: it fails again at evaluation time.
    assert_eq!(second.control, "IAM-005");
    assert_eq!(second.region.as_deref(), Some("global"));
    assert_eq!(second.resource, None);
    assert_eq!(second.expires, date(2020, 1, 1));
    assert_eq!(second.line, 66);
}

#[test]
fn an_exact_resource_matches_only_itself_and_globs_cross_slashes() {
    let text = r#"
[[exceptions]]
control = "S3-002"
resource = "arn:aws:s3:::public-site"
reason = "static website"
owner = "web"
expires = 2027-01-01

[[exceptions]]
control = "S3-002"
resource = "arn:aws:s3:::logs-*"
reason = "log buckets"
owner = "sre"
expires = 2027-01-01
"#;
    let config = parse(text, "t.toml", KNOWN).unwrap_or_else(|errors| panic!("{errors}"));
    let exact = config.exceptions[0].resource.as_ref().expect("resource");
    assert!(exact.matches("arn:aws:s3:::public-site"));
    assert!(!exact.matches("arn:aws:s3:::public-site-2"));
    let glob = config.exceptions[1].resource.as_ref().expect("resource");
    assert!(glob.matches("arn:aws:s3:::logs-a/prefix/key"));
}

#[test]
fn an_exception_subject_is_a_glob_and_must_not_be_empty() {
    let text = r#"
[[exceptions]]
control = "HUB-002"
resource = "arn:aws:s3:::logs"
subject = "S3.*"
reason = "log bucket controls"
owner = "sre"
expires = 2027-01-01
"#;
    let config = parse(text, "t.toml", KNOWN).unwrap_or_else(|errors| panic!("{errors}"));
    let subject = config.exceptions[0].subject.as_ref().expect("subject");
    assert!(subject.matches("S3.8"));
    assert!(!subject.matches("EC2.2"));

    let errors = parse(&text.replace("\"S3.*\"", "\"  \""), "t.toml", KNOWN).unwrap_err().to_string();
    assert!(errors.contains("t.toml:5") && errors.contains("`subject` must not be empty"), "{errors}");
}

#[test]
fn an_empty_file_is_the_default_config() {
    for text in ["", "# only a comment\n"] {
        let config = parse(text, "empty.toml", KNOWN).unwrap_or_else(|errors| panic!("{errors}"));
        assert_eq!(config, guardline_config::Config::default());
    }
}

#[test]
fn the_default_profile_is_the_only_profile_or_the_builtin() {
    let only = parse("[profiles.prod]\ndefault-level = \"warn\"\n", "t.toml", KNOWN).expect("valid");
    assert_eq!(only.default_profile, "prod");
    assert_eq!(only.profiles.keys().collect::<Vec<_>>(), ["prod"]);
    assert_eq!(only.profile_for("123456789012", None).default_level, Level::Warn);

    let two = parse("[profiles.a]\n[profiles.b]\n", "t.toml", KNOWN).expect("valid");
    assert_eq!(two.default_profile, "default");
    assert_eq!(two.profiles.keys().collect::<Vec<_>>(), ["a", "b", "default"]);
    assert_eq!(two.profile_for("123456789012", None), &guardline_config::Profile::builtin());

    // "default" names the built-in profile wherever a profile is referenced, unless the file defines it.
    let text =
        "[profiles.a]\nextends = \"default\"\n[[accounts]]\nid = \"123456789012\"\nprofile = \"default\"\n";
    let referenced = parse(text, "t.toml", KNOWN).expect("valid");
    assert_eq!(referenced.default_profile, "a");
    assert_eq!(referenced.profile_for("123456789012", None).name, "default");

    let own = parse("[profiles.default]\ndefault-level = \"warn\"\n[profiles.b]\n", "t.toml", KNOWN)
        .expect("valid");
    assert_eq!(own.default_profile, "default");
    assert_eq!(own.profiles["default"].default_level, Level::Warn);
}

#[test]
fn an_account_without_profile_uses_the_default_profile() {
    let text = "default-profile = \"b\"\n[profiles.a]\n[profiles.b]\n[[accounts]]\nid = \"123456789012\"\nalias = \"x\"\n";
    let config = parse(text, "t.toml", KNOWN).expect("valid");
    assert_eq!(config.accounts[0].profile, "b");
    assert_eq!(config.accounts[0].line, 4);
}

#[test]
fn schedules_resolve_with_their_defaults() {
    let config = parse_case("good_schedules").unwrap_or_else(|errors| panic!("{errors}"));
    assert_eq!(config.schedules.keys().collect::<Vec<_>>(), ["cli-nights", "dev-office-hours"]);

    let dev = &config.schedules["dev-office-hours"];
    assert_eq!(dev.name, "dev-office-hours");
    assert_eq!(dev.schedule.name, "dev-office-hours");
    assert_eq!(dev.schedule.window, Window::parse("weekdays 09:00-19:00").expect("valid"));
    assert_eq!(dev.schedule.time_zone.iana_name(), Some("Asia/Tokyo"), "the default time zone");
    assert_eq!(dev.schedule.holidays.label(), "jp");
    assert_eq!(dev.select, tag("Environment", &["dev", "stg"]));
    assert_eq!(dev.installs_as, InstallMethod::MaintenanceWindow, "the default");
    assert_eq!(dev.line, 4);

    let cli = &config.schedules["cli-nights"];
    assert_eq!(cli.schedule.window, Window::cron("0 22 * * *", "0 7 * * 1-5").expect("valid"));
    assert_eq!(cli.schedule.time_zone.iana_name(), Some("America/New_York"));
    assert!(cli.schedule.holidays.is_empty(), "the default");
    assert_eq!(cli.select, tag("Role", &["cli"]));
    assert_eq!(cli.installs_as, InstallMethod::Scheduler);
    assert_eq!(cli.line, 9);

    // `accounts`: absent, every account; given, only the accounts a selector matches.
    assert!(dev.accounts.is_empty());
    let texts: Vec<String> = cli.accounts.iter().map(ToString::to_string).collect();
    assert_eq!(texts, ["ou:Root/Dev/**", "id:123456789012"]);
    let tags = std::collections::BTreeMap::new();
    let ou_ids = Vec::new();
    let facts = |id, ou_path| guardline_config::AccountFacts {
        id,
        alias: None,
        name: Some("x"),
        ou_path: Some(ou_path),
        ou_ids: &ou_ids,
        tags: Some(&tags),
    };
    assert!(cli.covers_account(&facts("111111111111", "Root/Dev/Team-a")));
    assert!(cli.covers_account(&facts("123456789012", "Root/Prod")));
    assert!(!cli.covers_account(&facts("111111111111", "Root/Prod")));
    assert!(dev.covers_account(&facts("111111111111", "Root/Prod")));
}

#[test]
fn require_organization_is_a_profile_parameter() {
    let text = r#"
[profiles.standalone]
[profiles.production.params]
require-organization = true

[profiles.development]
extends = "production"

[profiles.sandbox]
extends = "production"
[profiles.sandbox.params]
require-organization = false
"#;
    let config = parse(text, "t.toml", KNOWN).unwrap_or_else(|errors| panic!("{errors}"));
    assert!(!Params::default().require_organization, "off unless the profile says so");
    assert!(!config.profiles["standalone"].params.require_organization);
    assert!(config.profiles["production"].params.require_organization);
    assert!(config.profiles["development"].params.require_organization, "inherited");
    assert!(!config.profiles["sandbox"].params.require_organization, "overridden");

    let errors =
        parse("[profiles.p.params]\nrequire-organization = 1\n", "t.toml", KNOWN).expect_err("not a boolean");
    assert!(
        errors.to_string().contains("t.toml:2:24: invalid type: integer `1`, expected a boolean"),
        "{errors}"
    );
}

#[test]
fn budgets_in_the_management_account_is_a_profile_parameter() {
    let text = r#"
[profiles.members.params]
budgets-in-management-account = true

[profiles.sandbox]
extends = "members"

[profiles.payer]
extends = "members"
[profiles.payer.params]
budgets-in-management-account = false
"#;
    let config = parse(text, "t.toml", KNOWN).unwrap_or_else(|errors| panic!("{errors}"));
    assert!(!Params::default().budgets_in_management_account, "off unless the profile says so");
    assert!(config.profiles["members"].params.budgets_in_management_account);
    assert!(config.profiles["sandbox"].params.budgets_in_management_account, "inherited");
    assert!(!config.profiles["payer"].params.budgets_in_management_account, "overridden");

    let errors = parse("[profiles.p.params]\nbudgets-in-management-account = \"yes\"\n", "t.toml", KNOWN)
        .expect_err("not a boolean");
    assert!(
        errors.to_string().contains("t.toml:2:33: invalid type: string \"yes\", expected a boolean"),
        "{errors}"
    );
}

#[test]
fn a_file_without_schedules_has_none() {
    let config = parse("", "guardline.toml", KNOWN).unwrap_or_else(|errors| panic!("{errors}"));
    assert!(config.schedules.is_empty());
}

/// Source lines with their numbers, for the snapshot header: reviewers check that each message points at
/// the right line.
fn numbered(text: &str) -> Vec<String> {
    text.lines().enumerate().map(|(index, line)| format!("{:>2} | {line}", index + 1)).collect()
}

#[test]
fn fix_values_are_read() {
    let config = parse_case("good_fix").unwrap_or_else(|errors| panic!("{errors}"));
    let fix = &config.fix;
    assert_eq!(fix.notify, ["security@example.com", "sre@example.com"]);
    assert_eq!(fix.topic_name, "acme-security-alerts");
    assert_eq!(fix.log_bucket.as_deref(), Some("acme-audit-logs"));
    assert_eq!(fix.budget_monthly_usd, Some(1200.5));
    assert_eq!(fix.anomaly_threshold_usd, 25.0);
    let contact = fix.security_contact.as_ref().expect("a contact");
    assert_eq!((contact.name.as_str(), contact.title.as_str()), ("Security Team", "CISO"));
    assert_eq!(guardline_config::pinned_alias(&config, "111111111111"), Some("acme-dev"));
    assert_eq!(guardline_config::pinned_alias(&config, "222222222222"), None);
}

#[test]
fn fix_defaults_need_no_section() {
    let config = parse("", "empty.toml", KNOWN).unwrap_or_else(|errors| panic!("{errors}"));
    assert!(config.fix.notify.is_empty());
    assert_eq!(config.fix.topic_name, "guardline-security-alerts");
    assert_eq!(config.fix.log_bucket, None);
    assert_eq!(config.fix.budget_monthly_usd, None);
    assert_eq!(config.fix.security_contact, None);
}

#[test]
fn bad_configs_report_every_problem_at_its_location() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cfg");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/cfg")
        .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
        .filter_map(|file| Some(file.strip_prefix("bad_")?.strip_suffix(".toml")?.to_owned()))
        .collect();
    names.sort();
    assert!(names.len() >= 15, "{names:?}");
    for name in names {
        let case = format!("bad_{name}");
        let errors = match parse_case(&case) {
            Ok(config) => panic!("{case}.toml parsed: {config:?}"),
            Err(errors) => errors,
        };
        assert!(errors.iter().all(|error| error.line > 0 && error.column > 0 && error.span.is_some()));
        insta::with_settings!({ info => &numbered(&case_text(&case)), omit_expression => true }, {
            insta::assert_snapshot!(case, errors.to_string());
        });
    }
}

#[test]
fn several_errors_come_in_file_order() {
    let errors = parse_case("bad_several").expect_err("invalid");
    assert!(errors.len() >= 5, "{errors}");
    let lines: Vec<usize> = errors.iter().map(|error| error.line).collect();
    let mut sorted = lines.clone();
    sorted.sort_unstable();
    assert_eq!(lines, sorted);
}

#[test]
fn an_unreadable_file_is_reported_without_location() {
    let errors =
        guardline_config::load(Path::new("/nonexistent/guardline.toml"), KNOWN).expect_err("missing");
    assert_eq!(errors.len(), 1);
    let error = &errors.errors[0];
    assert_eq!((error.line, error.column, error.span.clone()), (0, 0, None));
    assert!(
        errors.to_string().starts_with("/nonexistent/guardline.toml: cannot read the configuration: "),
        "{errors}"
    );
}

#[test]
fn load_reads_a_file() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cfg/good_inheritance.toml");
    let config = guardline_config::load(&path, KNOWN).unwrap_or_else(|errors| panic!("{errors}"));
    assert_eq!(config.default_profile, "production");
    let errors = guardline_config::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cfg/bad_cycles.toml"),
        KNOWN,
    )
    .expect_err("invalid");
    assert!(errors.errors[0].path.ends_with("tests/cfg/bad_cycles.toml"), "{errors}");
}

#[test]
fn errors_render_with_miette() {
    let errors = parse_case("bad_duplicate_control").expect_err("invalid");
    let handler = miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .with_links(false);
    let mut fancy = String::new();
    handler.render_report(&mut fancy, &errors.report()).expect("render");
    insta::assert_snapshot!("miette_report", fancy);
    let mut whole = String::new();
    handler.render_report(&mut whole, &errors).expect("render");
    insta::assert_snapshot!("miette_whole", whole);
}

#[test]
fn the_starter_config_parses_and_records_the_seeds_choices() {
    let config = parse(starter_config(), "guardline.toml", KNOWN).unwrap_or_else(|errors| panic!("{errors}"));
    assert_eq!(config.default_profile, "production");
    assert_eq!(config.profiles.keys().collect::<Vec<_>>(), ["development", "production", "sandbox"]);
    assert_eq!(config.scan, guardline_config::ScanSettings::default());

    let production = &config.profiles["production"];
    assert_eq!(production.default_level, Level::Fail);
    assert!(production.controls.is_empty(), "production adopts everything at fail");
    // The starter writes the defaults out.
    assert_eq!(production.params, Params::default());
    assert_eq!(production.params.home_region, "ap-northeast-1");
    assert_eq!(production.params.guardduty_severity_threshold, 7.0);
    assert!(production.params.nonprod_tag.values.contains(&"cli".to_owned()));
    assert_eq!(production.params.production_tag, guardline_config::ProductionTag::default());

    let development = &config.profiles["development"];
    assert_eq!(development.default_level, Level::Fail);
    assert_eq!(development.params.guardduty_regions, RegionScope::Home);
    assert_eq!(development.params.home_region, "ap-northeast-1");
    assert_eq!(development.setting("SCHED-001"), adopted(Level::Fail));
    assert_eq!(development.setting("COST-003"), adopted(Level::Warn));

    let sandbox = &config.profiles["sandbox"];
    assert_eq!(sandbox.default_level, Level::Warn);
    assert!(
        matches!(sandbox.setting("IAM-002"), ControlSetting::NotAdopted { reason } if reason.contains("2-1"))
    );
    for control in ["COST-001", "COST-002", "COST-003", "IAM-001", "GUARDDUTY-001"] {
        assert_eq!(sandbox.setting(control), adopted(Level::Fail), "{control}");
    }
    assert_eq!(sandbox.setting("EC2-001"), adopted(Level::Warn));
    assert!(sandbox.params.security_hub_not_adopted.contains_key("IAM.6"));

    assert_eq!(config.profile_for("999999999999", Some("acme-dev")).name, "development");
    assert_eq!(config.profile_for("999999999999", Some("acme-sandbox")).name, "sandbox");
    assert_eq!(config.profile_for("999999999999", Some("acme-prod")).name, "production");
    assert!(config.exceptions.is_empty());
    assert!(config.schedules.is_empty(), "the example schedule is commented out");
}

/// The starter with its commented-out examples (`#` directly followed by a setting) switched on.
fn starter_with_examples() -> String {
    starter_config()
        .lines()
        .map(|line| match line.strip_prefix('#') {
            Some(rest) if !rest.is_empty() && !rest.starts_with([' ', '#', '-', ':']) => rest,
            _ => line,
        })
        .map(|line| format!("{line}\n"))
        .collect()
}

#[test]
fn the_starter_examples_parse_too() {
    let text = starter_with_examples();
    let config = parse(&text, "guardline.toml", KNOWN).unwrap_or_else(|errors| panic!("{errors}\n{text}"));
    assert_eq!(config.scan.regions, Some(vec!["ap-northeast-1".to_owned(), "us-east-1".to_owned()]));
    assert_eq!(config.profiles["production"].params.password_policy.max_age_days, Some(90));
    assert!(config.profiles["production"].params.budgets_in_management_account);
    assert!(config.profiles["production"].params.require_organization);
    assert_eq!(config.accounts.len(), 6);
    assert_eq!(config.profile_for("123456789012", Some("acme-prod")).name, "production");
    assert_eq!(config.org.role_name, "OrganizationAccountAccessRole");
    assert_eq!(config.org.include.len(), 1);
    let watch = config.watch.as_ref().expect("the [watch] example");
    assert_eq!(watch.channels_for("guardduty"), ["mail", "slack"]);
    assert_eq!(watch.feeds.len(), 1);
    let [exception] = config.exceptions.as_slice() else { panic!("{:?}", config.exceptions) };
    assert_eq!(exception.control, "EC2-001");
    assert_eq!(exception.expires, date(2027, 3, 31));
    assert!(!exception.reason.is_empty() && !exception.owner.is_empty());
    let schedule = &config.schedules["dev-office-hours"];
    assert_eq!(
        schedule.schedule.window,
        guardline_schedule::Window::parse("weekdays 09:00-19:00").expect("valid")
    );
    assert_eq!(schedule.schedule.time_zone.iana_name(), Some("Asia/Tokyo"));
    assert_eq!(schedule.schedule.holidays.label(), "jp, company");
    assert!(schedule.select.values.contains(&"cli".to_owned()));
    assert_eq!(schedule.installs_as, InstallMethod::MaintenanceWindow);
}

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn must_not_panic(text: &str) {
    if let Err(errors) = parse(text, "mangled.toml", KNOWN) {
        assert!(!errors.is_empty());
        for error in &errors {
            assert!(error.line <= text.lines().count() + 1, "{error} in\n{text}");
        }
        let _ = errors.to_string();
    }
}

#[test]
fn mangled_input_never_panics() {
    for text in [starter_config().to_owned(), starter_with_examples(), case_text("good_inheritance")] {
        // Truncated after every line.
        for (offset, _) in text.match_indices('\n') {
            must_not_panic(&text[..offset]);
        }
        let mut rng = Rng(0x5eed_1234_abcd_0001);
        let bytes = text.as_bytes();
        let pieces: &[&[u8]] =
            &[b"\"", b"[", b"]", b"=", b"{", b"}", b"\n", b"#", b"'''", b"\\", b",", b"\xe6\x9d\xb1"];
        for _ in 0..400 {
            // Truncated at a random byte.
            let cut = text.floor_char_boundary(rng.below(text.len() + 1));
            must_not_panic(&text[..cut]);
            // A random byte range replaced by a random piece of syntax.
            let start = rng.below(bytes.len());
            let end = (start + rng.below(8)).min(bytes.len());
            let mut mangled = bytes[..start].to_vec();
            mangled.extend_from_slice(pieces[rng.below(pieces.len())]);
            mangled.extend_from_slice(&bytes[end..]);
            must_not_panic(&String::from_utf8_lossy(&mangled));
        }
    }
}

/// `[org]` and the OU / tag matchers of `[[accounts]]`: an organisation's accounts get their profile by ID,
/// then by the first entry whose alias, OU and tag matchers all match.
#[test]
fn org_settings_and_ou_and_tag_profiles() {
    let text = r#"
        default-profile = "production"
        [profiles.production]
        [profiles.development]
        [profiles.sandbox]
        [org]
        role-name = "GuardlineAudit"
        external-id-env = "GUARDLINE_EXTERNAL_ID"
        session-name = "guardline-nightly"
        via-role = "arn:aws:iam::111122223333:role/Audit"
        account-concurrency = 8
        include = ["ou:Root/Workloads/**", "tag:env=dev", "123456789012"]
        exclude = ["name:*-legacy"]
        [[accounts]]
        id = "123456789012"
        profile = "production"
        [[accounts]]
        ou = "ou-ab12-22222222"
        profile = "development"
        [[accounts]]
        ou = "Root/Sandbox/*"
        tag = { key = "team", values = ["research"] }
        profile = "sandbox"
    "#;
    let config = parse(text, "org.toml", KNOWN).expect("valid");
    assert_eq!(config.org.role_name, "GuardlineAudit");
    assert_eq!(config.org.external_id_env.as_deref(), Some("GUARDLINE_EXTERNAL_ID"));
    assert_eq!(config.org.session_name, "guardline-nightly");
    assert_eq!(config.org.via_role.as_deref(), Some("arn:aws:iam::111122223333:role/Audit"));
    assert_eq!(config.org.account_concurrency, 8);
    let include: Vec<String> = config.org.include.iter().map(ToString::to_string).collect();
    assert_eq!(include, ["ou:Root/Workloads/**", "tag:env=dev", "id:123456789012"]);
    assert_eq!(config.org.exclude[0].to_string(), "name:*-legacy");

    let ids = ["r-ab12".to_owned(), "ou-ab12-11111111".to_owned(), "ou-ab12-22222222".to_owned()];
    let research = BTreeMap::from([("team".to_owned(), "Research".to_owned())]);
    let facts = |id, path, ids: &'static [String], tags| guardline_config::AccountFacts {
        id,
        alias: None,
        name: None,
        ou_path: Some(path),
        ou_ids: ids,
        tags: Some(tags),
    };
    let ids: &'static [String] = Box::leak(Box::new(ids));
    let research: &'static BTreeMap<String, String> = Box::leak(Box::new(research));
    let none: &'static BTreeMap<String, String> = Box::leak(Box::default());
    let by_id = facts("123456789012", "Root/Workloads/Dev", ids, none);
    assert_eq!(config.profile_for_account(&by_id).name, "production");
    let by_ou_id = facts("210987654321", "Root/Workloads/Dev", ids, none);
    assert_eq!(config.profile_for_account(&by_ou_id).name, "development");
    let by_path_and_tag = facts("210987654321", "Root/Sandbox/Alice", &[], research);
    assert_eq!(config.profile_for_account(&by_path_and_tag).name, "sandbox");
    let path_without_tag = facts("210987654321", "Root/Sandbox/Alice", &[], none);
    assert_eq!(config.profile_for_account(&path_without_tag).name, "production");
    // Without organisation facts (a single-account scan) OU and tag entries never match.
    assert_eq!(config.profile_for("210987654321", None).name, "production");
}

// guardline.toml's JSON Schema (`guardline_config::schema`, docs/guardline.schema.json), checked by an
// independent validator: Python's jsonschema over tomllib (tests/validators/toml_schema.py).

const SCHEMA_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/guardline.schema.json");

/// docs/guardline.schema.json is what the config model generates; `GUARDLINE_BLESS=1` rewrites it.
#[test]
fn the_published_schema_is_the_generated_one() {
    let generated = guardline_config::schema::json();
    if std::env::var_os("GUARDLINE_BLESS").is_some() {
        std::fs::write(SCHEMA_FILE, &generated).unwrap();
    }
    let published = std::fs::read_to_string(SCHEMA_FILE).unwrap_or_default();
    assert!(
        published == generated,
        "docs/guardline.schema.json is stale: run GUARDLINE_BLESS=1 cargo test --workspace -- published_schema"
    );
}

/// Runs tests/validators/toml_schema.py on `files` (name, TOML text) against the generated schema.
fn validate_toml(files: &[(&str, String)]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("guardline.schema.json");
    std::fs::write(&schema, guardline_config::schema::json()).unwrap();
    let validator = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/validators/toml_schema.py");
    let mut command = std::process::Command::new("python3");
    command.arg(validator).arg(&schema);
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        command.arg(path);
    }
    command
        .output()
        .unwrap_or_else(|error| panic!("cannot run python3 {validator}: {error}; run scripts/test"))
}

#[test]
fn the_starter_the_demo_and_the_good_configs_validate_against_the_schema() {
    let read =
        |path: &str| std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap();
    let mut files = vec![
        ("starter.toml", starter_config().to_owned()),
        ("starter_with_examples.toml", starter_with_examples()),
        ("demo.toml", read("../../demo/guardline.toml")),
    ];
    for name in ["good_fix.toml", "good_inheritance.toml", "good_schedules.toml"] {
        let text = read(&format!("tests/cfg/{name}"));
        parse(&text, name, KNOWN).unwrap_or_else(|errors| panic!("{errors}"));
        files.push((name, text));
    }
    let output = validate_toml(&files);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains(&format!("{} file(s) valid", files.len())), "{stdout}");
    assert!(stdout.contains("Draft7Validator"), "the schema declares draft 7: {stdout}");
}

/// Each document has one key the parser rejects (unknown, or a literal secret); the schema rejects each too.
#[test]
fn keys_the_parser_rejects_the_schema_rejects() {
    let cases: &[(&str, &str)] = &[
        ("root", "verbose = true\n"),
        ("scan", "[scan]\nconcurency = 8\n"),
        ("profile", "[profiles.base]\ndefault_level = \"warn\"\n"),
        ("params", "[profiles.base.params]\nunused-user-dayz = 30\n"),
        ("password_policy", "[profiles.base.params.password-policy]\nmin-len = 8\n"),
        ("production_tag", "[profiles.base.params.production-tag]\nkeys = [\"Env\"]\nvalue = [\"prod\"]\n"),
        ("control", "[profiles.base.controls]\n\"IAM-002\" = { adopted = false, reasons = \"r\" }\n"),
        ("account", "[[accounts]]\nid = \"123456789012\"\nprofiles = \"base\"\n"),
        (
            "exception",
            "[[exceptions]]\ncontrol = \"EC2-001\"\nreason = \"r\"\nowner = \"o\"\nexpires = 2027-03-31\n\
             expiry = 2027-03-31\n",
        ),
        ("schedule", "[schedules.dev]\nwindow = \"weekdays 09:00-19:00\"\nzone = \"Asia/Tokyo\"\n"),
        ("fix", "[fix]\nnotify-emails = [\"a@example.com\"]\n"),
        ("contact", "[fix.security-contact]\nname = \"n\"\nmail = \"a@example.com\"\n"),
        ("org", "[org]\nrole = \"OrganizationAccountAccessRole\"\n"),
        ("watch", "[watch]\npoll = \"5m\"\n"),
        ("channel", "[watch.channels.slack]\ntype = \"slack\"\nurl-env = \"SLACK_URL\"\nchanel = \"#sec\"\n"),
        ("literal_secret", "[watch.channels.slack]\ntype = \"slack\"\nurl = \"https://hooks.example/x\"\n"),
        ("source", "[watch.sources.guardduty]\nmin-severity = 7.0\nregion = [\"ap-northeast-1\"]\n"),
        ("feed", "[[watch.feeds]]\nname = \"jvn\"\nurl = \"https://example.com/rss\"\nkeyword = [\"x\"]\n"),
        ("route", "[[watch.routes]]\nsources = [\"guardduty\"]\nchannel = [\"slack\"]\n"),
    ];
    let mut files = Vec::new();
    for (name, text) in cases {
        assert!(parse(text, name, KNOWN).is_err(), "the parser accepts the {name} case:\n{text}");
        files.push((*name, (*text).to_owned()));
    }
    let output = validate_toml(&files);
    assert!(!output.status.success(), "the schema accepted them all");
    let stderr = String::from_utf8_lossy(&output.stderr);
    for (name, _) in cases {
        assert!(stderr.contains(&format!("/{name}: ")), "the schema accepts the {name} case:\n{stderr}");
    }
}

#[test]
fn a_stop_only_schedule_takes_a_stop_cron_alone_and_refuses_a_start() {
    let text = |crons: &str| {
        format!(
            "[schedules.nights]\n{crons}stop-only = true\nselect = {{ key = \"Role\", values = [\"cli\"] }}\n"
        )
    };
    let config = parse(&text("stop-cron = \"0 22 * * *\"\n"), "stop_only.toml", KNOWN)
        .unwrap_or_else(|errors| panic!("{errors}"));
    let nights = &config.schedules["nights"].schedule;
    assert!(nights.stop_only);
    let at = "2026-12-01T22:00:00+09:00".parse().unwrap();
    assert_eq!(nights.next_start(at), None);
    assert!(nights.next_stop(at).is_some());

    let errors =
        parse(&text("stop-cron = \"0 22 * * *\"\nstart-cron = \"0 7 * * *\"\n"), "stop_only.toml", KNOWN)
            .expect_err("a stop-only schedule has no start");
    assert!(
        errors
            .to_string()
            .contains("stop_only.toml:3:14: schedule `nights` is stop-only but sets `start-cron`"),
        "{errors}"
    );
    // Without stop-only, a stop cron alone is still an error, whose help names stop-only.
    let errors = parse(
        "[schedules.nights]\nstop-cron = \"0 22 * * *\"\nselect = { key = \"Role\", values = [\"cli\"] }\n",
        "pair.toml",
        KNOWN,
    )
    .expect_err("half a pair");
    let rendered = format!("{errors:?}");
    assert!(rendered.contains("stop-only = true"), "{rendered}");
}

#[test]
fn schedules_name_holiday_calendars_built_in_or_listed() {
    let text = r#"
[schedules.us-dev]
window = "weekdays 09:00-18:00"
time-zone = "America/New_York"
holidays = ["us", "company"]
select = { key = "Environment", values = ["dev"] }

[calendars.company]
dates = ["2026-12-28", "2026-12-29"]
"#;
    let config = parse(text, "t.toml", KNOWN).unwrap_or_else(|errors| panic!("{errors}"));
    let holidays = &config.schedules["us-dev"].schedule.holidays;
    assert_eq!(holidays.label(), "us, company");
    assert!(holidays.is_holiday(jiff::civil::date(2026, 12, 28)), "the company's closure");
    assert!(holidays.is_holiday(jiff::civil::date(2026, 11, 26)), "Thanksgiving");
    assert!(!holidays.is_holiday(jiff::civil::date(2026, 11, 23)), "a Japanese holiday only");

    let bad = |text: &str| match parse(text, "t.toml", KNOWN) {
        Ok(_) => panic!("expected errors for:\n{text}"),
        Err(errors) => errors.to_string(),
    };
    let schedule = |holidays: &str| {
        format!(
            "[schedules.dev]\nwindow = \"weekdays 09:00-18:00\"\n{holidays}\nselect = {{ key = \"Environment\", \
             values = [\"dev\"] }}\n"
        )
    };
    let errors = bad(&schedule("holidays = [\"uk\"]"));
    assert!(errors.contains("t.toml:3") && errors.contains("unknown holiday calendar `uk`"), "{errors}");
    assert!(errors.contains("`jp`, `us`") && errors.contains("[calendars.uk]"), "{errors}");
    let errors = bad(&schedule("holidays = [\"jp\"]\nskip-japanese-holidays = true"));
    assert!(errors.contains("sets both `skip-japanese-holidays` and `holidays`"), "{errors}");
    assert!(bad(&schedule("holidays = []")).contains("`holidays` is empty"));
    let errors = bad(&(schedule("holidays = [\"jp\"]") + "[calendars.jp]\ndates = [\"2026-01-02\"]\n"));
    assert!(errors.contains("calendar `jp` is built in"), "{errors}");
    let errors =
        bad(&(schedule("holidays = [\"x\"]") + "[calendars.x]\ndates = [\"2026-02-30\", \"26-1-1\"]\n"));
    assert!(
        errors.contains("`2026-02-30` is not a date") && errors.contains("`26-1-1` is not a date"),
        "{errors}"
    );
    assert!(bad(&(schedule("holidays = [\"x\"]") + "[calendars.x]\n")).contains("lists no `dates`"));
    assert!(
        bad(&(schedule("holidays = [\"x\"]") + "[calendars.x]\ndates = []\nyear = 1\n"))
            .contains("unknown field `year`")
    );
}

#[test]
fn the_changes_source_takes_a_queue_regions_and_a_long_poll_wait() {
    // The source's keys start at line 2; a channel and a route follow.
    let routed = |keys: &str| {
        format!(
            "[watch.sources.changes]\n{keys}[watch.channels.ops]\ntype = \"slack\"\nurl-env = \"OPS\"\n\
             [[watch.routes]]\nsources = [\"changes\"]\nchannels = [\"ops\"]\n"
        )
    };
    let config = parse(&routed(""), "changes.toml", KNOWN).unwrap_or_else(|errors| panic!("{errors}"));
    let changes = config.watch.unwrap().sources.changes.unwrap();
    assert_eq!(
        changes,
        guardline_config::watch::ChangesSource {
            queue: "guardline-changes".into(),
            regions: None,
            wait_seconds: 20
        }
    );
    let keys = "queue = \"drift_q-1\"\nregions = [\"ap-northeast-1\"]\nwait-seconds = 5\n";
    let config = parse(&routed(keys), "changes.toml", KNOWN).unwrap_or_else(|errors| panic!("{errors}"));
    let changes = config.watch.unwrap().sources.changes.unwrap();
    assert_eq!((changes.queue.as_str(), changes.wait_seconds), ("drift_q-1", 5));
    assert_eq!(changes.regions.as_deref(), Some(&["ap-northeast-1".to_owned()][..]));

    for (keys, expected) in [
        ("queue = \"drift.fifo\"\n", "`queue` \"drift.fifo\" is not an SQS queue name"),
        ("wait-seconds = 30\n", "`wait-seconds` = 30 is outside SQS's long polling range"),
        ("min-severity = \"HIGH\"\n", "`min-severity` does not apply to the changes source"),
        ("url = \"https://example.com\"\n", "`url` does not apply to the changes source"),
    ] {
        let errors = parse(&routed(keys), "changes.toml", KNOWN).unwrap_err();
        let shown = errors.to_string();
        assert!(shown.contains(expected), "{keys}: {shown}");
        assert!(shown.contains("changes.toml:2:"), "the error names the line: {shown}");
    }
    let text = "[watch.sources.guardduty]\nqueue = \"q\"\n[watch.channels.ops]\ntype = \"slack\"\nurl-env = \"OPS\"\n\
                [[watch.routes]]\nsources = [\"guardduty\"]\nchannels = [\"ops\"]\n";
    let errors = parse(text, "changes.toml", KNOWN).unwrap_err();
    assert!(errors.to_string().contains("`queue` does not apply to the guardduty source"), "{errors}");
}
