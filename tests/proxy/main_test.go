package proxy

import (
	"os"
	"testing"

	"github.com/hoardstore/hoard/internal/testserver"
)

func TestMain(m *testing.M) { os.Exit(testserver.Main(m)) }
