stand-in for app/src/test/java/com/fieldnotes/sync/SyncWorkerTest.kt
