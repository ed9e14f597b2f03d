package testserver

import (
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
)

// LogLevelEnv names the environment variable that sets the level of server
// logs copied into the test log (debug, info, warn, error; default warn).
const LogLevelEnv = "HOARD_TEST_LOG"

// tbWriter copies each write (one log record) into the test log until it
// is closed; writes after the test ended are dropped instead of panicking.
type tbWriter struct {
	mu     sync.Mutex
	tb     testing.TB
	closed bool
}

func newTBWriter(tb testing.TB) *tbWriter { return &tbWriter{tb: tb} }

func (w *tbWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		w.tb.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

func (w *tbWriter) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
}

// newLogger returns a text logger into w at the level LogLevelEnv asks for.
func newLogger(w *tbWriter) *slog.Logger {
	level := slog.LevelWarn
	if v := os.Getenv(LogLevelEnv); v != "" {
		_ = level.UnmarshalText([]byte(v))
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}
