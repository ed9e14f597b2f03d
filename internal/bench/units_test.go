package bench

import "testing"

func TestParseSize(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"4096", 4096, true},
		{"4KiB", 4096, true},
		{"4k", 4096, true},
		{"4 KiB", 4096, true},
		{"64MiB", 64 << 20, true},
		{"1MB", 1_000_000, true},
		{"2GiB", 2 << 30, true},
		{"10b", 10, true},
		{"0", 0, true},
		{"", 0, false},
		{"-1", 0, false},
		{"1.5MiB", 0, false},
		{"4XB", 0, false},
		{"99999999999TiB", 0, false},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := ParseSize(c.in)
			if (err == nil) != c.ok || got != c.want {
				t.Errorf("got %d, %v; want %d, ok=%v", got, err, c.want, c.ok)
			}
		})
	}
}

func TestParseSizeRange(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in     string
		lo, hi int64
		ok     bool
	}{
		{"64KiB", 64 << 10, 64 << 10, true},
		{"4KiB-1MiB", 4 << 10, 1 << 20, true},
		{"1MiB-4KiB", 0, 0, false},
		{"4KiB-", 0, 0, false},
		{"x-1", 0, 0, false},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			lo, hi, err := ParseSizeRange(c.in)
			if (err == nil) != c.ok || lo != c.lo || hi != c.hi {
				t.Errorf("got %d-%d, %v; want %d-%d, ok=%v", lo, hi, err, c.lo, c.hi, c.ok)
			}
		})
	}
}

func TestFormatSize(t *testing.T) {
	t.Parallel()
	cases := map[int64]string{0: "0 B", 512: "512 B", 4096: "4 KiB", 1536 << 10: "1.5 MiB", 64 << 20: "64 MiB", 3 << 30: "3 GiB"}
	for in, want := range cases {
		if got := FormatSize(in); got != want {
			t.Errorf("FormatSize(%d): got %q, want %q", in, got, want)
		}
	}
}

func TestParseMix(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want Mix
		ok   bool
	}{
		{"get=45,put=15,delete=10,stat=30", DefaultMix(), true},
		{"get=1", Mix{Get: 1}, true},
		{"GET=2, head=3", Mix{Get: 2, Stat: 3}, true},
		{"get=0", Mix{}, false},
		{"get=-1", Mix{}, false},
		{"get=1x", Mix{}, false},
		{"copy=1", Mix{}, false},
		{"get", Mix{}, false},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := ParseMix(c.in)
			if (err == nil) != c.ok || got != c.want {
				t.Errorf("got %+v, %v; want %+v, ok=%v", got, err, c.want, c.ok)
			}
		})
	}
	if m, err := ParseMix(DefaultMix().String()); err != nil || m != DefaultMix() {
		t.Errorf("String does not round-trip: got %+v, %v", m, err)
	}
}
