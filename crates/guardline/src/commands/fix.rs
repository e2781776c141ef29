//! `guardline fix`: scan (read-only), plan the automated fixes of the failing controls, show the plan with the
//! target account, and apply it only with `--apply` on the pinned account.
//!
//! The scan and the writes share one SDK config ([`AwsSession`]); after the confirmation the writing
//! identity is checked again and pinned to the scanned account, so credentials that change while Guardline
//! runs (a re-read profile, `credential_process`, an SSO refresh) can never apply one account's plan to
//! another. `--plan-out` saves the plan for review and `--apply-plan` applies exactly that plan
//! ([`super::saved_plan`]).

use std::io::Write;

use anyhow::Context as _;
use guardline_apply::fix::{ApplyReport, Outcome, StepResult};
use guardline_config::{LiveAccount, PinMatch};
use guardline_model::Snapshot;
use guardline_rules::fix::FixPlan;

use crate::args::{FixArgs, Format};
use crate::commands::saved_plan::SavedPlan;
use crate::commands::scan::{DEMO_CONFIG, DEMO_SNAPSHOT};
use crate::commands::write_guard::{check_pin, confirm, pin_line, pin_or_refusal, target_line};
use crate::commands::{AwsSession, collect_options, config_path, known_controls, load_config};
use crate::lang::tr;

pub fn run(args: FixArgs) -> anyhow::Result<bool> {
    if args.org.org {
        return super::fix_org::run(args);
    }
    if args.demo {
        return demo(&args);
    }
    let config = load_config(config_path(args.config.as_deref()).as_deref())?;
    let (saved, only, options) = reviewed(&args, "fix", &config)?;
    // One SDK config reads and writes: the write is made with the credentials the scan identified.
    let session = AwsSession::connect(&args.aws, options)?;
    let snapshot = session.collect(&args.aws)?.snapshot;
    let today = jiff::ZonedDateTime::now().date();
    let evaluation = guardline_rules::evaluate(&snapshot, &config, today);
    let mut plan = guardline_rules::fix::plan(&snapshot, &config, &evaluation, only.as_deref());
    let live = LiveAccount { id: snapshot.account.id.clone(), alias: evaluation.account_alias.clone() };
    let mut unreviewed = Vec::new();
    if let Some(saved) = &saved {
        saved.check_account(&live)?;
        unreviewed = keep_reviewed_steps(&mut plan, &saved.body)?;
    }
    let pin = check_pin(&config, &live, &args.write, plan.alias_created());
    let lang = args.lang.code();
    show(&args, &live, &pin, &plan, lang)?;
    if let Some(saved) = &saved {
        let path = args.apply_plan.as_deref().map(|path| path.display().to_string()).unwrap_or_default();
        let made = saved.created_at.strftime("%Y-%m-%d %H:%M:%S UTC");
        let (version, steps) = (&saved.guardline_version, plan.steps.len());
        print(&tr!(
            lang,
            "\nThe reviewed plan {path} (made {made} by Guardline {version}) still applies: each of its {steps} \
             step(s) is what the live state calls for now.\n",
            "\nレビュー済みのプラン {path}({made} に Guardline {version} で作成)はまだ適用できます: \
             その {steps} 個のステップはどれも、現在の状態が必要とするものです。\n"
        ))?;
        if !unreviewed.is_empty() {
            let unreviewed = unreviewed.join("; ");
            print(&tr!(
                lang,
                "Not in the reviewed plan, so not applied (make and review a new plan for them): {unreviewed}\n",
                "レビュー済みのプランにないため適用しません(新しいプランを作成してレビューしてください): {unreviewed}\n"
            ))?;
        }
    }
    if let Some(path) = &args.plan_out {
        let regions = snapshot.regions.keys().cloned().collect();
        SavedPlan::new("fix", &live, regions, plan_body(&plan, only.as_deref())).write(path)?;
    }

    if !args.write.apply {
        return Ok(true);
    }
    let pin = pin?;
    if plan.steps.is_empty() {
        print(&tr!(
            lang,
            "Nothing to do: no failing control has an automated fix to apply.\n",
            "することはありません: 不合格のコントロールに適用できる自動修正はありません。\n"
        ))?;
        return Ok(true);
    }
    let steps = plan.steps.len();
    confirm(&args.write, &live, &tr!(lang, "Apply {steps} change(s)", "{steps} 件の変更を適用します"), lang)?;
    // The identity that writes, checked again after the confirmation: the account the plan was made for.
    let (writer, _) = session.writer(&live.id)?;
    tracing::info!(account = %live, pin = ?pin, "applying the fix plan");
    let report = session.runtime.block_on(guardline_apply::fix::apply(&writer, &plan, |index, outcome| {
        let _ = print(&step_line(&plan, index, outcome, lang));
    }));
    print(&render_report(&plan, &report, lang))?;
    if !report.failed.is_empty() {
        let failed: Vec<String> = report
            .failed
            .iter()
            .map(|(index, _)| format!("step {} ({})", index + 1, plan.steps[*index].control))
            .collect();
        anyhow::bail!("{} failed", failed.join(", "));
    }
    Ok(true)
}

