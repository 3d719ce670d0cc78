stand-in for src/hooks/useFeed.ts
