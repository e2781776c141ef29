//! Security Hub findings that newly fail: active findings whose compliance status is FAILED, reported once
//! each (the outbox remembers the finding IDs already reported). A finding seen passing again (active,
//! PASSED, updated in the last week) is forgotten, so that failing again later is a new alert. Filters are
//! re-applied client-side.
//! Findings of Security Hub controls the account's profile does not adopt (`security-hub-not-adopted`, the
//! same list HUB-002 reads) are not alerts, and neither are findings a current `[[exceptions]]` entry for
//! HUB-002 accepts (matched on account, region and the finding's resources, as the scan matches them).
//!
//! Two services answer, and both are read:
//!
//! - **AWS Security Hub CSPM** (the original Security Hub): ASFF findings from `GetFindings`, as always.
//!   Where CSPM is not enabled but the new Security Hub is, its `InvalidAccessException` means "no CSPM
//!   findings here", not a failure.
//! - **The new AWS Security Hub** (2025): OCSF findings from `GetFindingsV2`, read in each region where
//!   `DescribeSecurityHubV2` answers (its `ResourceNotFoundException` means the new Security Hub is not
//!   enabled there; any other error is logged and only CSPM is read). The same findings are alerts: OCSF
//!   compliance findings whose `compliance.status_id` is 3 (Fail; `compliance.status` "Fail" when the ID is
//!   absent) and that are active (`activity_name` is not `Close`, as Security Hub defines it), and the
//!   passing ones (status ID 1, modified in the last week) are forgotten. Their identity is
//!   `finding_info.uid`, the finding provider's ID; the event is the one an ASFF finding makes: title
//!   `finding_info.title`, severity label from `severity_id` (1 Informational ... 5 Critical, 6 Fatal as
//!   Critical; the `severity` caption when the ID is 0 or 99), control `compliance.control`, resources
//!   `resources[].uid`, account `cloud.account.uid`, region `cloud.region`, time
//!   `finding_info.modified_time_dt` (or `modified_time`, `time_dt`, `time`), and `finding_info.src_url`
//!   as the link when there is one (else the CSPM console's search for the ID).
//!
//! One finding, one alert, when both are on: the new Security Hub shows CSPM's control findings again, in
//! OCSF. Both readings share one item key, the CSPM finding ID (an OCSF finding's `finding_info.uid` is the
//! provider's ID, which for a CSPM control finding is its ASFF `Id`), so the outbox's `seen` already keeps
//! them as one. Should the IDs differ, the ASFF reading is preferred in each pass: an OCSF finding is
//! dropped when a CSPM finding of the same pass has its ID, or the same account, region, control and
//! resources. CSPM findings carry the history (the outbox's items) of every account watched before the new
//! Security Hub existed; OCSF findings that CSPM does not have (other providers' compliance findings, or
//! every finding when CSPM is off or fails in that pass) go out under their own `finding_info.uid`. (Were
//! a CSPM finding's OCSF `finding_info.uid` not its CSPM ID, a pass in which CSPM fails while the new
//! Security Hub answers could repeat an alert CSPM's reading already sent: the one duplicate left.)
//! Either service failing alone is logged and the other's findings used; the region fails only when
//! nothing could be read.
//! Other OCSF findings (threat, vulnerability and exposure findings) are not this source's alerts, as ASFF
//! findings without a compliance status are not: GuardDuty and Inspector have their own sources.

use std::collections::{BTreeSet, HashSet};

use aws_sdk_securityhub::Client;
use aws_sdk_securityhub::types::{
    AllowedOperators, AwsSecurityFindingFilters, CompositeFilter, DateFilter, DateRange, DateRangeUnit,
    NumberFilter, OcsfDateField, OcsfDateFilter, OcsfFindingFilters, OcsfNumberField, OcsfNumberFilter,
    OcsfStringField, OcsfStringFilter, StringFilter, StringFilterComparison,
};
use aws_smithy_types::{Document, Number};
use guardline_config::watch::SeverityLabel;
use serde_json::Value;

use super::{Account, Candidate, Polled, merge, sdk_error};
use crate::event::{Event, Severity};

/// Which failing findings are alerts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Only findings at or above this label; `None`: every one.
    pub min_severity: Option<SeverityLabel>,
    /// Security Hub control IDs (`IAM.6`) the profile does not adopt.
    pub not_adopted: BTreeSet<String>,
    /// The config's current (unexpired) exceptions for HUB-002.
    pub exceptions: Vec<guardline_config::Exception>,
}