/// `fix --demo`: the bundled demo account's plan; it never applies.
fn demo(args: &FixArgs) -> anyhow::Result<bool> {
    let only = checked_only(&args.only)?;
    let config = guardline_config::parse(DEMO_CONFIG, "demo/guardline.toml", &known_controls())
        .map_err(|errors| anyhow::anyhow!("the bundled demo config is invalid\n{errors}"))?;
    let snapshot = Snapshot::from_json(DEMO_SNAPSHOT).context("the bundled demo snapshot")?;
    let today = snapshot.collected_at.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    let evaluation = guardline_rules::evaluate(&snapshot, &config, today);
    let plan = guardline_rules::fix::plan(&snapshot, &config, &evaluation, only.as_deref());
    let live = LiveAccount { id: snapshot.account.id.clone(), alias: evaluation.account_alias.clone() };
    let pin = check_pin(&config, &live, &args.write, plan.alias_created());
    show(args, &live, &pin, &plan, args.lang.code())?;
    Ok(true)
}

/// Prints the plan in `--format`.
fn show(
    args: &FixArgs,
    live: &LiveAccount,
    pin: &anyhow::Result<PinMatch>,
    plan: &FixPlan,
    lang: &str,
) -> anyhow::Result<()> {
    let mut out = String::new();
    if args.format == Format::Json {
        let json = serde_json::json!({
            "target": {"account_id": live.id, "account_alias": live.alias},
            "pin": match pin { Ok(matched) => pin_line(matched, "en"), Err(error) => format!("{error:#}") },
            "plan": plan,
            "calls": plan.steps.iter().map(|step| step.action.calls()).collect::<Vec<_>>(),
        });
        out.push_str(&serde_json::to_string_pretty(&json)?);
        out.push('\n');
    } else {
        render_plan(&mut out, live, pin, plan, args.write.apply, lang);
    }
    print(&out)
}

/// The saved plan's own part: the steps as reviewed (each with its number and API calls), what was blocked
/// or manual, and `--only`, so that applying it re-plans the same controls.
pub(crate) fn plan_body(plan: &FixPlan, only: Option<&[String]>) -> serde_json::Value {
    let steps: Vec<serde_json::Value> = plan
        .steps
        .iter()
        .enumerate()
        .map(|(index, step)| {
            let mut value = serde_json::to_value(step).expect("a plan serialises");
            value["number"] = serde_json::Value::from(index + 1);
            value["calls"] = serde_json::json!(step.action.calls());
            value
        })
        .collect();
    serde_json::json!({
        "only": only,
        "steps": steps,
        "blocked": plan.blocked,
        "manual": plan.manual,
    })
}

/// What a `fix` run re-plans from: the reviewed plan of `kind` (`--apply-plan`), the controls (`--only`, or
/// the reviewed plan's) and the collection options (over the reviewed plan's regions).
pub(crate) fn reviewed(
    args: &FixArgs,
    kind: &str,
    config: &guardline_config::Config,
) -> anyhow::Result<(Option<SavedPlan>, Option<Vec<String>>, guardline_collect::CollectOptions)> {
    let saved = match &args.apply_plan {
        Some(path) => Some(SavedPlan::read(path, kind, args.max_plan_age)?),
        None => None,
    };
    let only = match &saved {
        Some(saved) => saved_only(&saved.body)?,
        None => checked_only(&args.only)?,
    };
    let mut options = collect_options(&args.aws, config);
    if let Some(saved) = &saved {
        options.regions = Some(saved.regions.clone());
    }
    Ok((saved, only, options))
}

/// `--only` as the saved plan's `body` recorded it.
fn saved_only(body: &serde_json::Value) -> anyhow::Result<Option<Vec<String>>> {
    match &body["only"] {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::Array(ids) => {
            let ids: Vec<String> = ids.iter().filter_map(|id| id.as_str().map(str::to_owned)).collect();
            checked_only(&ids)
        }
        _ => anyhow::bail!("refused, nothing was changed: the plan's \"only\" is not a list of control IDs"),
    }
}

