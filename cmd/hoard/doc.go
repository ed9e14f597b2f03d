// Command hoard is Hoard's single binary: `hoard server` runs the S3
// server, and the other subcommands are the client CLI.
package main