impl Filter {
    /// Whether a current HUB-002 exception accepts a failing finding of Security Hub control `control` on
    /// `resources`: an exception's `subject` is the Security Hub control, as in HUB-002's findings.
    fn excepted(
        &self,
        account: Option<&str>,
        region: &str,
        control: Option<&str>,
        resources: &[&str],
    ) -> bool {
        self.exceptions.iter().any(|exception| {
            exception.account.as_deref().is_none_or(|id| Some(id) == account)
                && exception.region.as_deref().is_none_or(|name| name == region)
                && exception
                    .resource
                    .as_ref()
                    .is_none_or(|pattern| resources.iter().any(|resource| pattern.matches(resource)))
                && exception
                    .subject
                    .as_ref()
                    .is_none_or(|pattern| control.is_some_and(|control| pattern.matches(control)))
        })
    }
}

pub async fn poll(clients: &[Client], filter: &Filter, account: &Account) -> Polled {
    let polls = clients.iter().map(|client| async move {
        let region = client.config().region().map(ToString::to_string).unwrap_or_default();
        let result = poll_region(client, &region, filter, account).await;
        (region, result)
    });
    merge("security-hub", futures::future::join_all(polls).await)
}

fn equals(value: &str) -> StringFilter {
    StringFilter::builder().comparison(StringFilterComparison::Equals).value(value).build()
}

/// Whether the new Security Hub is enabled in a region (`DescribeSecurityHubV2`).
#[derive(Debug, Clone, PartialEq)]
enum HubV2 {
    On,
    Off,
    /// The call failed otherwise: only CSPM is read.
    Unknown(String),
}

async fn hub_v2(client: &Client) -> HubV2 {
    match client.describe_security_hub_v2().send().await {
        Ok(_) => HubV2::On,
        Err(error)
            if error.as_service_error().is_some_and(|error| error.is_resource_not_found_exception()) =>
        {
            HubV2::Off
        }
        Err(error) => HubV2::Unknown(sdk_error(&error)),
    }
}

/// Account, region, control and sorted resource IDs: what two readings of one control finding share.
type Fingerprint = (String, String, String, Vec<String>);

/// One finding as read, with what tells two readings of it apart from two findings.
struct Read {
    candidate: Candidate,
    /// When the finding names a control and a resource.
    fingerprint: Option<Fingerprint>,
}

fn fingerprint(
    account: Option<&str>,
    region: &str,
    control: Option<&str>,
    resources: &[&str],
) -> Option<Fingerprint> {
    let control = control?;
    if resources.is_empty() {
        return None;
    }
    let mut resources: Vec<String> = resources.iter().map(|resource| (*resource).to_owned()).collect();
    resources.sort();
    Some((account.unwrap_or_default().to_owned(), region.to_owned(), control.to_owned(), resources))
}

/// One region: the CSPM (ASFF) findings, and where the new Security Hub is on, its OCSF findings that
/// CSPM's do not already cover (see the module doc). An error only when every read failed.
pub async fn poll_region(
    client: &Client,
    region: &str,
    filter: &Filter,
    account: &Account,
) -> Result<Vec<Candidate>, String> {
    let v2 = hub_v2(client).await;
    if let HubV2::Unknown(error) = &v2 {
        tracing::warn!(
            region,
            error,
            "cannot tell whether the new Security Hub is enabled (securityhub:DescribeSecurityHubV2); reading Security Hub CSPM only"
        );
    }
    let cspm = cspm_region(client, region, filter, account).await;
    if v2 != HubV2::On {
        return cspm.map(|read| read.into_iter().map(|read| read.candidate).collect()).map_err(String::from);
    }
    // CSPM's reading, or why there is none (not enabled in the region is no failure of its own).
    let (cspm, cspm_missing) = match cspm {
        Ok(read) => (Some(read), None),
        Err(CspmError::NotEnabled(error)) => (None, Some(error)),
        Err(CspmError::Failed(error)) => {
            tracing::warn!(
                region,
                error,
                "Security Hub CSPM findings could not be read; using the new Security Hub's"
            );
            (None, Some(error))
        }
    };
    let ocsf = match ocsf_region(client, region, filter, account).await {
        Ok(read) => read,
        Err(error) => {
            let Some(cspm) = cspm else {
                return Err(format!(
                    "GetFindingsV2: {error}; GetFindings: {}",
                    cspm_missing.unwrap_or_default()
                ));
            };
            tracing::warn!(
                region,
                error,
                "the new Security Hub's findings could not be read; using Security Hub CSPM's"
            );
            return Ok(cspm.into_iter().map(|read| read.candidate).collect());
        }
    };
    let cspm = cspm.unwrap_or_default();
    let items: HashSet<&str> = cspm.iter().map(|read| read.candidate.item.as_str()).collect();
    let fingerprints: HashSet<_> = cspm.iter().filter_map(|read| read.fingerprint.as_ref()).collect();
    let ocsf: Vec<Candidate> = ocsf
        .into_iter()
        .filter(|read| {
            !items.contains(read.candidate.item.as_str())
                && read.fingerprint.as_ref().is_none_or(|print| !fingerprints.contains(print))
        })
        .map(|read| read.candidate)
        .collect();
    let mut candidates: Vec<Candidate> = cspm.into_iter().map(|read| read.candidate).collect();
    candidates.extend(ocsf);
    Ok(candidates)
}

