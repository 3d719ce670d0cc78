stand-in for src/screens/FeedScreen.tsx
