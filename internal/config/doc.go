// Package config holds the server's typed configuration: defaults, values
// read from a KEY=VALUE file and the environment (the same HOARD_* names in
// both, so one file serves --config and systemd's EnvironmentFile), and a
// validation step that reports every problem at once.
//
// It imports only the standard library.
package config
