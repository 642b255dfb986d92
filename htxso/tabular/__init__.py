"""Tabular files, below the domain apps: reading sources (CSV in UTF-8 / Windows-1258 / TCVN3 /
VNI, streamed XLSX), the streamed XLSX writer and workbook helpers, generic column parsing
(`columns.Column`, `columns.Layout`) and the findings of a run (`findings.Severity`,
`findings.Findings`). No models; it knows nothing of the registry, exchange or reporting."""