/// Why CSPM's findings could not be read.
enum CspmError {
    /// `InvalidAccessException`: Security Hub CSPM is not enabled (or not permitted) in the region.
    NotEnabled(String),
    Failed(String),
}

impl From<CspmError> for String {
    fn from(error: CspmError) -> String {
        match error {
            CspmError::NotEnabled(error) | CspmError::Failed(error) => error,
        }
    }
}

/// The CSPM findings of one region (ASFF, `GetFindings`).
async fn cspm_region(
    client: &Client,
    region: &str,
    filter: &Filter,
    account: &Account,
) -> Result<Vec<Read>, CspmError> {
    let failing = AwsSecurityFindingFilters::builder()
        .compliance_status(equals("FAILED"))
        .record_state(equals("ACTIVE"))
        .build();
    let recently_passed = AwsSecurityFindingFilters::builder()
        .compliance_status(equals("PASSED"))
        .record_state(equals("ACTIVE"))
        .updated_at(
            DateFilter::builder()
                .date_range(DateRange::builder().value(7).unit(DateRangeUnit::Days).build())
                .build(),
        )
        .build();
    let mut read = Vec::new();
    for filters in [failing, recently_passed] {
        page_through(client, region, filter, account, filters, &mut read).await?;
    }
    Ok(once_per_kind(read))
}

/// A finding read by both queries (its status changed between them) counts once per kind.
fn once_per_kind(mut read: Vec<Read>) -> Vec<Read> {
    let mut kept = HashSet::new();
    read.retain(|read| kept.insert((read.candidate.item.clone(), read.candidate.resolved)));
    read
}

/// Reads every page of GetFindings with `filters`, adding the alerts (and the findings passing again) to
/// `candidates`. `InvalidAccessException` is [`CspmError::NotEnabled`].
async fn page_through(
    client: &Client,
    region: &str,
    filter: &Filter,
    account: &Account,
    filters: AwsSecurityFindingFilters,
    candidates: &mut Vec<Read>,
) -> Result<(), CspmError> {
    let mut token: Option<String> = None;
    loop {
        let page = client
            .get_findings()
            .filters(filters.clone())
            .max_results(100)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|error| {
                if error.as_service_error().is_some_and(|error| error.is_invalid_access_exception()) {
                    CspmError::NotEnabled(sdk_error(&error))
                } else {
                    CspmError::Failed(sdk_error(&error))
                }
            })?;
        for finding in page.findings() {
            let failed = finding
                .compliance()
                .and_then(|compliance| compliance.status())
                .is_some_and(|status| status.as_str() == "FAILED");
            let active = finding.record_state().is_none_or(|state| state.as_str() == "ACTIVE");
            let Some(id) = finding.id() else { continue };
            let passed = finding
                .compliance()
                .and_then(|compliance| compliance.status())
                .is_some_and(|status| status.as_str() == "PASSED");
            let control = finding.compliance().and_then(|compliance| compliance.security_control_id());
            let resources: Vec<&str> =
                finding.resources().iter().filter_map(|resource| resource.id()).collect();
            let print = fingerprint(
                finding.aws_account_id().or(account.id.as_deref()),
                finding.region().unwrap_or(region),
                control,
                &resources,
            );
            if passed && active {
                let event = Event::alert(format!("security-hub:{id}"), "security-hub", id);
                let candidate = Candidate { item: id.to_owned(), level: 0.0, event, resolved: true };
                candidates.push(Read { candidate, fingerprint: print });
                continue;
            }
            let label = finding.severity().and_then(|severity| severity.label()).map(|label| label.as_str());
            let severe_enough = filter
                .min_severity
                .is_none_or(|min| label.and_then(SeverityLabel::parse).is_some_and(|label| label >= min));
            let adopted = control.is_none_or(|control| !filter.not_adopted.contains(control));
            let excepted = filter.excepted(
                finding.aws_account_id(),
                finding.region().unwrap_or(region),
                control,
                &resources,
            );
            if !failed || !active || !severe_enough || !adopted || excepted {
                continue;
            }
            let mut event =
                Event::alert(format!("security-hub:{id}"), "security-hub", finding.title().unwrap_or(id));
            event.account_id = finding.aws_account_id().map(str::to_owned).or_else(|| account.id.clone());
            event.account_alias = account.alias.clone();
            event.region = Some(finding.region().unwrap_or(region).to_owned());
            event.severity = finding
                .severity()
                .and_then(|severity| severity.label())
                .map(|label| Severity::label(label.as_str()));
            event.description = finding.description().map(str::to_owned);
            event.link = Some(console_link(region, id));
            event.time = finding.updated_at().map(str::to_owned);
            let candidate = Candidate { item: id.to_owned(), level: 0.0, event, resolved: false };
            candidates.push(Read { candidate, fingerprint: print });
        }
        token = page.next_token().filter(|token| !token.is_empty()).map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    Ok(())
}

