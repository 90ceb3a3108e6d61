//! Placeholder: the CBS OData fetcher is being written.
