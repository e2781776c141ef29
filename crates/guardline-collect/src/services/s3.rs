//! S3: the buckets and what makes each public (policy status, ACL grants, bucket-level Block Public Access),
//! and the account-level Block Public Access (S3 Control).
//!
//! Bucket calls go to a client in the bucket's own region. With a custom endpoint (moto, LocalStack) S3 uses
//! path-style addressing, and S3 Control uses the endpoint exactly as configured, because the S3 Control
//! endpoint rules would otherwise prefix the account ID to its host (`http://<account>.127.0.0.1:5055`).
//! Without a custom endpoint both clients behave exactly as the SDK's defaults.

use std::collections::BTreeMap;

use aws_config::{Region, SdkConfig};
use aws_sdk_s3control::config::endpoint::{
    DefaultResolver, Endpoint, EndpointFuture, Params as ControlEndpointParams, ResolveEndpoint,
};
use futures::future::join_all;
use guardline_model::inventory::s3::{Bucket, PublicAccessBlock};
use guardline_model::{CollectError, Collected};

use super::GlobalPart;
use crate::cx::Cx;

/// Grantee URIs that make an ACL grant public, with the names Guardline reports them by.
const PUBLIC_GROUPS: &[(&str, &str)] = &[
    ("http://acs.amazonaws.com/groups/global/AllUsers", "AllUsers"),
    ("http://acs.amazonaws.com/groups/global/AuthenticatedUsers", "AuthenticatedUsers"),
];

/// The buckets, and the account-level Block Public Access.
pub async fn collect(cx: &Cx, config: &SdkConfig) -> GlobalPart {
    let (buckets, account_block) =
        futures::join!(buckets(cx, config), account_public_access_block(cx, config));
    Box::new(move |global| {
        global.buckets = buckets.into();
        global.s3_account_public_access_block = account_block.into();
    })
}

/// An S3 client for `region` (default: the config's), path-style when a custom endpoint is configured.
pub fn s3_client(config: &SdkConfig, region: Option<&str>) -> aws_sdk_s3::Client {
    let mut builder = aws_sdk_s3::config::Builder::from(config);
    if let Some(region) = region {
        builder = builder.region(Region::new(region.to_owned()));
    }
    if config.endpoint_url().is_some() {
        builder = builder.force_path_style(true);
    }
    aws_sdk_s3::Client::from_conf(builder.build())
}

/// The region a `GetBucketLocation` constraint stands for.
fn location_region(constraint: Option<&str>) -> String {
    match constraint.map(str::trim) {
        None | Some("") => "us-east-1".to_owned(),
        Some("EU") => "eu-west-1".to_owned(),
        Some(region) => region.to_owned(),
    }
}

/// `s3:ListAllMyBuckets` (ListBuckets), each bucket's region, then its three public-access facts.
async fn buckets(cx: &Cx, config: &SdkConfig) -> Result<Vec<Bucket>, CollectError> {
    let client = s3_client(config, None);
    // With MaxBuckets, ListBuckets paginates and answers each bucket's region.
    let listed = cx
        .call(
            "s3:ListAllMyBuckets",
            client
                .list_buckets()
                .max_buckets(1000)
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>(),
        )
        .await?;
    let located =
        join_all(listed.iter().filter_map(|bucket| Some((bucket.name()?, bucket))).map(|(name, bucket)| {
            let client = &client;
            async move {
                let region = match bucket.bucket_region().filter(|region| !region.is_empty()) {
                    Some(region) => Ok(region.to_owned()),
                    None => cx
                        .call("s3:GetBucketLocation", client.get_bucket_location().bucket(name).send())
                        .await
                        .map(|answer| location_region(answer.location_constraint().map(|c| c.as_str()))),
                };
                (name, region)
            }
        }))
        .await;
    let clients: BTreeMap<&str, aws_sdk_s3::Client> = located
        .iter()
        .filter_map(|(_, region)| region.as_deref().ok())
        .map(|region| (region, s3_client(config, Some(region))))
        .collect();
    let buckets = join_all(located.iter().map(|(name, region)| {
        let clients = &clients;
        async move {
            let arn = format!("arn:{}:s3:::{name}", cx.partition);
            match region {
                Ok(region) => {
                    let client = match clients.get(region.as_str()) {
                        Some(client) => client.clone(),
                        None => s3_client(config, Some(region)),
                    };
                    bucket(cx, &client, name, arn, region).await
                }
                // Without its region the bucket cannot be asked anything: each fact carries the reason.
                Err(error) => Bucket {
                    name: (*name).to_owned(),
                    arn,
                    region: String::new(),
                    policy_is_public: Collected::error(error.clone()),
                    public_acl_grants: Collected::error(error.clone()),
                    public_access_block: Collected::error(error.clone()),
                },
            }
        }
    }))
    .await;
    Ok(buckets)
}

/// One bucket read again, in its known region (the drift watcher's re-read of a changed bucket,
/// [`crate::recollect`]): its policy status, public ACL grants and Block Public Access.
pub(crate) async fn read_bucket(cx: &Cx, config: &SdkConfig, name: &str, region: &str) -> Bucket {
    let client = s3_client(config, Some(region));
    let arn = format!("arn:{}:s3:::{name}", cx.partition);
    bucket(cx, &client, name, arn, region).await
}

