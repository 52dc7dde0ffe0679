//! Models of config files that need more than their tree.

use crate::parse::bicep;
use crate::parse::tree::Documents;
use crate::source::SourceFile;

/// An Azure deployment template: ARM JSON or Bicep.
pub enum AzureTemplate<'m> {
    /// An ARM template (JSON documents).
    Arm(&'m SourceFile, &'m Documents),
    /// A Bicep file.
    Bicep(&'m SourceFile, &'m bicep::File),
}
