//! Placeholder: the cbsodatar reader is being written.

use crate::{ImportBatch, ImportContext};
#[allow(unused_imports)]
use crate::{Input, SourceFile};
use wijkmonitor_model::Located;

pub fn read(input: &Input, _ctx: &ImportContext<'_>) -> Result<ImportBatch, Located> {
    let _ = input;
    Err(Located::at("cbsodatar", 0, 0, "not implemented yet"))
}
