package s3api

import "testing"

func TestDecodeMetaValue(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"ascii", "plain value", "plain value"},
		{"raw utf-8", "Grüße 中文", "Grüße 中文"},
		{"raw latin-1", "Hello World\xe9", "Hello Worldé"},
		{"B word", "=?UTF-8?B?R3LDvMOfZQ==?=", "Grüße"},
		{"lower-case b and charset", "=?utf-8?b?R3LDvMOfZQ==?=", "Grüße"},
		{"Q word", "=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=", "Grüße"},
		{"ISO-8859-1 word", "=?ISO-8859-1?Q?caf=E9?=", "café"},
		{"words and text", "a =?UTF-8?B?w7Y=?= b", "a ö b"},
		{"adjacent words", "=?UTF-8?B?w7Y=?= =?UTF-8?B?w7Y=?=", "öö"},
		{"broken word kept", "=?UTF-8?B?###?=", "=?UTF-8?B?###?="},
		{"unknown charset kept", "=?KOI8-R?B?w7Y=?=", "=?KOI8-R?B?w7Y=?="},
		{"not a word", "a=?b", "a=?b"},
	} {
		if got := decodeMetaValue(tc.in); got != tc.want {
			t.Errorf("%s: decodeMetaValue(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}

func TestEncodeMetaValue(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"ascii as is", "plain =?value", "plain =?value"},
		{"utf-8", "Grüße", "=?UTF-8?B?R3LDvMOfZQ==?="},
		{"cjk", "中文", "=?UTF-8?B?5Lit5paH?="},
		{"control characters", "a\r\nb", "=?UTF-8?B?YQ0KYg==?="},
		{"raw latin-1 stored earlier", "caf\xe9", "=?UTF-8?B?Y2Fmw6k=?="},
	} {
		if got := encodeMetaValue(tc.in); got != tc.want {
			t.Errorf("%s: encodeMetaValue(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
		if got := decodeMetaValue(encodeMetaValue(tc.in)); tc.name != "raw latin-1 stored earlier" && got != tc.in {
			t.Errorf("%s: round trip of %q gives %q", tc.name, tc.in, got)
		}
	}
}