/// What identifies a step: its control, region and action (with every value it would write). The findings
/// that caused it are shown, not compared: their wording may change while the change itself does not.
fn step_key(step: &serde_json::Value) -> serde_json::Value {
    serde_json::json!([step["control"], step["region"], step["action"]])
}

/// Narrows the fresh `plan` to the steps of the reviewed plan `body` (a saved plan's, or one account's of a
/// saved organisation plan), in the reviewed order. Refuses, naming each step and why, when a reviewed step
/// is not what the live state calls for now (its preconditions drifted). Returns the fresh steps that were
/// not reviewed (they are left out).
pub(crate) fn keep_reviewed_steps(
    plan: &mut FixPlan,
    body: &serde_json::Value,
) -> anyhow::Result<Vec<String>> {
    let reviewed = body["steps"]
        .as_array()
        .ok_or_else(|| anyhow::anyhow!("refused, nothing was changed: the plan has no list of steps"))?;
    let fresh: Vec<serde_json::Value> =
        plan.steps.iter().map(|step| serde_json::to_value(step).expect("a plan serialises")).collect();
    let mut order = Vec::new();
    let mut drifted = Vec::new();
    for (number, step) in reviewed.iter().enumerate() {
        let name = format!(
            "step {} ({} {})",
            number + 1,
            step["control"].as_str().unwrap_or("?"),
            step["region"].as_str().unwrap_or("?")
        );
        match fresh.iter().position(|candidate| step_key(candidate) == step_key(step)) {
            Some(index) if !order.contains(&index) => order.push(index),
            Some(_) => drifted.push(format!("{name}: listed twice")),
            None => {
                let same_place = fresh.iter().position(|candidate| {
                    candidate["control"] == step["control"] && candidate["region"] == step["region"]
                });
                drifted.push(match same_place {
                    Some(index) => format!(
                        "{name}: planned \"{}\", but the live state now calls for \"{}\"",
                        step["action"], fresh[index]["action"]
                    ),
                    None => format!(
                        "{name}: the live state no longer calls for it (the control passes there now, is \
                         excepted, or could not be evaluated)"
                    ),
                });
            }
        }
    }
    if !drifted.is_empty() {
        anyhow::bail!(
            "refused, nothing was changed: the account changed since the plan was made:\n{}\nMake and review a \
             new plan.",
            drifted.iter().map(|line| format!("  - {line}")).collect::<Vec<_>>().join("\n")
        );
    }
    let unreviewed: Vec<String> = (0..plan.steps.len())
        .filter(|index| !order.contains(index))
        .map(|index| format!("{} {}", plan.steps[index].control, plan.steps[index].region))
        .collect();
    let steps = std::mem::take(&mut plan.steps);
    let mut kept: Vec<guardline_rules::fix::FixStep> =
        order.iter().map(|&index| steps[index].clone()).collect();
    for step in &mut kept {
        step.after =
            step.after.iter().filter_map(|old| order.iter().position(|index| index == old)).collect();
    }
    plan.steps = kept;
    Ok(unreviewed)
}

/// `--only` as canonical control IDs; an unknown ID is an error, not a silent empty plan.
pub(crate) fn checked_only(only: &[String]) -> anyhow::Result<Option<Vec<String>>> {
    if only.is_empty() {
        return Ok(None);
    }
    let known = known_controls();
    let mut ids = Vec::new();
    for id in only {
        let Some(rule) = guardline_rules::find_rule(id) else {
            if known.iter().any(|known| known.eq_ignore_ascii_case(id)) {
                anyhow::bail!("--only {id}: this control is not checked by this version yet");
            }
            anyhow::bail!("--only {id}: no such control (`guardline rule` lists them)");
        };
        ids.push(rule.id.to_owned());
    }
    Ok(Some(ids))
}

pub(crate) fn print(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout();
    stdout.write_all(text.as_bytes()).context("writing to stdout")?;
    stdout.flush().context("writing to stdout")
}

fn render_plan(
    out: &mut String,
    live: &LiveAccount,
    pin: &anyhow::Result<PinMatch>,
    plan: &FixPlan,
    applying: bool,
    lang: &str,
) {
    out.push_str(&target_line(live, lang));
    out.push('\n');
    out.push_str(&pin_or_refusal(pin, lang));
    out.push_str("\n\n");
    render_steps(out, plan, applying, HowTo::Inline, lang);
}

