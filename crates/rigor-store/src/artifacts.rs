//! Artifacts: files under one root, through the object_store crate (a local directory
//! by default, or an S3 bucket). Every path a client sends is checked before it reaches the store: no
//! absolute paths, no `.`/`..` segments (also when percent-encoded, since the server
//! decodes before calling), no backslashes or NUL, and — for a local root — no symlink
//! on the way, so nothing outside the root can be read or written.

use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, WriteMultipart};

use crate::error::{Error, Result};

/// One entry of an artifact listing, as MLflow's `FileInfo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileInfo {
    /// The name relative to the listed directory.
    pub path: String,
    pub is_dir: bool,
    pub file_size: Option<i64>,
}

#[derive(Clone)]
pub struct ArtifactStore {
    store: Arc<dyn ObjectStore>,
    /// The canonical root directory of a local store.
    local_root: Option<PathBuf>,
    description: String,
}

fn store_error(e: object_store::Error) -> Error {
    match e {
        object_store::Error::NotFound { path, .. } => {
            Error::not_found(format!("Artifact '{path}' does not exist"))
        }
        other => Error::Artifact(other.to_string()),
    }
}

impl ArtifactStore {
    /// Opens a destination: a local directory (created if missing), `file://DIR`, or
    /// `s3://BUCKET[/PREFIX]` — an S3 bucket or any S3-compatible service, configured
    /// the way MLflow users already configure boto3: `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION` /
    /// `AWS_DEFAULT_REGION`, and the endpoint of a non-AWS service in
    /// `AWS_ENDPOINT_URL` or MLflow's `MLFLOW_S3_ENDPOINT_URL` (plain `http://`
    /// endpoints are allowed, as boto3 allows them).
    pub fn open(destination: &str) -> Result<ArtifactStore> {
        if let Some(rest) = destination.strip_prefix("s3://") {
            return Self::open_s3(destination, rest);
        }
        if let Some((scheme, _)) = destination.split_once("://") {
            if scheme != "file" {
                return Err(Error::invalid(format!(
                    "artifact destination {destination:?}: the scheme {scheme}:// is not \
                     supported (use a directory, file://DIR or s3://BUCKET/PREFIX)"
                )));
            }
        }
        let dir = destination.strip_prefix("file://").unwrap_or(destination);
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::Artifact(format!("cannot create {dir}: {e}")))?;
        let root = std::fs::canonicalize(dir)
            .map_err(|e| Error::Artifact(format!("cannot open {dir}: {e}")))?;
        let fs = LocalFileSystem::new_with_prefix(&root)
            .map_err(store_error)?
            .with_automatic_cleanup(true);
        Ok(ArtifactStore {
            store: Arc::new(fs),
            description: root.display().to_string(),
            local_root: Some(root),
        })
    }

    /// `s3://BUCKET[/PREFIX]`: every artifact path lands under PREFIX in BUCKET.
    fn open_s3(destination: &str, rest: &str) -> Result<ArtifactStore> {
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(Error::invalid(format!(
                "artifact destination {destination:?}: no bucket name"
            )));
        }
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
        let endpoint = std::env::var("AWS_ENDPOINT_URL")
            .or_else(|_| std::env::var("MLFLOW_S3_ENDPOINT_URL"))
            .ok()
            .filter(|e| !e.is_empty());
        if let Some(endpoint) = endpoint {
            builder = builder
                .with_allow_http(endpoint.starts_with("http://"))
                .with_endpoint(endpoint);
        }
        let s3 = builder
            .build()
            .map_err(|e| Error::invalid(format!("artifact destination {destination:?}: {e}")))?;
        let prefix = prefix.trim_matches('/');
        let store: Arc<dyn ObjectStore> = if prefix.is_empty() {
            Arc::new(s3)
        } else {
            let p = Path::parse(prefix).map_err(|e| {
                Error::invalid(format!("artifact destination {destination:?}: {e}"))
            })?;
            Arc::new(PrefixStore::new(s3, p))
        };
        Ok(ArtifactStore {
            store,
            description: destination.to_string(),
            local_root: None,
        })
    }

    /// Where the artifacts live, for logs.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// Checks a client path and turns it into an object path. The empty path is the
    /// root (allowed for listing only).
    pub fn safe_path(&self, raw: &str) -> Result<Path> {
        let bad = |why: &str| Error::invalid(format!("Invalid artifact path '{raw}': {why}"));
        if raw.starts_with('/') {
            return Err(bad("absolute paths are not allowed"));
        }
        if raw.contains('\\') || raw.contains('\0') {
            return Err(bad("backslashes and NUL are not allowed"));
        }
        let trimmed = raw.trim_end_matches('/');
        if trimmed.is_empty() {
            return Ok(Path::default());
        }
        let mut parts = Vec::new();
        for seg in trimmed.split('/') {
            match seg {
                "" => return Err(bad("empty path segment")),
                "." | ".." => return Err(bad("'.' and '..' are not allowed")),
                s => parts.push(s),
            }
        }
        if let Some(root) = &self.local_root {
            // No symlink between the root and the target.
            let mut p: PathBuf = root.clone();
            for seg in &parts {
                p.push(seg);
                match std::fs::symlink_metadata(&p) {
                    Ok(m) if m.file_type().is_symlink() => {
                        return Err(bad("symbolic links are not followed"))
                    }
                    Ok(_) => {}
                    Err(_) => break,
                }
            }
        }
        Path::parse(parts.join("/")).map_err(|e| bad(&e.to_string()))
    }

    /// Stores `body` at `path`, streaming; the object appears only when complete.
    pub async fn put_stream<S, E>(&self, path: &str, mut body: S) -> Result<()>
    where
        S: futures::Stream<Item = std::result::Result<Bytes, E>> + Unpin + Send,
        E: std::fmt::Display,
    {
        let p = self.safe_path(path)?;
        if p.as_ref().is_empty() {
            return Err(Error::invalid("An artifact upload needs a file path"));
        }
        if let Some(root) = &self.local_root {
            if local_path(root, &p).is_dir() {
                return Err(Error::invalid(format!(
                    "Invalid artifact path '{path}': it is a directory"
                )));
            }
        }
        let upload = self.store.put_multipart(&p).await.map_err(store_error)?;
        let mut writer = WriteMultipart::new(upload);
        while let Some(chunk) = body.next().await {
            match chunk {
                Ok(bytes) => writer.write(&bytes),
                Err(e) => {
                    let _ = writer.abort().await;
                    return Err(Error::invalid(format!("upload interrupted: {e}")));
                }
            }
        }
        writer.finish().await.map_err(store_error)?;
        Ok(())
    }

    /// The bytes of one artifact, streamed.
    pub async fn get(
        &self,
        path: &str,
    ) -> Result<(u64, BoxStream<'static, std::result::Result<Bytes, String>>)> {
        let p = self.safe_path(path)?;
        if p.as_ref().is_empty() {
            return Err(Error::invalid("An artifact download needs a file path"));
        }
        let got = self.store.get(&p).await.map_err(store_error)?;
        let size = got.meta.size;
        let stream = got.into_stream().map_err(|e| e.to_string()).boxed();
        Ok((size, stream))
    }

    /// The direct children of a directory; nothing for a file or a missing path.
    pub async fn list(&self, path: &str) -> Result<Vec<FileInfo>> {
        let p = self.safe_path(path)?;
        let prefix = if p.as_ref().is_empty() {
            None
        } else {
            Some(&p)
        };
        let listed = match self.store.list_with_delimiter(prefix).await {
            Ok(l) => l,
            Err(object_store::Error::NotFound { .. }) => return Ok(Vec::new()),
            Err(e) => return Err(store_error(e)),
        };
        let name =
            |full: &Path| -> String { full.filename().map(str::to_string).unwrap_or_default() };
        let mut out: Vec<FileInfo> = Vec::new();
        for obj in &listed.objects {
            out.push(FileInfo {
                path: name(&obj.location),
                is_dir: false,
                file_size: Some(obj.size as i64),
            });
        }
        for dir in &listed.common_prefixes {
            out.push(FileInfo {
                path: name(dir),
                is_dir: true,
                file_size: None,
            });
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }

    /// Deletes an artifact or everything under a directory.
    pub async fn delete(&self, path: &str) -> Result<()> {
        let p = self.safe_path(path)?;
        if p.as_ref().is_empty() {
            return Err(Error::invalid("Refusing to delete the artifact root"));
        }
        let mut found = false;
        let mut objects = self.store.list(Some(&p));
        while let Some(obj) = objects.next().await {
            let obj = obj.map_err(store_error)?;
            self.store
                .delete(&obj.location)
                .await
                .map_err(store_error)?;
            found = true;
        }
        if !found {
            match self.store.delete(&p).await {
                Ok(()) => {}
                Err(e) => return Err(store_error(e)),
            }
        }
        Ok(())
    }
}

