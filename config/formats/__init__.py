"""The portal's own format module (FORMAT_MODULE_PATH): Vietnamese conventions in one place."""
