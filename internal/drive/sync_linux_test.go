//go:build linux

package drive

import "testing"

func TestJournalOrdered(t *testing.T) {
	for _, tc := range []struct {
		path string
		want bool
	}{
		{"/proc", false},              // procfs: no journal
		{"/nonexistent/hoard", false}, // unknown: sync every directory
	} {
		if got := journalOrdered(tc.path); got != tc.want {
			t.Errorf("journalOrdered(%s): got %v, want %v", tc.path, got, tc.want)
		}
	}
}
