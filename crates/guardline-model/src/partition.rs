//! AWS partitions (`aws`, `aws-cn`, `aws-us-gov`, ...) and the regions their account-wide services answer
//! in. Every place that calls a "global" service, or names the region where a partition's global events
//! land, asks here, so that a China or GovCloud account is never sent to `us-east-1`.

/// The partition a region belongs to, by its name.
pub fn of_region(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("eu-isoe-") {
        "aws-iso-e"
    } else {
        "aws"
    }
}

/// Where Cost Explorer and Budgets answer: us-east-1, and cn-northwest-1 in China
/// (https://docs.amazonaws.cn/en_us/cost-management/latest/userguide/ce-api.html). `None` in AWS GovCloud
/// (US), whose billing lives in the linked standard account
/// (https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/usage-and-payment.html), and in the isolated
/// partitions.
pub fn cost_region(partition: &str) -> Option<&'static str> {
    match partition {
        "aws" => Some("us-east-1"),
        "aws-cn" => Some("cn-northwest-1"),
        _ => None,
    }
}

/// Where the partition's global services (IAM, Organizations, STS's global endpoint) are, and where CloudTrail
/// records their events: us-east-1, cn-north-1, us-gov-west-1
/// (https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/govcloud-iam.html).
pub fn global_region(partition: &str) -> &'static str {
    match partition {
        "aws-cn" => "cn-north-1",
        "aws-us-gov" => "us-gov-west-1",
        _ => "us-east-1",
    }
}

/// Where the AWS Health API answers: us-east-1, cn-northwest-1, us-gov-west-1
/// (https://docs.aws.amazon.com/health/latest/ug/health-api.html).
pub fn health_region(partition: &str) -> &'static str {
    match partition {
        "aws-cn" => "cn-northwest-1",
        "aws-us-gov" => "us-gov-west-1",
        _ => "us-east-1",
    }
}

/// The partition of an ARN (`arn:PARTITION:...`); `aws` for text that is not an ARN.
pub fn of_arn(arn: &str) -> &str {
    arn.strip_prefix("arn:")
        .and_then(|rest| rest.split(':').next())
        .filter(|p| !p.is_empty())
        .unwrap_or("aws")
}

/// The regions AWS has announced (commercial, China, GovCloud), from the AWS General Reference's "AWS
/// Regions" table: the fallback that checks a `--regions` name when the account's own list
/// (`ec2:DescribeRegions`) cannot be read. A region AWS adds later is accepted whenever that list can be read.
pub const KNOWN_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
];

/// Whether `name` has the shape of a region name: lowercase words joined by `-`, ending in a number
/// (`ap-northeast-1`, `us-gov-west-1`, `eu-isoe-west-1`).
pub fn is_region_name(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    let Some((number, words)) = parts.split_last() else { return false };
    words.len() >= 2
        && words.iter().all(|word| !word.is_empty() && word.bytes().all(|byte| byte.is_ascii_lowercase()))
        && !number.is_empty()
        && number.len() <= 2
        && number.bytes().all(|byte| byte.is_ascii_digit())
}

/// The candidate region closest to a mistyped `name` (at most two edits away, or the same once the `-`
/// are ignored, as in `apnortheast1`), for "did you mean".
pub fn closest_region<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let squeeze = |text: &str| text.to_ascii_lowercase().replace(['-', '_', ' '], "");
    let wanted = squeeze(name);
    candidates
        .into_iter()
        .map(|candidate| (edit_distance(&wanted, &squeeze(candidate)), candidate))
        .filter(|(distance, _)| *distance <= 2)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance between two short ASCII strings.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<u8> = b.bytes().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != cb)).min(row[j] + 1).min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_names_and_suggestions() {
        for good in ["ap-northeast-1", "us-gov-west-1", "eu-isoe-west-1", "us-east-9"] {
            assert!(is_region_name(good), "{good}");
        }
        for bad in ["ap-northeast1", "Tokyo", "us-east-", "-east-1", "us--1", "ap-northeast-100", ""] {
            assert!(!is_region_name(bad), "{bad}");
        }
        let known = KNOWN_REGIONS.iter().copied();
        assert_eq!(closest_region("ap-northeast1", known.clone()), Some("ap-northeast-1"));
        assert_eq!(closest_region("us-east-9", known.clone()), Some("us-east-1"));
        assert_eq!(closest_region("eu-wset-1", known.clone()), Some("eu-west-1"));
        assert_eq!(closest_region("tokyo", known), None);
    }

    #[test]
    fn partitions_and_their_regions() {
        assert_eq!(of_region("ap-northeast-1"), "aws");
        assert_eq!(of_region("cn-north-1"), "aws-cn");
        assert_eq!(of_region("us-gov-west-1"), "aws-us-gov");
        assert_eq!(cost_region("aws-cn"), Some("cn-northwest-1"));
        assert_eq!(cost_region("aws-us-gov"), None);
        assert_eq!(global_region("aws-us-gov"), "us-gov-west-1");
        assert_eq!(health_region("aws-cn"), "cn-northwest-1");
        assert_eq!(of_arn("arn:aws-cn:iam::1:root"), "aws-cn");
        assert_eq!(of_arn("not an arn"), "aws");
    }
}
