# stand-in for export CLI tests with FakeApiClient fixture
