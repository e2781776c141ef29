//! Where the shards of `scan --org --shard` write and `guardline merge` reads: a local directory, or
//! `s3://bucket/prefix` (objects `prefix/shard-<i>-of-<n>.json` and `prefix/accounts/<id>.json`); and where
//! reports go when `--output`/`--output-dir` is an `s3://` URL.
//!
//! S3 uses the standard credential chain (`--profile` for the shard, the environment for the merge) and the
//! configured region, path-style when an endpoint override is set (moto, a VPC endpoint). Writing shard
//! outputs to S3 is a write to the operator's own results bucket, never to a scanned account: every call
//! carries `ExpectedBucketOwner` (the caller's own account), so a bucket of the same name in another account
//! is refused by S3 rather than written to or read from. Reads are bounded: a file or object larger than
//! [`MAX_OBJECT_BYTES`] is refused, and an S3 body that stalls for [`READ_IDLE_TIMEOUT`] is an error.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;

/// The largest manifest, shard record or snapshot read (the README's 1,000,000-resource snapshot is 238 MB).
pub const MAX_OBJECT_BYTES: u64 = 1 << 30;

/// How long an S3 body may send nothing before the read is abandoned.
pub const READ_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// Reads `path` as UTF-8, refusing a file larger than `limit` before reading it.
pub fn read_limited(path: &Path, limit: u64) -> anyhow::Result<String> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let size = file.metadata().with_context(|| format!("reading {}", path.display()))?.len();
    anyhow::ensure!(
        size <= limit,
        "{} is {size} bytes, larger than the {limit} bytes Guardline reads",
        path.display()
    );
    let mut text = String::new();
    file.take(limit + 1).read_to_string(&mut text).with_context(|| format!("reading {}", path.display()))?;
    anyhow::ensure!(
        text.len() as u64 <= limit,
        "{} grew past {limit} bytes while being read",
        path.display()
    );
    Ok(text)
}

/// Collects a body chunk by chunk (`next` gives the next chunk), refusing more than `limit` bytes and a
/// wait of more than `idle` for any chunk.
pub async fn read_body<B, E>(
    mut next: impl AsyncFnMut() -> Option<Result<B, E>>,
    limit: u64,
    idle: Duration,
    source: &str,
) -> anyhow::Result<Vec<u8>>
where
    B: AsRef<[u8]>,
    E: std::error::Error + Send + Sync + 'static,
{
    let mut bytes = Vec::new();
    loop {
        let chunk = tokio::time::timeout(idle, next())
            .await
            .map_err(|_| anyhow::anyhow!("reading {source}: no data for {} s", idle.as_secs_f64()))?;
        let Some(chunk) = chunk else { return Ok(bytes) };
        let chunk = chunk.with_context(|| format!("reading {source}"))?;
        anyhow::ensure!(
            bytes.len() as u64 + chunk.as_ref().len() as u64 <= limit,
            "{source} is larger than the {limit} bytes Guardline reads"
        );
        bytes.extend_from_slice(chunk.as_ref());
    }
}

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

    /// Where `name` under this location is: its path, or its `s3://bucket/key` URL.
    pub fn url(&self, name: &str) -> String {
        match self {
            Location::Local(dir) => dir.join(name).display().to_string(),
            Location::S3 { bucket, prefix } => format!("s3://{bucket}/{}", Location::key(prefix, name)),
        }
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
    /// The S3 client and the account that must own the results bucket (the caller's).
    s3: Option<(aws_sdk_s3::Client, String)>,
}

impl Store {
    /// A store for `locations`; an S3 client (and the caller's account, the bucket's expected owner) only
    /// when one of them is in S3.
    pub async fn new(locations: &[Location], profile: Option<&str>) -> anyhow::Result<Store> {
        let s3 = if locations.iter().any(|location| matches!(location, Location::S3 { .. })) {
            let options = guardline_collect::CollectOptions::default();
            let sdk = guardline_collect::sdk_config(profile, None, &options).await;
            let cx = guardline_collect::cx::Cx::new("", "aws", 1);
            let owner = guardline_collect::services::sts::caller_identity(&cx, &sdk)
                .await
                .map_err(|error| anyhow::anyhow!("identifying the results bucket's account: {error}"))?
                .id;
            Some((guardline_collect::services::s3::s3_client(&sdk, None), owner))
        } else {
            None
        };
        Ok(Store { s3 })
    }

