stand-in for app/src/main/java/com/fieldnotes/settings/SettingsActivity.kt
