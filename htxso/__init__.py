"""HTX Số — the open-source digital platform for Vietnam's cooperative economy."""
