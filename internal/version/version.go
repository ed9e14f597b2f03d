package version

import "runtime/debug"

// Version is the release version; "dev" for untagged builds.
var Version = "dev"

// Commit is the git commit the binary was built from; read from the build
// info when not set by the linker.
var Commit = ""

// String returns "VERSION (commit COMMIT)".
func String() string {
	c := Commit
	if c == "" {
		c = "unknown"
		if info, ok := debug.ReadBuildInfo(); ok {
			for _, s := range info.Settings {
				if s.Key == "vcs.revision" && s.Value != "" {
					c = s.Value
				}
			}
		}
	}
	if len(c) > 12 {
		c = c[:12]
	}
	return Version + " (commit " + c + ")"
}