/// The plan's body in `lang`: the steps with their calls, causes and order, what the config blocks, and
/// what other commands or people fix.
pub(crate) fn render_steps(out: &mut String, plan: &FixPlan, applying: bool, how_to: HowTo, lang: &str) {
    if plan.steps.is_empty() {
        out.push_str(&tr!(lang, "No automated fix to apply.\n", "適用できる自動修正はありません。\n"));
    } else {
        let controls: std::collections::BTreeSet<&str> = plan.steps.iter().map(|step| step.control).collect();
        let (steps, controls) = (plan.steps.len(), controls.len());
        out.push_str(&if applying {
            tr!(
                lang,
                "Plan: {steps} change(s) for {controls} control(s)\n",
                "プラン: {controls} 個のコントロールに {steps} 件の変更\n"
            )
        } else {
            tr!(
                lang,
                "Plan: {steps} change(s) for {controls} control(s); nothing is changed without --apply\n",
                "プラン: {controls} 個のコントロールに {steps} 件の変更。--apply なしでは何も変更しません\n"
            )
        });
        let [calls, because, after] =
            if lang == "ja" { ["呼び出し", "理由", "順序"] } else { ["calls", "because", "after"] };
        for (index, step) in plan.steps.iter().enumerate() {
            out.push_str(&format!(
                "\n  {}. {} [{}] {}: {}\n",
                index + 1,
                step.control,
                step.fix.label_in(lang),
                step.region,
                step.action.describe().get(lang)
            ));
            out.push_str(&format!("     {calls}: {}\n", step.action.calls().join(", ")));
            for reason in &step.because {
                out.push_str(&format!("     {because}: {}\n", reason.get(lang)));
            }
            for before in &step.after {
                let (number, control) = (before + 1, plan.steps[*before].control);
                out.push_str(&format!(
                    "     {after}: {}\n",
                    tr!(
                        lang,
                        "step {number} ({control}); skipped if that step fails",
                        "ステップ {number}({control})の後。そのステップが失敗したらスキップします"
                    )
                ));
            }
        }
    }
    if !plan.covered.is_empty() {
        out.push_str(&tr!(
            lang,
            "\nDone for the organisation instead (see the organisation-wide steps):\n",
            "\n組織全体のステップで代わりに行います:\n"
        ));
        for covered in &plan.covered {
            let (control, region, by) = (covered.control, &covered.region, covered.by.get(lang));
            out.push_str(&format!("  {control} {region}: {by}\n"));
        }
    }
    if !plan.blocked.is_empty() {
        out.push_str(&tr!(
            lang,
            "\nNot planned, the config lacks a value:\n",
            "\n設定ファイルに値がないため計画していません:\n"
        ));
        for blocked in &plan.blocked {
            let (control, region, missing) = (blocked.control, &blocked.region, blocked.missing.get(lang));
            out.push_str(&tr!(
                lang,
                "  {control} {region}: needs {missing}\n",
                "  {control} {region}: {missing} が必要です\n"
            ));
        }
    }
    // A control another Guardline command fixes (SCHED-001: `guardline schedule apply`) is pointed there,
    // not to the hand-written steps of its documentation.
    let (by_command, by_hand): (Vec<_>, Vec<_>) = plan.manual.iter().partition(|manual| {
        guardline_rules::find_rule(manual.control).is_some_and(|rule| rule.remedy.command.is_some())
    });
    if !by_command.is_empty() {
        out.push_str(&tr!(
            lang,
            "\nFixed by another Guardline command:\n",
            "\n別の Guardline コマンドで直すもの:\n"
        ));
        for manual in by_command {
            let Some(rule) = guardline_rules::find_rule(manual.control) else { continue };
            let (control, title, failing) = (manual.control, manual.title.get(lang), manual.failing);
            let (remedy, command) = (rule.remedy.get(lang), rule.remedy.command.unwrap_or_default());
            out.push_str(&tr!(
                lang,
                "\n  {control} {title} ({failing} failing)\n    {remedy}: `{command}` plans it, `{command} --apply` installs it\n",
                "\n  {control} {title}(不合格 {failing} 件)\n    {remedy}: `{command}` で計画を表示し、`{command} --apply` で導入します\n"
            ));
        }
    }
    if !by_hand.is_empty() {
        out.push_str(&tr!(
            lang,
            "\nManual only: a person must do these (the whole explanation: `guardline rule ID`):\n",
            "\n手動のみ: 次は人が行う必要があります(説明の全体: `guardline rule ID --lang ja`):\n"
        ));
        for manual in by_hand {
            let (control, title, failing) = (manual.control, manual.title.get(lang), manual.failing);
            out.push_str(&tr!(
                lang,
                "\n  {control} {title} ({failing} failing)\n",
                "\n  {control} {title}(不合格 {failing} 件)\n"
            ));
            if how_to == HowTo::Inline {
                push_how_to(out, manual.control, lang);
            }
        }
    }
}

