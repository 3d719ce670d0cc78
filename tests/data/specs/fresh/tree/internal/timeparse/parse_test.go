package timeparse

func TestParseDuration(t *testing.T) {}
