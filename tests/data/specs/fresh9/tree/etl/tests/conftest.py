# stand-in for fake in-memory DB connection fixture
