stand-in for src/components/FeedCard.tsx
