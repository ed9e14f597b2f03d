package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// sizeUnits maps the suffixes parseSize accepts to their factor.
var sizeUnits = map[string]int64{
	"": 1, "b": 1,
	"k": 1 << 10, "ki": 1 << 10, "kib": 1 << 10, "kb": 1000,
	"m": 1 << 20, "mi": 1 << 20, "mib": 1 << 20, "mb": 1000 * 1000,
	"g": 1 << 30, "gi": 1 << 30, "gib": 1 << 30, "gb": 1000 * 1000 * 1000,
	"t": 1 << 40, "ti": 1 << 40, "tib": 1 << 40, "tb": 1000 * 1000 * 1000 * 1000,
}

// parseSize parses a byte count such as "512", "16MiB", "1.5G" or "10kb".
// Bare K, M, G and T are binary (powers of 1024); KB, MB, GB, TB decimal.
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return !unicode.IsDigit(r) && r != '.' })
	num, unit := t, ""
	if i >= 0 {
		num, unit = t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	}
	factor, ok := sizeUnits[unit]
	if num == "" || !ok {
		return 0, fmt.Errorf("size %q: want a number with an optional unit (KiB, MiB, GiB, TiB, KB, MB, GB, TB)", s)
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("size %q: want a non-negative number", s)
	}
	v := f * float64(factor)
	if v > 1<<62 {
		return 0, fmt.Errorf("size %q: too large", s)
	}
	return int64(v), nil
}

// humanSize formats n bytes with binary units: "0 B", "1.5 KiB", "12 MiB".
func humanSize(n int64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatInt(n, 10) + " B"
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	v := float64(n) / float64(div)
	prec := 1
	if v >= 100 {
		prec = 0
	}
	return strconv.FormatFloat(v, 'f', prec, 64) + " " + string("KMGTPE"[exp]) + "iB"
}

// parseDuration parses a Go duration extended with days and weeks:
// "90s", "12h", "7d", "2w", "1d12h".
func parseDuration(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, fmt.Errorf("duration %q: empty", s)
	}
	var total time.Duration
	rest := t
	for rest != "" {
		i := strings.IndexFunc(rest, func(r rune) bool { return !unicode.IsDigit(r) && r != '.' })
		if i <= 0 {
			return 0, fmt.Errorf("duration %q: want forms like 30s, 15m, 12h, 7d, 2w", s)
		}
		j := i
		for j < len(rest) && unicode.IsLetter(rune(rest[j])) {
			j++
		}
		num, unit := rest[:i], rest[i:j]
		rest = rest[j:]
		var factor time.Duration
		switch unit {
		case "d":
			factor = 24 * time.Hour
		case "w":
			factor = 7 * 24 * time.Hour
		default:
			d, err := time.ParseDuration(num + unit)
			if err != nil {
				return 0, fmt.Errorf("duration %q: want forms like 30s, 15m, 12h, 7d, 2w", s)
			}
			total += d
			continue
		}
		f, err := strconv.ParseFloat(num, 64)
		if err != nil {
			return 0, fmt.Errorf("duration %q: %w", s, err)
		}
		total += time.Duration(f * float64(factor))
	}
	if total < 0 {
		return 0, fmt.Errorf("duration %q: negative", s)
	}
	return total, nil
}

// humanDuration formats d compactly for expiry messages: "7d", "1h",
// "2h30m", "45s".
func humanDuration(d time.Duration) string {
	if d <= 0 {
		return "0s"
	}
	var b strings.Builder
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if n := d / u.unit; n > 0 {
			b.WriteString(strconv.FormatInt(int64(n), 10) + u.name)
			d -= n * u.unit
		}
	}
	if b.Len() == 0 {
		return d.String()
	}
	return b.String()
}
