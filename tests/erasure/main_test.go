package erasure

import (
	"os"
	"testing"

	"github.com/hoardstore/hoard/internal/testserver"
)

// TestMain removes the hoard binary the process tests build.
func TestMain(m *testing.M) { os.Exit(testserver.Main(m)) }
