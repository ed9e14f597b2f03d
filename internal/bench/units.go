package bench

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseSize reads a byte count such as "4096", "4KiB", "4k" (both 4,096),
// "1MB" (1,000,000) or "64MiB".
func ParseSize(s string) (int64, error) {
	// Binary for K, M, G, T with or without "iB"; decimal for KB, MB, GB, TB.
	sizeUnits := []struct {
		suffix string
		factor int64
	}{
		{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40},
		{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12},
		{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"t", 1 << 40},
		{"b", 1},
	}
	t := strings.ToLower(strings.TrimSpace(s))
	factor := int64(1)
	for _, u := range sizeUnits {
		if strings.HasSuffix(t, u.suffix) {
			t, factor = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.factor
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/factor {
		return 0, fmt.Errorf("bench: size %q: want a non-negative integer with an optional unit (KiB, MiB, GiB, KB, MB, GB)", s)
	}
	return n * factor, nil
}

// ParseSizeRange reads a fixed size ("64KiB") or a range ("4KiB-1MiB").
func ParseSizeRange(s string) (lo, hi int64, err error) {
	a, b, isRange := strings.Cut(s, "-")
	if lo, err = ParseSize(a); err != nil {
		return 0, 0, err
	}
	if !isRange {
		return lo, lo, nil
	}
	if hi, err = ParseSize(b); err != nil {
		return 0, 0, err
	}
	if hi < lo {
		return 0, 0, fmt.Errorf("bench: size range %q ends below its start", s)
	}
	return lo, hi, nil
}

// FormatSize writes n bytes in the largest binary unit that keeps it
// readable: "512 B", "4 KiB", "1.5 MiB".
func FormatSize(n int64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	f := float64(n)
	i := 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	if f == float64(int64(f)) {
		return fmt.Sprintf("%d %s", int64(f), units[i])
	}
	return fmt.Sprintf("%.1f %s", f, units[i])
}

// formatSizeRange writes a fixed size or a range.
func formatSizeRange(lo, hi int64) string {
	if lo == hi {
		return FormatSize(lo)
	}
	return FormatSize(lo) + " - " + FormatSize(hi)
}
