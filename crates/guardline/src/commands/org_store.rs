//! Where the shards of `scan --org --shard` write and `guardline merge` reads: a local directory, or
//! `s3://bucket/prefix` (objects `prefix/shard-<i>-of-<n>.json` and `prefix/accounts/<id>.json`).
//!
//! S3 uses the standard credential chain (`--profile` for the shard, the environment for the merge) and the
//! configured region, path-style when an endpoint override is set (moto, a VPC endpoint). Writing shard
//! outputs to S3 is a write to the operator's own results bucket, never to a scanned account.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

/// A directory or an S3 prefix.
#[derive(Debug, Clone)]
pub enum Location {
    Local(PathBuf),
    S3 { bucket: String, prefix: String },
}

impl Location {
    /// `s3://bucket[/prefix]`, or a local path.
    pub fn parse(path: &Path) -> anyhow::Result<Location> {
        let text = path.to_string_lossy();
        let Some(rest) = text.strip_prefix("s3://") else {
            return Ok(Location::Local(path.to_path_buf()));
        };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        anyhow::ensure!(!bucket.is_empty(), "`{text}`: no bucket name after s3://");
        Ok(Location::S3 { bucket: bucket.to_owned(), prefix: prefix.trim_matches('/').to_owned() })
    }

    fn key(prefix: &str, name: &str) -> String {
        if prefix.is_empty() { name.to_owned() } else { format!("{prefix}/{name}") }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Local(path) => write!(f, "{}", path.display()),
            Location::S3 { bucket, prefix } => write!(f, "s3://{bucket}/{prefix}"),
        }
    }
}

/// Reads and writes files at [`Location`]s.
pub struct Store {
    s3: Option<aws_sdk_s3::Client>,
}

impl Store {
    /// A store for `locations`; an S3 client only when one of them is in S3.
    pub async fn new(locations: &[Location], profile: Option<&str>) -> Store {
        let s3 = if locations.iter().any(|location| matches!(location, Location::S3 { .. })) {
            let options = guardline_collect::CollectOptions::default();
            let sdk = guardline_collect::sdk_config(profile, None, &options).await;
            Some(guardline_collect::services::s3::s3_client(&sdk, None))
        } else {
            None
        };
        Store { s3 }
    }

    fn client(&self) -> &aws_sdk_s3::Client {
        self.s3.as_ref().expect("an S3 client exists whenever a location is in S3")
    }

    /// Writes `text` to `name` (a relative path with `/`) under `location`.
    pub async fn put(&self, location: &Location, name: &str, text: &str) -> anyhow::Result<()> {
        match location {
            Location::Local(dir) => {
                let path = dir.join(name);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)
                        .with_context(|| format!("creating {}", parent.display()))?;
                }
                super::write_file(&path, text)
            }
            Location::S3 { bucket, prefix } => {
                let key = Location::key(prefix, name);
                self.client()
                    .put_object()
                    .bucket(bucket)
                    .key(&key)
                    .content_type("application/json")
                    .body(aws_sdk_s3::primitives::ByteStream::from(text.as_bytes().to_vec()))
                    .send()
                    .await
                    .with_context(|| format!("writing s3://{bucket}/{key}"))?;
                Ok(())
            }
        }
    }

    /// Reads `name` under `location`.
    pub async fn get(&self, location: &Location, name: &str) -> anyhow::Result<String> {
        match location {
            Location::Local(dir) => {
                let path = dir.join(name);
                std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))
            }
            Location::S3 { bucket, prefix } => {
                let key = Location::key(prefix, name);
                let object = self
                    .client()
                    .get_object()
                    .bucket(bucket)
                    .key(&key)
                    .send()
                    .await
                    .with_context(|| format!("reading s3://{bucket}/{key}"))?;
                let bytes =
                    object.body.collect().await.with_context(|| format!("reading s3://{bucket}/{key}"))?;
                String::from_utf8(bytes.to_vec()).with_context(|| format!("s3://{bucket}/{key} is not UTF-8"))
            }
        }
    }

    /// The names of the files directly under `location`.
    pub async fn list(&self, location: &Location) -> anyhow::Result<Vec<String>> {
        match location {
            Location::Local(dir) => {
                let mut names = Vec::new();
                for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
                    let entry = entry.with_context(|| format!("reading {}", dir.display()))?;
                    if let Some(name) = entry.file_name().to_str() {
                        names.push(name.to_owned());
                    }
                }
                Ok(names)
            }
            Location::S3 { bucket, prefix } => {
                let start = if prefix.is_empty() { String::new() } else { format!("{prefix}/") };
                let mut names = Vec::new();
                let mut token = None;
                loop {
                    let page = self
                        .client()
                        .list_objects_v2()
                        .bucket(bucket)
                        .prefix(&start)
                        .delimiter("/")
                        .set_continuation_token(token.take())
                        .send()
                        .await
                        .with_context(|| format!("listing s3://{bucket}/{start}"))?;
                    for object in page.contents() {
                        if let Some(name) = object.key().and_then(|key| key.strip_prefix(&start)) {
                            names.push(name.to_owned());
                        }
                    }
                    token = page.next_continuation_token().map(str::to_owned);
                    if token.is_none() {
                        break;
                    }
                }
                Ok(names)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations() {
        assert!(matches!(Location::parse(Path::new("out/shard-0")).unwrap(), Location::Local(_)));
        let Location::S3 { bucket, prefix } = Location::parse(Path::new("s3://results/org/run-1/")).unwrap()
        else {
            panic!("an S3 location")
        };
        assert_eq!((bucket.as_str(), prefix.as_str()), ("results", "org/run-1"));
        assert_eq!(Location::key(&prefix, "accounts/1.json"), "org/run-1/accounts/1.json");
        assert_eq!(Location::key("", "shard-0-of-1.json"), "shard-0-of-1.json");
        assert!(Location::parse(Path::new("s3://")).is_err());
    }
}
