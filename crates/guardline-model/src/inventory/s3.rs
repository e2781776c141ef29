//! S3: account-level and bucket-level public access.

use serde::{Deserialize, Serialize};

use crate::Collected;

/// The four Block Public Access flags.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    /// The names of the flags that are off.
    pub fn disabled_flags(&self) -> Vec<&'static str> {
        let mut off = Vec::new();
        if !self.block_public_acls {
            off.push("BlockPublicAcls");
        }
        if !self.ignore_public_acls {
            off.push("IgnorePublicAcls");
        }
        if !self.block_public_policy {
            off.push("BlockPublicPolicy");
        }
        if !self.restrict_public_buckets {
            off.push("RestrictPublicBuckets");
        }
        off
    }
}

/// A bucket and what makes it public or not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bucket {
    pub name: String,
    pub arn: String,
    pub region: String,
    /// `s3:GetBucketPolicyStatus`; `None`: the bucket has no policy.
    #[serde(default)]
    pub policy_is_public: Collected<Option<bool>>,
    /// ACL grants to everyone or to any authenticated AWS user, as `"<group> <permission>"`
    /// (e.g. `"AllUsers READ"`); empty when the ACL grants nothing public.
    #[serde(default)]
    pub public_acl_grants: Collected<Vec<String>>,
    /// The bucket's own Block Public Access; `None`: not configured.
    #[serde(default)]
    pub public_access_block: Collected<Option<PublicAccessBlock>>,
}
