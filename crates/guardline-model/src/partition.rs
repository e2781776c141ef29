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

#[cfg(test)]
mod tests {
    use super::*;

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
