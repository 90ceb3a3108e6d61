//! Placeholder: the statline reader is being written.

use crate::{ImportBatch, ImportContext};
#[allow(unused_imports)]
use crate::{Input, SourceFile};
use wijkmonitor_model::Located;

pub fn read(file: &SourceFile, _ctx: &ImportContext<'_>) -> Result<ImportBatch, Located> {
    let _ = file;
    Err(Located::at("statline", 0, 0, "not implemented yet"))
}
