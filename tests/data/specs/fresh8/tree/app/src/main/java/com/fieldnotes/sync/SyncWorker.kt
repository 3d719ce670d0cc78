stand-in for app/src/main/java/com/fieldnotes/sync/SyncWorker.kt