/// The Security Hub CSPM console's findings page searching for one finding ID.
fn console_link(region: &str, id: &str) -> String {
    format!(
        "https://{region}.console.aws.amazon.com/securityhub/home?region={region}#/findings?search=Id%3D%255Coperator%255C%253AEQUALS%255C%253A{}",
        id.replace(':', "%253A").replace('/', "%252F")
    )
}

/// OCSF `compliance.status_id`: Pass.
const OCSF_PASS: f64 = 1.0;
/// OCSF `compliance.status_id`: Fail.
const OCSF_FAIL: f64 = 3.0;
/// OCSF `activity_id`: Close (Security Hub: a closed finding).
const OCSF_CLOSE: i64 = 3;

/// One GetFindingsV2 query: compliance findings with `status_id`, active, and (for the passing ones)
/// modified in the last `within_days`.
fn ocsf_filters(status_id: f64, within_days: Option<i32>) -> OcsfFindingFilters {
    let mut composite = CompositeFilter::builder()
        .operator(AllowedOperators::And)
        .number_filters(
            OcsfNumberFilter::builder()
                .field_name(OcsfNumberField::ComplianceStatusId)
                .filter(NumberFilter::builder().eq(status_id).build())
                .build(),
        )
        .string_filters(
            OcsfStringFilter::builder()
                .field_name(OcsfStringField::ActivityName)
                .filter(
                    StringFilter::builder()
                        .comparison(StringFilterComparison::NotEquals)
                        .value("Close")
                        .build(),
                )
                .build(),
        );
    if let Some(days) = within_days {
        composite = composite.date_filters(
            OcsfDateFilter::builder()
                .field_name(OcsfDateField::FindingInfoModifiedTimeDt)
                .filter(
                    DateFilter::builder()
                        .date_range(DateRange::builder().value(days).unit(DateRangeUnit::Days).build())
                        .build(),
                )
                .build(),
        );
    }
    OcsfFindingFilters::builder().composite_filters(composite.build()).build()
}

/// The new Security Hub's findings of one region (OCSF, `GetFindingsV2`).
async fn ocsf_region(
    client: &Client,
    region: &str,
    filter: &Filter,
    account: &Account,
) -> Result<Vec<Read>, String> {
    let mut read = Vec::new();
    for filters in [ocsf_filters(OCSF_FAIL, None), ocsf_filters(OCSF_PASS, Some(7))] {
        let mut token: Option<String> = None;
        loop {
            let page = client
                .get_findings_v2()
                .filters(filters.clone())
                .max_results(100)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|error| sdk_error(&error))?;
            for finding in page.findings() {
                if let Some(found) = ocsf_finding(&to_json(finding), region, filter, account) {
                    read.push(found);
                }
            }
            token = page.next_token().filter(|token| !token.is_empty()).map(str::to_owned);
            if token.is_none() {
                break;
            }
        }
    }
    Ok(once_per_kind(read))
}

