stand-in for src/api/feed.ts
