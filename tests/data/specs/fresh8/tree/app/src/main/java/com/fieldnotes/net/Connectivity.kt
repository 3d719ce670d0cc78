stand-in for app/src/main/java/com/fieldnotes/net/Connectivity.kt