/// A smithy document (GetFindingsV2's findings) as JSON.
fn to_json(document: &Document) -> Value {
    match document {
        Document::Object(map) => {
            Value::Object(map.iter().map(|(key, value)| (key.clone(), to_json(value))).collect())
        }
        Document::Array(items) => Value::Array(items.iter().map(to_json).collect()),
        Document::Number(Number::PosInt(n)) => Value::from(*n),
        Document::Number(Number::NegInt(n)) => Value::from(*n),
        Document::Number(Number::Float(n)) => {
            serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number)
        }
        Document::String(text) => Value::String(text.clone()),
        Document::Bool(flag) => Value::Bool(*flag),
        Document::Null => Value::Null,
    }
}

fn text<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value.pointer(pointer).and_then(Value::as_str).map(str::trim).filter(|text| !text.is_empty())
}

fn integer(value: &Value, pointer: &str) -> Option<i64> {
    let found = value.pointer(pointer)?;
    found.as_i64().or_else(|| found.as_f64().filter(|n| n.fract() == 0.0).map(|n| n as i64))
}

/// The severity label of an OCSF finding: `severity_id` 1–5 (Informational ... Critical), 6 (Fatal) as
/// Critical; otherwise (0 Unknown, 99 Other, absent) the `severity` caption, when it is a label.
pub fn ocsf_severity(finding: &Value) -> Option<SeverityLabel> {
    match integer(finding, "/severity_id") {
        Some(1) => Some(SeverityLabel::Informational),
        Some(2) => Some(SeverityLabel::Low),
        Some(3) => Some(SeverityLabel::Medium),
        Some(4) => Some(SeverityLabel::High),
        Some(5 | 6) => Some(SeverityLabel::Critical),
        _ => text(finding, "/severity").and_then(|caption| {
            if caption.eq_ignore_ascii_case("fatal") {
                Some(SeverityLabel::Critical)
            } else {
                SeverityLabel::parse(caption)
            }
        }),
    }
}

/// An OCSF time: a `*_dt` datetime as it is, or a `timestamp_t` (Unix milliseconds) as RFC 3339.
fn ocsf_time(finding: &Value) -> Option<String> {
    for (datetime, millis) in
        [("/finding_info/modified_time_dt", "/finding_info/modified_time"), ("/time_dt", "/time")]
    {
        if let Some(at) = text(finding, datetime) {
            return Some(at.to_owned());
        }
        if let Some(at) = integer(finding, millis).and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok()) {
            return Some(at.to_string());
        }
    }
    None
}

/// The compliance status of an OCSF finding: `Some(true)` failing, `Some(false)` passing, `None` neither
/// (warning, unknown, or no compliance object).
fn ocsf_failing(finding: &Value) -> Option<bool> {
    match integer(finding, "/compliance/status_id") {
        Some(3) => Some(true),
        Some(1) => Some(false),
        Some(_) => None,
        None => match text(finding, "/compliance/status")?.to_ascii_lowercase().as_str() {
            "fail" | "failed" => Some(true),
            "pass" | "passed" => Some(false),
            _ => None,
        },
    }
}

