# stand-in for SDK tests with FakeTransport
