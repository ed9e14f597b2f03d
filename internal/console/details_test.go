package console

import "testing"

func TestMetaText(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                     "plain",
		"=?UTF-8?B?R3LDvMOfZQ==?=":  "Grüße",
		"=?UTF-8?B?broken?":         "=?UTF-8?B?broken?",
		"a =?UTF-8?Q?caf=C3=A9?= b": "a café b",
	} {
		if got := metaText(in); got != want {
			t.Errorf("metaText(%q) = %q, want %q", in, got, want)
		}
	}
}