/// One OCSF finding: an alert, a finding passing again, or nothing (see the module doc).
fn ocsf_finding(finding: &Value, region: &str, filter: &Filter, account: &Account) -> Option<Read> {
    let id = text(finding, "/finding_info/uid")?;
    let closed = integer(finding, "/activity_id") == Some(OCSF_CLOSE)
        || text(finding, "/activity_name").is_some_and(|name| name.eq_ignore_ascii_case("close"));
    let failing = ocsf_failing(finding)?;
    if closed {
        return None;
    }
    let finding_account = text(finding, "/cloud/account/uid");
    let resources: Vec<&str> = finding
        .get("resources")
        .and_then(Value::as_array)
        .map(|resources| resources.iter().filter_map(|resource| text(resource, "/uid")).collect())
        .unwrap_or_default();
    let finding_region = text(finding, "/cloud/region")
        .or_else(|| finding.pointer("/resources/0").and_then(|resource| text(resource, "/region")))
        .unwrap_or(region);
    let control = text(finding, "/compliance/control");
    let print = fingerprint(finding_account.or(account.id.as_deref()), finding_region, control, &resources);
    if !failing {
        let event = Event::alert(format!("security-hub:{id}"), "security-hub", id);
        let candidate = Candidate { item: id.to_owned(), level: 0.0, event, resolved: true };
        return Some(Read { candidate, fingerprint: print });
    }
    let label = ocsf_severity(finding);
    let severe_enough = filter.min_severity.is_none_or(|min| label.is_some_and(|label| label >= min));
    let adopted = control.is_none_or(|control| !filter.not_adopted.contains(control));
    let excepted = filter.excepted(finding_account, finding_region, control, &resources);
    if !severe_enough || !adopted || excepted {
        return None;
    }
    let mut event = Event::alert(
        format!("security-hub:{id}"),
        "security-hub",
        text(finding, "/finding_info/title").unwrap_or(id),
    );
    event.account_id = finding_account.map(str::to_owned).or_else(|| account.id.clone());
    event.account_alias = account.alias.clone();
    event.region = Some(finding_region.to_owned());
    event.severity = label.map(|label| Severity::label(label.as_str()));
    event.description = text(finding, "/finding_info/desc").map(str::to_owned);
    event.link = Some(
        text(finding, "/finding_info/src_url")
            .filter(|url| url.starts_with("https://"))
            .map_or_else(|| console_link(region, id), str::to_owned),
    );
    event.time = ocsf_time(finding);
    let candidate = Candidate { item: id.to_owned(), level: 0.0, event, resolved: false };
    Some(Read { candidate, fingerprint: print })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ocsf_severity_prefers_the_id_and_reads_fatal_as_critical() {
        let cases = [
            (
                serde_json::json!({"severity_id": 1, "severity": "Informational"}),
                Some(SeverityLabel::Informational),
            ),
            (serde_json::json!({"severity_id": 2}), Some(SeverityLabel::Low)),
            (serde_json::json!({"severity_id": 3, "severity": "Medium"}), Some(SeverityLabel::Medium)),
            (serde_json::json!({"severity_id": 4, "severity": "High"}), Some(SeverityLabel::High)),
            (serde_json::json!({"severity_id": 5, "severity": "Critical"}), Some(SeverityLabel::Critical)),
            (serde_json::json!({"severity_id": 6, "severity": "Fatal"}), Some(SeverityLabel::Critical)),
            (serde_json::json!({"severity_id": 99, "severity": "High"}), Some(SeverityLabel::High)),
            (serde_json::json!({"severity_id": 99, "severity": "Fatal"}), Some(SeverityLabel::Critical)),
            (serde_json::json!({"severity_id": 0, "severity": "Unknown"}), None),
            (serde_json::json!({}), None),
        ];
        for (finding, label) in cases {
            assert_eq!(ocsf_severity(&finding), label, "{finding}");
        }
    }

    #[test]
    fn ocsf_times_are_rfc_3339() {
        let dt = serde_json::json!({"finding_info": {"modified_time_dt": "2026-11-02T01:00:00.000Z", "modified_time": 1}});
        assert_eq!(ocsf_time(&dt).as_deref(), Some("2026-11-02T01:00:00.000Z"));
        let ms = serde_json::json!({"finding_info": {"modified_time": 1_793_581_200_000_i64}});
        assert_eq!(ocsf_time(&ms).as_deref(), Some("2026-11-02T01:00:00Z"));
        let event_time = serde_json::json!({"time": 1_793_581_200_000_i64});
        assert_eq!(ocsf_time(&event_time).as_deref(), Some("2026-11-02T01:00:00Z"));
        assert_eq!(ocsf_time(&serde_json::json!({})), None);
    }

    #[test]
    fn ocsf_compliance_status_reads_the_id_then_the_caption() {
        let status = |finding: Value| ocsf_failing(&finding);
        assert_eq!(status(serde_json::json!({"compliance": {"status_id": 3, "status": "Fail"}})), Some(true));
        assert_eq!(status(serde_json::json!({"compliance": {"status_id": 1}})), Some(false));
        assert_eq!(status(serde_json::json!({"compliance": {"status_id": 2, "status": "Warning"}})), None);
        assert_eq!(status(serde_json::json!({"compliance": {"status": "FAIL"}})), Some(true));
        assert_eq!(
            status(serde_json::json!({"finding_info": {"uid": "x"}})),
            None,
            "not a compliance finding"
        );
    }
}
