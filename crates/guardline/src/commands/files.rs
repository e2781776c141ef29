//! Files Guardline writes, created with explicit permissions: snapshots, shard outputs and reports are
//! 0600 unless asked otherwise (they describe an account's weaknesses), and replacing a file goes through an
//! exclusive temporary file beside it, fsynced and renamed into place, so a planted file or symlink of the
//! temporary name is never followed and a crash leaves the old file or the new one, never half of either.
//! On platforms without Unix permissions the modes are ignored.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

/// The mode of the files Guardline creates unless told otherwise.
pub const PRIVATE: u32 = 0o600;

/// The permission bits of `meta`.
#[cfg(unix)]
pub fn mode_of(meta: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    meta.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
pub fn mode_of(_: &std::fs::Metadata) -> u32 {
    PRIVATE
}

/// Sets `file`'s permission bits.
#[cfg(unix)]
pub fn set_mode(file: &File, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    file.set_permissions(std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
pub fn set_mode(_: &File, _: u32) -> std::io::Result<()> {
    Ok(())
}

fn options(mode: u32) -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    options
}

/// Creates `path`, which must not exist yet (a symlink there is not followed), with `mode`.
pub fn create_new(path: &Path, mode: u32) -> std::io::Result<File> {
    let file = options(mode).create_new(true).open(path)?;
    // The umask may have narrowed the mode at creation.
    set_mode(&file, mode)?;
    Ok(file)
}

/// Creates or truncates `path` (following a symlink: the caller named this path) with `mode`; a regular file
/// that already existed gets `mode` too.
pub fn create(path: &Path, mode: u32) -> std::io::Result<File> {
    let file = options(mode).create(true).truncate(true).open(path)?;
    if file.metadata()?.is_file() {
        set_mode(&file, mode)?;
    }
    Ok(file)
}

/// Writes `text` to `path` (created or truncated with `mode`), saying which file failed.
pub fn write(path: &Path, text: &str, mode: u32) -> anyhow::Result<()> {
    create(path, mode)
        .and_then(|mut file| file.write_all(text.as_bytes()))
        .with_context(|| format!("writing {}", path.display()))
}

/// Makes a rename in `dir` durable.
#[cfg(unix)]
pub fn sync_dir(dir: &Path) -> anyhow::Result<()> {
    File::open(dir).and_then(|dir| dir.sync_all()).with_context(|| format!("syncing {}", dir.display()))
}

#[cfg(not(unix))]
pub fn sync_dir(_: &Path) -> anyhow::Result<()> {
    Ok(())
}

/// The directory `path` is in (`.` for a bare file name).
fn dir_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Replaces `path` (the directory entry itself: a symlink there is replaced, not followed) with what `write`
/// produces, with `mode`: through an exclusive temporary file in the same directory, fsynced, renamed over
/// `path`, the directory fsynced.
pub fn replace(
    path: &Path,
    mode: u32,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let dir = dir_of(path);
    let name = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    // tempfile creates it O_EXCL, 0600.
    let temp = tempfile::Builder::new()
        .prefix(&format!(".{name}.guardline-"))
        .tempfile_in(&dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    let mut out = std::io::BufWriter::new(temp);
    write(&mut out).and_then(|()| out.flush()).with_context(|| format!("writing {}", path.display()))?;
    let temp = out
        .into_inner()
        .map_err(|error| error.into_error())
        .with_context(|| format!("writing {}", path.display()))?;
    set_mode(temp.as_file(), mode)
        .and_then(|()| temp.as_file().sync_all())
        .with_context(|| format!("writing {}", temp.path().display()))?;
    temp.persist(path)
        .map_err(|error| error.error)
        .with_context(|| format!("replacing {}", path.display()))?;
    sync_dir(&dir)
}
