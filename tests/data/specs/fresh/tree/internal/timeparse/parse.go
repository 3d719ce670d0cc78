package timeparse

func ParseDuration(s string) (time.Duration, error) { return time.ParseDuration(s) }
