//! EC2-001.

use guardline_model::{Section, Severity};

use crate::{Context, Findings, FixAvailability};

declare_rule! {
    /// ## What it checks
    /// Every security group in every scanned region: no ingress permission may admit `0.0.0.0/0` or `::/0` to
    /// an administration port (by default TCP 22 for SSH and 3389 for RDP; the profile's `admin-ports`) or to
    /// all ports.
    ///
    /// ## Why it matters
    /// Port scans find an SSH or RDP port open to the internet within minutes, and brute-force attempts follow.
    /// The guideline connects to instances through Session Manager (4-2) instead, so no admin port needs to be
    /// open at all; AWS Config rules (2-3) and Security Hub (2-5) flag the same state.
    ///
    /// ## Guideline
    /// 2-3 (AWS Config: "a security group allows access from every IP") and 2-5 (Security Hub).
    ///
    /// ## How to fix
    /// Remove the world-open permission and connect with Session Manager, or narrow the source to the
    /// addresses that need it:
    ///
    /// ```sh
    /// aws ec2 revoke-security-group-ingress --group-id sg-0123 --protocol tcp --port 22 --cidr 0.0.0.0/0
    /// ```
    ///
    /// ## Fix safety
    /// Manual only: someone may still connect through that port; find out who before revoking it.
    ///
    /// ## References
    /// - CIS AWS Foundations 5.2, 5.3 (no ingress from 0.0.0.0/0 or ::/0 to remote administration ports)
    /// - AWS FSBP EC2.13, EC2.14, EC2.53, EC2.54
    pub static RULE = {
        id: "EC2-001",
        name: "security-group-open-to-world",
        title: "No admin port is open to the world",
        title_ja: "管理用ポートが全世界に公開されていない",
        section: Section::Security,
        item: "2-3",
        severity: Severity::High,
        fix: FixAvailability::ManualOnly,
        data: &["ec2:DescribeSecurityGroups"],
        check: check,
        plan: None,
    }
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    for (region, inventory) in cx.regions() {
        let groups = match inventory.security_groups.get() {
            Ok(groups) => groups,
            Err(error) => {
                out.not_evaluated(region, cx.arn("ec2", region, "security-group/*"), error);
                continue;
            }
        };
        for group in groups {
            let mut openings = Vec::new();
            let mut openings_ja = Vec::new();
            for permission in &group.ingress {
                let sources = permission.world_sources();
                if sources.is_empty() {
                    continue;
                }
                let (what, what_ja) = if permission.all_traffic() {
                    ("all traffic".to_owned(), "すべての通信".to_owned())
                } else if permission.all_ports() {
                    let protocol = permission.protocol.to_uppercase();
                    (format!("all {protocol} ports"), format!("{protocol} の全ポート"))
                } else {
                    let ports: Vec<String> = cx
                        .params
                        .admin_ports
                        .iter()
                        .filter(|port| permission.admits_tcp_port(i32::from(**port)))
                        .map(ToString::to_string)
                        .collect();
                    if ports.is_empty() {
                        continue;
                    }
                    let ports = ports.join(", ");
                    (format!("TCP port {ports}"), format!("TCP ポート {ports}"))
                };
                let sources = sources.join(" and ");
                openings.push(format!("{what} from {sources}"));
                openings_ja.push(format!("{sources} から {what_ja}"));
            }
            let name = format!("{} ({})", group.id, group.name);
            if openings.is_empty() {
                out.pass(
                    region,
                    &group.arn,
                    text!(
                        "security group {name} opens no admin port to the world",
                        "セキュリティグループ {name} は管理用ポートを全世界に公開していません"
                    ),
                );
            } else {
                let openings = openings.join("; ");
                let openings_ja = openings_ja.join("、");
                out.fail(
                    region,
                    &group.arn,
                    text!(
                        "security group {name} allows {openings}",
                        "セキュリティグループ {name} が {openings_ja} への接続を許可しています"
                    ),
                );
            }
        }
    }
}