/// Where a plan's manual-only controls get their "How to fix" steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HowTo {
    /// Under each control (one account's plan).
    Inline,
    /// Once at the end, for every account (the organisation's plan).
    Later,
}

/// The "How to fix" steps of `control`, indented under its line.
pub(crate) fn push_how_to(out: &mut String, control: &str, lang: &str) {
    if let Some(rule) = guardline_rules::find_rule(control) {
        for line in how_to_fix(&rule.explanation_in(lang), lang).lines() {
            out.push_str(format!("    {line}").trim_end());
            out.push('\n');
        }
    }
}

/// The "How to fix" section of a rule's documentation in `lang`.
fn how_to_fix<'a>(explanation: &'a str, lang: &str) -> &'a str {
    let heading = format!("{}\n", guardline_rules::docs::how_to_fix_heading(lang));
    let Some((_, rest)) = explanation.split_once(&heading) else { return "" };
    rest.split("\n## ").next().unwrap_or_default().trim()
}

pub(crate) fn step_line(plan: &FixPlan, index: usize, outcome: &Outcome, lang: &str) -> String {
    let step = &plan.steps[index];
    let (number, control, region) = (index + 1, step.control, &step.region);
    match outcome {
        Outcome::Done(StepResult::Changed { writes }) => {
            let writes = writes.join("; ");
            tr!(
                lang,
                "  done    {number}. {control} {region}: {writes}\n",
                "  完了    {number}. {control} {region}: {writes}\n"
            )
        }
        Outcome::Done(StepResult::AlreadyDone) => tr!(
            lang,
            "  done    {number}. {control} {region}: already in place, nothing changed\n",
            "  完了    {number}. {control} {region}: 設定済みのため何も変更していません\n"
        ),
        Outcome::Failed(error) => {
            tr!(
                lang,
                "  FAILED  {number}. {control} {region}: {error}\n",
                "  失敗    {number}. {control} {region}: {error}\n"
            )
        }
        Outcome::Skipped { because_of } => {
            let (cause, cause_control) = (because_of + 1, plan.steps[*because_of].control);
            tr!(
                lang,
                "  SKIPPED {number}. {control} {region}: it needs step {cause} ({cause_control}), which did not succeed\n",
                "  スキップ {number}. {control} {region}: 成功しなかったステップ {cause}({cause_control})が必要です\n"
            )
        }
    }
}

pub(crate) fn render_report(plan: &FixPlan, report: &ApplyReport, lang: &str) -> String {
    let changed =
        report.done.iter().filter(|(_, result)| matches!(result, StepResult::Changed { .. })).count();
    let in_place = report.done.len() - changed;
    let (done, total) = (report.done.len(), plan.steps.len());
    let mut out = tr!(
        lang,
        "\nApplied {done} of {total} step(s): {changed} changed, {in_place} already in place.\n",
        "\n{total} ステップ中 {done} ステップを適用しました: 変更 {changed}、設定済み {in_place}。\n"
    );
    if report.failed.is_empty() {
        out.push_str(&tr!(
            lang,
            "Run `guardline scan` to confirm that the fixed controls pass.\n",
            "`guardline scan` を実行して、修正したコントロールが合格することを確認してください。\n"
        ));
        return out;
    }
    for (index, error) in &report.failed {
        let (number, control) = (index + 1, plan.steps[*index].control);
        out.push_str(&tr!(
            lang,
            "Step {number} ({control}) failed: {error}\n",
            "ステップ {number}({control})が失敗しました: {error}\n"
        ));
    }
    for (index, cause) in &report.skipped {
        let (number, control) = (index + 1, plan.steps[*index].control);
        let (cause, cause_control) = (cause + 1, plan.steps[*cause].control);
        out.push_str(&tr!(
            lang,
            "Step {number} ({control}) was skipped because step {cause} ({cause_control}) failed.\n",
            "ステップ {cause}({cause_control})が失敗したため、ステップ {number}({control})をスキップしました。\n"
        ));
    }
    out.push_str(&tr!(
        lang,
        "What was done stays done: fix the cause and run `guardline fix` again to finish the rest.\n",
        "完了した変更はそのまま残ります: 原因を直し、もう一度 `guardline fix` を実行して残りを済ませてください。\n"
    ));
    out
}
