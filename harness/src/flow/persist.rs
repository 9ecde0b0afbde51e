//! Saving and loading models: a compact checksummed binary form (postcard)
//! or JSON, both versioned, written atomically. A file of another version,
//! a truncated or corrupted file gives a clear error, never a panic.

use super::error::FlowError;
use super::layer::{Frame, Maps};
use super::model::{Flow, FORMAT_VERSION};
use crate::io::write_atomic;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

/// File magic of the binary form.
const MAGIC: &[u8; 8] = b"IAFMODEL";
/// Magic + version + payload length + checksum.
const HEADER: usize = 8 + 4 + 8 + 8;

/// How a model is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelFormat {
    /// Compact binary (postcard) with a header and checksum.
    Binary,
    /// Human-readable JSON.
    Json,
}

impl ModelFormat {
    /// JSON for a `.json` path, binary otherwise.
    pub fn for_path(path: &Path) -> ModelFormat {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("json") => ModelFormat::Json,
            _ => ModelFormat::Binary,
        }
    }
}

/// FNV-1a, 64 bits: detects corrupted payloads.
fn checksum(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[derive(Serialize, Deserialize)]
struct JsonFile {
    format: String,
    version: u32,
    model: Flow,
}

impl Flow {
    /// Saves the model atomically in the given format.
    pub fn save(&self, path: &Path, format: ModelFormat) -> Result<(), FlowError> {
        let bytes = match format {
            ModelFormat::Binary => {
                let payload = postcard::to_allocvec(self).map_err(|e| FlowError::BadModelFile {
                    path: path.to_path_buf(),
                    message: format!("cannot encode the model: {e}"),
                })?;
                let mut out = Vec::with_capacity(HEADER + payload.len());
                out.extend_from_slice(MAGIC);
                out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
                out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
                out.extend_from_slice(&checksum(&payload).to_le_bytes());
                out.extend_from_slice(&payload);
                out
            }
            ModelFormat::Json => {
                let file = JsonFile {
                    format: "iaf-model".into(),
                    version: FORMAT_VERSION,
                    model: self.clone(),
                };
                serde_json::to_vec(&file).map_err(|e| FlowError::BadModelFile {
                    path: path.to_path_buf(),
                    message: format!("cannot encode the model: {e}"),
                })?
            }
        };
        write_atomic(path, |w| w.write_all(&bytes)).map_err(|error| FlowError::Io {
            path: path.to_path_buf(),
            error,
        })
    }

    /// Loads a model saved by [`Flow::save`], in either format.
    pub fn load(path: &Path) -> Result<Flow, FlowError> {
        let bytes = std::fs::read(path).map_err(|error| FlowError::Io {
            path: path.to_path_buf(),
            error,
        })?;
        let bad = |message: String| FlowError::BadModelFile {
            path: path.to_path_buf(),
            message,
        };
        let flow = if bytes.starts_with(MAGIC) {
            decode_binary(&bytes).map_err(bad)?
        } else if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
            decode_json(&bytes).map_err(bad)?
        } else {
            return Err(bad(
                "not an iaf model file (no IAFMODEL header, not JSON)".into()
            ));
        };
        flow.validate()
            .map_err(|m| bad(format!("inconsistent model: {m}")))?;
        Ok(flow)
    }

    /// Checks the invariants the code relies on, so a crafted or damaged
    /// file that still decodes cannot cause a panic later.
    fn validate(&self) -> Result<(), String> {
        if self.domains.len() < 2 {
            return Err(format!("{} domains", self.domains.len()));
        }
        let mut seen = vec![false; self.domains.len()];
        for stack in &self.stacks {
            for &d in &stack.domains {
                if d >= seen.len() || std::mem::replace(&mut seen[d], true) {
                    return Err(format!("domain index {d} is invalid or repeated"));
                }
            }
            for (l, layer) in stack.layers.iter().enumerate() {
                let k = match &layer.frame {
                    Frame::Identity => self.dim,
                    Frame::Matrix(w) if w.as_ref().nrows() == self.dim => w.as_ref().ncols(),
                    Frame::Matrix(_) => {
                        return Err(format!("layer {l}: frame of the wrong height"))
                    }
                };
                let ok = match &layer.maps {
                    Maps::Marginal(m) => {
                        m.len() == stack.domains.len() && m.iter().all(|per| per.len() == k)
                    }
                    Maps::Gaussian(g) => {
                        let n = stack.domains.len();
                        g.mean.len() == k
                            && g.domain_means.len() == n
                            && g.domain_means.iter().all(|m| m.len() == k)
                            && g.a.len() == n
                            && g.a_inv.len() == n
                            && g.log_det.len() == n
                            && g.a
                                .iter()
                                .chain(&g.a_inv)
                                .all(|a| a.as_ref().nrows() == k && a.as_ref().ncols() == k)
                    }
                };
                if !ok {
                    return Err(format!(
                        "layer {l}: maps do not match its domains and directions"
                    ));
                }
            }
        }
        if seen.iter().any(|s| !s) || self.stacks.is_empty() {
            return Err("a domain without layers".into());
        }
        if self
            .feature_names
            .as_ref()
            .is_some_and(|f| f.len() != self.dim)
        {
            return Err("feature names do not match the dimension".into());
        }
        if self.premap.dim().is_some_and(|d| d != self.dim) {
            return Err("input map of the wrong dimension".into());
        }
        Ok(())
    }
}

fn decode_binary(bytes: &[u8]) -> Result<Flow, String> {
    if bytes.len() < HEADER {
        return Err(format!(
            "truncated: {} bytes, shorter than the header",
            bytes.len()
        ));
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    if version != FORMAT_VERSION {
        return Err(format!(
            "model format version {version}; this iaf reads version {FORMAT_VERSION}"
        ));
    }
    let len = u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes"));
    let sum = u64::from_le_bytes(bytes[20..28].try_into().expect("8 bytes"));
    let payload = &bytes[HEADER..];
    if payload.len() as u64 != len {
        return Err(format!(
            "truncated or padded: {} bytes of model data, the header says {len}",
            payload.len()
        ));
    }
    if checksum(payload) != sum {
        return Err("corrupted: checksum mismatch".into());
    }
    let flow: Flow = postcard::from_bytes(payload).map_err(|e| format!("corrupted: {e}"))?;
    if flow.version != FORMAT_VERSION {
        return Err(format!("model format version {}", flow.version));
    }
    Ok(flow)
}

fn decode_json(bytes: &[u8]) -> Result<Flow, String> {
    #[derive(Deserialize)]
    struct Head {
        format: String,
        version: u32,
    }
    let head: Head =
        serde_json::from_slice(bytes).map_err(|e| format!("not a valid model: {e}"))?;
    if head.format != "iaf-model" {
        return Err(format!("format {:?} is not \"iaf-model\"", head.format));
    }
    if head.version != FORMAT_VERSION {
        return Err(format!(
            "model format version {}; this iaf reads version {FORMAT_VERSION}",
            head.version
        ));
    }
    let file: JsonFile =
        serde_json::from_slice(bytes).map_err(|e| format!("not a valid model: {e}"))?;
    Ok(file.model)
}
