package console

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// palettes reads the colour variables of the light scheme (the first
// :root block) and the dark one (the :root inside prefers-color-scheme).
func palettes(t *testing.T) map[string]map[string]string {
	t.Helper()
	css, err := web.ReadFile("web/app.css")
	if err != nil {
		t.Fatal(err)
	}
	text := string(css)
	darkAt := strings.Index(text, "@media (prefers-color-scheme: dark)")
	if darkAt < 0 {
		t.Fatal("app.css has no dark scheme")
	}
	varRE := regexp.MustCompile(`--([a-z0-9-]+):\s*(#[0-9a-fA-F]{6});`)
	read := func(block string) map[string]string {
		end := strings.Index(block, "}")
		m := map[string]string{}
		for _, v := range varRE.FindAllStringSubmatch(block[:end], -1) {
			m[v[1]] = v[2]
		}
		return m
	}
	return map[string]map[string]string{
		"light": read(text[strings.Index(text, ":root {"):]),
		"dark":  read(text[darkAt+strings.Index(text[darkAt:], ":root {"):]),
	}
}

// luminance is the WCAG relative luminance of "#rrggbb".
func luminance(hex string) float64 {
	var c [3]float64
	for i := range c {
		v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		s := float64(v) / 255
		if s <= 0.03928 {
			c[i] = s / 12.92
		} else {
			c[i] = math.Pow((s+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]
}

func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// TestContrast checks that every text colour meets WCAG AA (4.5:1) on the
// backgrounds it is used on, in both schemes.
func TestContrast(t *testing.T) {
	pairs := [][2]string{
		{"text", "bg"}, {"text", "surface"}, {"text", "surface-2"},
		{"muted", "bg"}, {"muted", "surface"}, {"muted", "surface-2"},
		{"primary", "surface"}, {"primary", "bg"}, {"primary", "primary-soft"},
		{"on-primary", "primary"}, {"on-primary", "primary-hover"}, {"on-primary", "danger"},
		{"danger", "surface"}, {"danger", "danger-soft"},
		{"ok", "surface"}, {"ok", "ok-soft"}, {"warn", "warn-soft"},
	}
	for scheme, p := range palettes(t) {
		if len(p) < 15 {
			t.Fatalf("%s: read %d colour variables from app.css, want at least 15", scheme, len(p))
		}
		for _, pair := range pairs {
			fg, bg := p[pair[0]], p[pair[1]]
			if fg == "" || bg == "" {
				t.Errorf("%s: --%s or --%s is missing", scheme, pair[0], pair[1])
				continue
			}
			if r := contrast(fg, bg); r < 4.5 {
				t.Errorf("%s: --%s %s on --%s %s: got contrast %.2f, want at least 4.5", scheme, pair[0], fg, pair[1], bg, r)
			}
		}
	}
}
