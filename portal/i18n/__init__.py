"""i18n and digits: Persian and Arabic-Indic digits, language prefixes in paths, the language switch."""