    fn client(&self) -> (&aws_sdk_s3::Client, &str) {
        let (client, owner) = self.s3.as_ref().expect("an S3 client exists whenever a location is in S3");
        (client, owner)
    }

    /// Writes JSON `text` to `name` (a relative path with `/`) under `location`.
    pub async fn put(&self, location: &Location, name: &str, text: &str) -> anyhow::Result<()> {
        self.put_as(location, name, text, "application/json").await
    }

    /// Writes `text` to `name` under `location`; in S3 with the `Content-Type` `content_type`.
    pub async fn put_as(
        &self,
        location: &Location,
        name: &str,
        text: &str,
        content_type: &str,
    ) -> anyhow::Result<()> {
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
                let (client, owner) = self.client();
                client
                    .put_object()
                    .bucket(bucket)
                    .expected_bucket_owner(owner)
                    .key(&key)
                    .content_type(content_type)
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
            Location::Local(dir) => read_limited(&dir.join(name), MAX_OBJECT_BYTES),
            Location::S3 { bucket, prefix } => {
                let key = Location::key(prefix, name);
                let source = format!("s3://{bucket}/{key}");
                let (client, owner) = self.client();
                let mut object = client
                    .get_object()
                    .bucket(bucket)
                    .expected_bucket_owner(owner)
                    .key(&key)
                    .send()
                    .await
                    .with_context(|| format!("reading {source}"))?;
                let size = object.content_length().unwrap_or(0);
                anyhow::ensure!(
                    u64::try_from(size).unwrap_or(0) <= MAX_OBJECT_BYTES,
                    "{source} is {size} bytes, larger than the {MAX_OBJECT_BYTES} bytes Guardline reads"
                );
                let bytes = read_body(
                    async || object.body.next().await,
                    MAX_OBJECT_BYTES,
                    READ_IDLE_TIMEOUT,
                    &source,
                )
                .await?;
                String::from_utf8(bytes).with_context(|| format!("{source} is not UTF-8"))
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
                let (client, owner) = self.client();
                loop {
                    let page = client
                        .list_objects_v2()
                        .bucket(bucket)
                        .expected_bucket_owner(owner)
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

    #[test]
    fn a_file_over_the_limit_is_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.json");
        // Sparse: no disk used.
        std::fs::File::create(&path).unwrap().set_len(MAX_OBJECT_BYTES + 1).unwrap();
        let error = read_limited(&path, MAX_OBJECT_BYTES).unwrap_err().to_string();
        assert!(error.contains("larger than the 1073741824 bytes"), "{error}");
        std::fs::write(&path, "{}").unwrap();
        assert_eq!(read_limited(&path, MAX_OBJECT_BYTES).unwrap(), "{}");
    }

    #[tokio::test]
    async fn bodies_are_bounded_in_size_and_in_idle_time() {
        let mut chunks = vec![Ok::<_, std::io::Error>(vec![b'x'; 6]), Ok(vec![b'y'; 6])].into_iter();
        let error = read_body(async || chunks.next(), 10, READ_IDLE_TIMEOUT, "s3://b/k").await.unwrap_err();
        assert!(error.to_string().contains("s3://b/k is larger than the 10 bytes"), "{error}");
        let mut chunks = vec![Ok::<_, std::io::Error>(b"ab".to_vec()), Ok(b"c".to_vec())].into_iter();
        assert_eq!(
            read_body(async || chunks.next(), 10, READ_IDLE_TIMEOUT, "s3://b/k").await.unwrap(),
            b"abc"
        );
        // A body that stalls.
        let stalled = async || futures::future::pending::<Option<Result<Vec<u8>, std::io::Error>>>().await;
        let error = read_body(stalled, 10, Duration::from_millis(50), "s3://b/k").await.unwrap_err();
        assert!(error.to_string().contains("no data for 0.05 s"), "{error}");
    }
}
