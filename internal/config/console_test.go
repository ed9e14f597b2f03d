package config

import "testing"

// TestConsoleListen checks that the console follows the S3 address's
// host by default and never listens more widely than asked.
func TestConsoleListen(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ address, console, want string }{
		{"127.0.0.2:9000", DefaultConsoleAddress, "127.0.0.2:9001"},
		{"[::1]:9000", DefaultConsoleAddress, "[::1]:9001"},
		{"node1.example.net:9000", DefaultConsoleAddress, "node1.example.net:9001"},
		{":9000", DefaultConsoleAddress, ":9001"},
		{"127.0.0.2:9000", "127.0.0.3:7000", "127.0.0.3:7000"},
		{"127.0.0.2:9000", "", ""},
	} {
		s := Defaults()
		s.Address, s.ConsoleAddress = tc.address, tc.console
		if got := s.ConsoleListen(); got != tc.want {
			t.Errorf("address %q console %q: got %q, want %q", tc.address, tc.console, got, tc.want)
		}
	}
	if d := Defaults(); d.ConsoleAddress != DefaultConsoleAddress {
		t.Errorf("default console address: got %q, want %q", d.ConsoleAddress, DefaultConsoleAddress)
	}
}