fn local_path(root: &FsPath, p: &Path) -> PathBuf {
    let mut out = root.to_path_buf();
    for part in p.parts() {
        out.push(part.as_ref());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn round_trip_and_listing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = ArtifactStore::open(dir.path().to_str().expect("utf8")).expect("open");
        let body = futures::stream::iter(vec![
            Ok::<_, String>(Bytes::from_static(b"hel")),
            Ok(Bytes::from_static(b"lo")),
        ]);
        a.put_stream("1/r/artifacts/a.txt", body)
            .await
            .expect("put");
        let body = futures::stream::iter(vec![Ok::<_, String>(Bytes::from_static(b"x"))]);
        a.put_stream("1/r/artifacts/d/b.txt", body)
            .await
            .expect("put");
        let (size, stream) = a.get("1/r/artifacts/a.txt").await.expect("get");
        assert_eq!(size, 5);
        let bytes: Vec<Bytes> = stream.try_collect().await.expect("read");
        assert_eq!(bytes.concat(), b"hello");
        let listed = a.list("1/r/artifacts").await.expect("list");
        assert_eq!(
            listed,
            vec![
                FileInfo {
                    path: "a.txt".into(),
                    is_dir: false,
                    file_size: Some(5)
                },
                FileInfo {
                    path: "d".into(),
                    is_dir: true,
                    file_size: None
                },
            ]
        );
        assert!(a
            .list("1/r/artifacts/a.txt")
            .await
            .expect("list file")
            .is_empty());
        assert!(a.list("nope").await.expect("list missing").is_empty());
        assert!(matches!(a.get("1/r/nope").await, Err(Error::NotFound(_))));
    }

    #[tokio::test]
    async fn paths_cannot_escape_the_root() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("root");
        let a = ArtifactStore::open(root.to_str().expect("utf8")).expect("open");
        let outside = dir.path().join("secret.txt");
        std::fs::write(&outside, "secret").expect("write");
        #[cfg(unix)]
        std::os::unix::fs::symlink(dir.path(), root.join("link")).expect("symlink");
        for bad in [
            "../secret.txt",
            "a/../../secret.txt",
            "/etc/passwd",
            "./a",
            "a//b",
            "a\\..\\b",
            "link/secret.txt",
        ] {
            assert!(
                matches!(a.safe_path(bad), Err(Error::InvalidParameter(_))),
                "{bad}"
            );
            let body = futures::stream::iter(vec![Ok::<_, String>(Bytes::from_static(b"x"))]);
            assert!(a.put_stream(bad, body).await.is_err(), "{bad}");
            assert!(a.get(bad).await.is_err(), "{bad}");
        }
        assert_eq!(std::fs::read_to_string(&outside).expect("read"), "secret");
    }
}
