//go:build !linux

package drive

import "os"

// openDirect reports that direct I/O is not used on this platform.
func openDirect(path string) (*os.File, error) { return nil, errDirectRefused }

// clearDirect has nothing to clear where files are never opened direct.
func clearDirect(f *os.File) error { return nil }

// directRefused is false: no write is ever direct here.
func directRefused(err error) bool { return false }
