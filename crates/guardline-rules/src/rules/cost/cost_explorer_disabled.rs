//! COST-001.

use guardline_model::{Section, Severity};

use crate::context::GLOBAL;
use crate::{Context, Findings, FixAvailability};

declare_rule! {
    /// ## What it checks
    /// That Cost Explorer is enabled for the account: Guardline asks it for the account's cost
    /// (`ce:GetCostAndUsage`), and the control fails when Cost Explorer answers that it is not enabled.
    ///
    /// ## Why it matters
    /// An unexpected bill is an incident too: a forgotten instance, a service nobody meant to start, a leaked
    /// key mining cryptocurrency. Cost Explorer is where spend is broken down by service, region and tag to
    /// find the cause, and `guardline cost` reads it. It takes up to a day to prepare its data after it is
    /// enabled, so enable it before the day you need it.
    ///
    /// ## Guideline
    /// 1-1 (enable Cost Explorer, to be ready to examine and analyse costs precisely).
    ///
    /// ## How to fix
    /// Cost Explorer has no API to enable it: open Billing and Cost Management, choose Cost Explorer and
    /// launch it (in an organization, the management account enables it for every member). Then check
    /// that it answers:
    ///
    /// ```sh
    /// aws ce get-cost-and-usage --time-period Start=2026-11-01,End=2026-11-28 \
    ///   --granularity MONTHLY --metrics UnblendedCost
    /// ```
    ///
    /// ## Fix safety
    /// Manual only: it can only be enabled in the console. Enabling it changes nothing for workloads; the
    /// console use is free, API queries cost a small fee per request.
    ///
    /// ## References
    /// - No CIS AWS Foundations or AWS FSBP control
    /// - AWS Cost Management User Guide: "Enabling Cost Explorer"
    pub static RULE = {
        id: "COST-001",
        name: "cost-explorer-disabled",
        title: "Cost Explorer is enabled",
        title_ja: "コストエクスプローラが有効である",
        section: Section::Cost,
        item: "1-1",
        severity: Severity::Low,
        fix: FixAvailability::ManualOnly,
        data: &["ce:GetCostAndUsage"],
        check: check,
        plan: None,
    }
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    let account = cx.account_arn();
    let status = match cx.snapshot.global.cost_explorer.get() {
        Ok(status) => status,
        Err(error) => {
            out.not_evaluated(GLOBAL, account, error);
            return;
        }
    };
    if status.enabled {
        out.pass(
            GLOBAL,
            account,
            text!(
                "cost data is available: Cost Explorer answered a cost query",
                "コストエクスプローラが有効で、コストのクエリに応答しました"
            ),
        );
        return;
    }
    let detail = status.detail.trim().trim_end_matches('.');
    let (detail_en, detail_ja) = if detail.is_empty() {
        (String::new(), String::new())
    } else {
        (format!(" ({detail})"), format!(" ({detail})"))
    };
    out.fail(
        GLOBAL,
        account,
        text!(
            "cost data is unavailable: Cost Explorer is not enabled{detail_en}",
            "コストエクスプローラが有効化されていないため、コストを分析できません{detail_ja}"
        ),
    );
}
