stand-in for __tests__/FeedCard.test.tsx
