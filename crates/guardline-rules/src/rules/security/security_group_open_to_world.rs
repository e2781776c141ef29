//! EC2-001.

use guardline_model::inventory::ec2::WorldSource;
use guardline_model::{Section, Severity};

use crate::{Context, Findings, FixAvailability, Remedy};

declare_rule! {
    /// ## What it checks
    /// Every security group in every scanned region: no ingress permission may admit `0.0.0.0/0` or `::/0`
    /// to an administration port, or to all ports:
    ///
    /// - all traffic (protocol `-1`), or every port of TCP or UDP (`0-65535`, or `1-65535`: port 0 is
    ///   reserved), fails as such;
    /// - the administration ports are TCP 22 (SSH) and 3389 (RDP), always, plus the profile's
    ///   `admin-ports`. `admin-ports` adds to SSH and RDP and cannot remove them: a profile that lists
    ///   `admin-ports = [5432]` still has 22 and 3389 checked (to stop checking them, do not adopt the control,
    ///   or record an exception for the group). A range that spans an administration port (`20-3400`)
    ///   admits it;
    /// - RDP also runs over UDP, so UDP 3389 fails too; other ports are checked over TCP only (SSH has no
    ///   UDP transport, and UDP 22 or 53 open to the world is not an administration port);
    /// - protocols written by number count like their names (`6` is TCP, `17` is UDP); ICMP and other
    ///   protocols have no ports and are not checked;
    /// - a permission can admit a managed prefix list instead of CIDRs (`PrefixListIds`): its entries count as
    ///   the permission's sources, so a customer-managed list holding `0.0.0.0/0` or `::/0` opens the port to
    ///   the world. Every list a permission admits is read (`ec2:GetManagedPrefixListEntries`, once per list
    ///   and region), AWS-managed ones (`com.amazonaws.*`, which hold AWS service ranges) too: a security group
    ///   names only the list's ID, not its owner. When a list's entries cannot be read, a permission that
    ///   would open an administration port or all ports through it makes the group NOT EVALUATED (never a
    ///   pass), unless the group is open to the world anyway.
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
    ///
    /// ## 確認内容
    /// スキャンした全リージョンのすべてのセキュリティグループについて、インバウンドの許可が `0.0.0.0/0` や `::/0` から
    /// 管理用ポートまたは全ポートへのアクセスを許していないこと。
    ///
    /// - 全トラフィック(プロトコル `-1`)や、TCP・UDP の全ポート(`0-65535`、または `1-65535`。ポート 0 は予約済み)は、
    ///   それ自体で不合格です。
    /// - 管理用ポートは常に TCP 22(SSH)と 3389(RDP)であり、これにプロファイルの `admin-ports` が加わります。
    ///   `admin-ports` は SSH と RDP に追加するもので、それらを除くことはできません。`admin-ports = [5432]` と書いた
    ///   プロファイルでも 22 と 3389 は確認されます(確認をやめるには、このコントロールを採用しないか、そのグループの例外を
    ///   記録します)。管理用ポートを含む範囲(`20-3400`)は、そのポートを許可していることになります。
    /// - RDP は UDP でも動くため UDP 3389 も不合格です。その他のポートは TCP のみ確認します(SSH には UDP の通信手段がなく、
    ///   全世界に開いた UDP 22 や 53 は管理用ポートではありません)。
    /// - 番号で書かれたプロトコルは名前と同じに扱います(`6` は TCP、`17` は UDP)。ICMP などポートのないプロトコルは確認
    ///   しません。
    /// - 許可は CIDR の代わりにマネージドプレフィックスリスト(`PrefixListIds`)を許可できます。そのエントリは許可の送信元と
    ///   して数えるため、`0.0.0.0/0` や `::/0` を含むカスタマー管理のリストは、ポートを全世界に開きます。許可が参照するリスト
    ///   はすべて読みます(`ec2:GetManagedPrefixListEntries`。リストとリージョンごとに 1 回)。AWS 管理のリスト
    ///   (`com.amazonaws.*`。AWS サービスのアドレス範囲を持つ)も読みます。セキュリティグループはリストの ID しか示さず、
    ///   所有者は分からないからです。リストのエントリを読めない場合、それを通じて管理用ポートや全ポートを開きうる許可が
    ///   あれば、グループは(合格ではなく)未評価(NOT EVALUATED)になります。ただし、いずれにせよ全世界に開いているグループは
    ///   除きます。
    ///
    /// ## 重要な理由
    /// ポートスキャンは、インターネットに開いた SSH や RDP のポートを数分で見つけ、続いて総当たり攻撃が来ます。
    /// ガイドラインでは代わりにセッションマネージャー(4-2)でインスタンスに接続するため、管理用ポートを開ける必要は
    /// そもそもありません。AWS Config ルール(2-3)と Security Hub(2-5)も同じ状態を検出します。
    ///
    /// ## ガイドライン
    /// 2-3(AWS Config:「セキュリティグループが全ての IP からのアクセスを許可している」)と 2-5(Security Hub)。
    ///
    /// ## 修正方法
    /// 全世界に開いた許可を削除してセッションマネージャーで接続するか、送信元を必要なアドレスに絞ります。
    ///
    /// ```sh
    /// aws ec2 revoke-security-group-ingress --group-id sg-0123 --protocol tcp --port 22 --cidr 0.0.0.0/0
    /// ```
    ///
    /// ## 修正の安全性
    /// 手動のみ: まだそのポートで接続している人がいるかもしれません。削除する前に誰が使っているかを確認してください。
    ///
    /// ## 参考資料
    /// - CIS AWS Foundations 5.2、5.3(0.0.0.0/0 や ::/0 からリモート管理用ポートへのインバウンドを許可しない)
    /// - AWS FSBP EC2.13、EC2.14、EC2.53、EC2.54
    pub static RULE = {
        id: "EC2-001",
        name: "security-group-open-to-world",
        title: "No admin port is open to the world",
        title_ja: "管理用ポートが全世界に公開されていない",
        section: Section::Security,
        item: "2-3",
        severity: Severity::High,
        fix: FixAvailability::ManualOnly,
        remedy: Remedy {
            en: "Close admin ports to 0.0.0.0/0 and ::/0; reach instances through Session Manager",
            ja: "管理ポートを 0.0.0.0/0 と ::/0 に閉じ、Session Manager で接続する",
            command: None,
        },
        data: &["ec2:DescribeSecurityGroups", "ec2:GetManagedPrefixListEntries"],
        check: check,
        plan: None,
    }
}