/// One bucket's policy status, public ACL grants and Block Public Access, each collected on its own.
async fn bucket(cx: &Cx, client: &aws_sdk_s3::Client, name: &str, arn: String, region: &str) -> Bucket {
    let policy = async {
        match cx.call("s3:GetBucketPolicyStatus", client.get_bucket_policy_status().bucket(name).send()).await
        {
            Ok(answer) => {
                Ok(Some(answer.policy_status().and_then(|status| status.is_public()).unwrap_or(false)))
            }
            Err(error) if error.code.as_deref() == Some("NoSuchBucketPolicy") => Ok(None),
            Err(error) => Err(error),
        }
    };
    let acl = async {
        let answer = cx.call("s3:GetBucketAcl", client.get_bucket_acl().bucket(name).send()).await?;
        let mut grants: Vec<String> = Vec::new();
        for grant in answer.grants() {
            let uri = grant.grantee().and_then(|grantee| grantee.uri()).unwrap_or_default();
            let Some((_, group)) = PUBLIC_GROUPS.iter().find(|(public, _)| *public == uri) else {
                continue;
            };
            let permission = grant.permission().map(|permission| permission.as_str()).unwrap_or("UNKNOWN");
            let text = format!("{group} {permission}");
            if !grants.contains(&text) {
                grants.push(text);
            }
        }
        Ok::<_, CollectError>(grants)
    };
    let block = async {
        match cx
            .call("s3:GetBucketPublicAccessBlock", client.get_public_access_block().bucket(name).send())
            .await
        {
            Ok(answer) => Ok(answer.public_access_block_configuration().map(|config| PublicAccessBlock {
                block_public_acls: config.block_public_acls().unwrap_or(false),
                ignore_public_acls: config.ignore_public_acls().unwrap_or(false),
                block_public_policy: config.block_public_policy().unwrap_or(false),
                restrict_public_buckets: config.restrict_public_buckets().unwrap_or(false),
            })),
            Err(error) if is_no_public_access_block(&error) => Ok(None),
            Err(error) => Err(error),
        }
    };
    let (policy, acl, block) = futures::join!(policy, acl, block);
    Bucket {
        name: name.to_owned(),
        arn,
        region: region.to_owned(),
        policy_is_public: policy.into(),
        public_acl_grants: acl.into(),
        public_access_block: block.into(),
    }
}

fn is_no_public_access_block(error: &CollectError) -> bool {
    error.code.as_deref() == Some("NoSuchPublicAccessBlockConfiguration")
}

/// Resolves S3 Control endpoints: a configured endpoint override (`AWS_ENDPOINT_URL[_S3_CONTROL]`,
/// `endpoint_url`) is used exactly as given; otherwise the SDK's own rules decide.
#[derive(Debug, Default)]
struct ControlEndpoint {
    default: DefaultResolver,
}

impl ResolveEndpoint for ControlEndpoint {
    fn resolve_endpoint<'a>(&'a self, params: &'a ControlEndpointParams) -> EndpointFuture<'a> {
        match params.endpoint() {
            Some(url) => EndpointFuture::ready(Ok(Endpoint::builder().url(url.to_owned()).build())),
            None => self.default.resolve_endpoint(params),
        }
    }
}

/// An S3 Control client for the config's region that works against a custom endpoint too (see the module
/// documentation); without one it is the SDK's default client.
pub fn control_client(config: &SdkConfig) -> aws_sdk_s3control::Client {
    let conf = aws_sdk_s3control::config::Builder::from(config)
        .endpoint_resolver(ControlEndpoint::default())
        .build();
    aws_sdk_s3control::Client::from_conf(conf)
}

/// Account-level Block Public Access (`s3:GetAccountPublicAccessBlock`); never configured: `None`.
async fn account_public_access_block(
    cx: &Cx,
    config: &SdkConfig,
) -> Result<Option<PublicAccessBlock>, CollectError> {
    let client = control_client(config);
    let request = client.get_public_access_block().account_id(&cx.account_id).send();
    match cx.call("s3:GetAccountPublicAccessBlock", request).await {
        Ok(answer) => Ok(answer.public_access_block_configuration().map(|config| PublicAccessBlock {
            block_public_acls: config.block_public_acls().unwrap_or(false),
            ignore_public_acls: config.ignore_public_acls().unwrap_or(false),
            block_public_policy: config.block_public_policy().unwrap_or(false),
            restrict_public_buckets: config.restrict_public_buckets().unwrap_or(false),
        })),
        Err(error) if is_no_public_access_block(&error) => Ok(None),
        Err(error) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_constraints() {
        assert_eq!(location_region(None), "us-east-1");
        assert_eq!(location_region(Some("")), "us-east-1");
        assert_eq!(location_region(Some("EU")), "eu-west-1");
        assert_eq!(location_region(Some("ap-northeast-1")), "ap-northeast-1");
    }

    #[tokio::test]
    async fn control_endpoint_keeps_an_override_and_defers_otherwise() {
        let resolver = ControlEndpoint::default();
        let params = ControlEndpointParams::builder()
            .region("ap-northeast-1")
            .account_id("123456789012")
            .requires_account_id(true)
            .endpoint("http://127.0.0.1:5055")
            .build()
            .unwrap();
        assert_eq!(resolver.resolve_endpoint(&params).await.unwrap().url(), "http://127.0.0.1:5055");
        let params = ControlEndpointParams::builder()
            .region("ap-northeast-1")
            .account_id("123456789012")
            .requires_account_id(true)
            .build()
            .unwrap();
        assert_eq!(
            resolver.resolve_endpoint(&params).await.unwrap().url(),
            "https://123456789012.s3-control.ap-northeast-1.amazonaws.com"
        );
    }
}
