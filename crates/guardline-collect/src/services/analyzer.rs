//! IAM Access Analyzer, per region: the analyzers (ANALYZER-001) and the ACTIVE findings of each ACTIVE
//! external-access analyzer (ANALYZER-002).
//!
//! `access-analyzer:ListAnalyzers` (every page), then for each ACTIVE analyzer of type `ACCOUNT` or
//! `ORGANIZATION`, `access-analyzer:ListFindings` with the filter `status = ACTIVE` (every page); a failing
//! `ListFindings` is that analyzer's `active_findings` error only. Other analyzers (unused-access ones, or
//! ones still being created) get a `NotCollected` reason instead of findings: no rule reads them.
//!
//! moto 5.2.5 has no Access Analyzer backend at all (every call is a 500), so on moto the field is always
//! an error; [`collect_with`] takes the client so that tests can mock the service.

use std::collections::BTreeMap;

use aws_config::SdkConfig;
use aws_sdk_accessanalyzer::Client;
use aws_sdk_accessanalyzer::types::{AnalyzerSummary, Criterion, FindingSummary};
use futures::future::join_all;
use guardline_model::inventory::detection::{Analyzer, AnalyzerFinding};
use guardline_model::{CollectError, Collected, ErrorKind};

use super::RegionPart;
use crate::cx::Cx;

/// The analyzers of one region.
pub async fn collect(cx: &Cx, config: &SdkConfig, region: &str) -> RegionPart {
    collect_with(cx, &Client::new(config), region).await
}

/// [`collect`] with a given client (tests pass a mocked one).
pub async fn collect_with(cx: &Cx, client: &Client, _region: &str) -> RegionPart {
    let analyzers: Collected<_> = analyzers(cx, client).await.into();
    Box::new(move |inventory| inventory.access_analyzers = analyzers)
}

async fn analyzers(cx: &Cx, client: &Client) -> Result<Vec<Analyzer>, CollectError> {
    let summaries = cx
        .call(
            "access-analyzer:ListAnalyzers",
            client.list_analyzers().into_paginator().items().send().collect::<Result<Vec<_>, _>>(),
        )
        .await?;
    Ok(join_all(summaries.iter().map(|summary| analyzer(cx, client, summary))).await)
}

async fn analyzer(cx: &Cx, client: &Client, summary: &AnalyzerSummary) -> Analyzer {
    let mut analyzer = Analyzer {
        arn: summary.arn().to_owned(),
        name: summary.name().to_owned(),
        analyzer_type: summary.r#type().as_str().to_owned(),
        status: summary.status().as_str().to_owned(),
        active_findings: Collected::default(),
    };
    analyzer.active_findings = if analyzer.finds_external_access() && analyzer.status == "ACTIVE" {
        active_findings(cx, client, &analyzer.arn).await.into()
    } else {
        Collected::error(CollectError {
            action: "access-analyzer:ListFindings".to_owned(),
            kind: ErrorKind::NotCollected,
            code: None,
            message: format!(
                "not listed: only ACTIVE external-access analyzers are (this one is {} {})",
                analyzer.status, analyzer.analyzer_type
            ),
        })
    };
    analyzer
}

/// `access-analyzer:ListFindings` with `status = ACTIVE`, every page.
async fn active_findings(cx: &Cx, client: &Client, arn: &str) -> Result<Vec<AnalyzerFinding>, CollectError> {
    let findings = cx
        .call(
            "access-analyzer:ListFindings",
            client
                .list_findings()
                .analyzer_arn(arn)
                .filter("status", Criterion::builder().eq("ACTIVE").build())
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>(),
        )
        .await?;
    Ok(findings.iter().filter(|finding| finding.status().as_str() == "ACTIVE").map(finding).collect())
}

fn finding(finding: &FindingSummary) -> AnalyzerFinding {
    let principal: BTreeMap<String, String> = finding
        .principal()
        .map(|principal| principal.iter().map(|(key, value)| (key.clone(), value.clone())).collect())
        .unwrap_or_default();
    AnalyzerFinding {
        id: finding.id().to_owned(),
        resource: finding.resource().map(str::to_owned),
        resource_type: finding.resource_type().as_str().to_owned(),
        is_public: finding.is_public().unwrap_or(false),
        principal,
        actions: finding.action().to_vec(),
    }
}