/// Checked whatever the profile says: SSH and RDP. `admin-ports` adds to them.
const ALWAYS_CHECKED: [u16; 2] = [22, 3389];
/// Admin ports also checked over UDP: RDP (3389) has a UDP transport.
const UDP_ADMIN_PORTS: [u16; 1] = [3389];

/// 22 and 3389, and the profile's `admin-ports`, in order.
fn admin_ports(cx: &Context<'_>) -> Vec<u16> {
    let mut ports: Vec<u16> = ALWAYS_CHECKED.iter().chain(&cx.params.admin_ports).copied().collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}

/// `TCP port 22`, `TCP ports 22, 3389`.
fn ports_text(protocol: &str, ports: &[u16]) -> (String, String) {
    let list = ports.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
    let noun = if ports.len() == 1 { "port" } else { "ports" };
    (format!("{protocol} {noun} {list}"), format!("{protocol} ポート {list}"))
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    let admin_ports = admin_ports(cx);
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
            let mut unreadable = Vec::new();
            for permission in &group.ingress {
                let sources = permission.world_sources();
                let unknown = permission.unreadable_prefix_lists();
                if sources.is_empty() && unknown.is_empty() {
                    continue;
                }
                let (what, what_ja) = if permission.all_traffic() {
                    ("all traffic".to_owned(), "すべての通信".to_owned())
                } else if permission.all_ports() {
                    let protocol = permission.transport().unwrap_or_default().to_uppercase();
                    (format!("all {protocol} ports"), format!("{protocol} の全ポート"))
                } else {
                    let tcp: Vec<u16> = admin_ports
                        .iter()
                        .copied()
                        .filter(|port| permission.admits_tcp_port(i32::from(*port)))
                        .collect();
                    let udp: Vec<u16> = UDP_ADMIN_PORTS
                        .iter()
                        .copied()
                        .filter(|port| permission.admits_udp_port(i32::from(*port)))
                        .collect();
                    let (what, what_ja) = match (tcp.is_empty(), udp.is_empty()) {
                        (true, true) => continue,
                        (false, _) => ports_text("TCP", &tcp),
                        (true, false) => ports_text("UDP", &udp),
                    };
                    (what, what_ja)
                };
                if sources.is_empty() {
                    unreadable.extend(
                        unknown.into_iter().map(|(id, error)| (what.clone(), what_ja.clone(), id, error)),
                    );
                    continue;
                }
                let en: Vec<String> = sources.iter().map(source_text).collect();
                let ja: Vec<String> = sources.iter().map(source_text_ja).collect();
                openings.push(format!("{what} from {}", en.join(" and ")));
                openings_ja.push(format!("{} から {what_ja}", ja.join("、")));
            }
            let name = format!("{} ({})", group.id, group.name);
            if openings.is_empty() && !unreadable.is_empty() {
                let en = unreadable
                    .iter()
                    .map(|(what, _, id, error)| {
                        format!("{what} from prefix list {id}, whose entries could not be read ({error})")
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                let ja = unreadable
                    .iter()
                    .map(|(_, what_ja, id, error)| {
                        format!("プレフィックスリスト {id} から {what_ja} (エントリを読めません: {error})")
                    })
                    .collect::<Vec<_>>()
                    .join("、");
                out.not_evaluated_because(
                    region,
                    &group.arn,
                    text!(
                        "could not be evaluated: security group {name} allows {en}",
                        "評価できません: セキュリティグループ {name} が {ja} への接続を許可しています"
                    ),
                );
            } else if openings.is_empty() {
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

/// `0.0.0.0/0`, or `0.0.0.0/0 in prefix list pl-0123`.
fn source_text(source: &WorldSource<'_>) -> String {
    match source {
        WorldSource::Cidr(cidr) => (*cidr).to_owned(),
        WorldSource::PrefixList { id, cidr } => format!("{cidr} in prefix list {id}"),
    }
}

fn source_text_ja(source: &WorldSource<'_>) -> String {
    match source {
        WorldSource::Cidr(cidr) => (*cidr).to_owned(),
        WorldSource::PrefixList { id, cidr } => format!("プレフィックスリスト {id} の {cidr}"),
    }
}
