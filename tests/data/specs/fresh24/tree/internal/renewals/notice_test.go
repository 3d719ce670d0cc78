package renewals

import "testing"

func TestWindowFor(t *testing.T) {
	cases := map[int]int{60: 60, 30: 30, 7: 7, 45: 0}
	for in, want := range cases {
		if got := windowFor(in); got != want {
			t.Errorf("windowFor(%d) = %d, want %d", in, got, want)
		}
	}
}
