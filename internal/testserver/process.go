package testserver

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// ProcessOptions configure a hoard server run as a separate process.
type ProcessOptions struct {
	// Binary is the hoard executable, usually BuildHoard's result.
	Binary string
	// Drives are the drive folders; they are reused across restarts.
	Drives []string
	// Region, AccessKey and SecretKey default like Options.
	Region               string
	AccessKey, SecretKey string
	// Args are extra arguments after "server", before the drive folders.
	Args []string
	// Env adds KEY=VALUE pairs to the process environment.
	Env []string
	// Address is the S3 listen address; empty picks a free port on
	// 127.0.0.1 (and a start that finds it taken is retried elsewhere).
	Address string
	// DefaultConsole leaves --console-address unset, so the server picks
	// its default; otherwise the console is disabled.
	DefaultConsole bool
	// CertsDir, when set, serves HTTPS with its public.crt and
	// private.key (--certs-dir); the Endpoint's URL is then https and its
	// TLS trusts public.crt.
	CertsDir string
}

// Process is a hoard server running as a child process on a loopback port
// chosen free just before start. The test's cleanup kills it if it still
// runs.
type Process struct {
	Endpoint
	cmd  *exec.Cmd
	done chan struct{}
	err  error // set before done is closed
	logs *lockedBuffer
}

// lockedBuffer collects the child's output from two pipes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// FreePort returns a loopback address whose port was free a moment ago,
// found by listening on 127.0.0.1:0 and closing the listener.
func FreePort(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("testserver: free port: %v", err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// StartProcess starts `hoard server` with opts and waits until it is
// ready. A start that fails because the chosen port was taken meanwhile is
// retried on another port, at most three times.
func StartProcess(tb testing.TB, opts ProcessOptions) *Process {
	tb.Helper()
	o := Options{Region: opts.Region, AccessKey: opts.AccessKey, SecretKey: opts.SecretKey}.withDefaults()
	opts.Region, opts.AccessKey, opts.SecretKey = o.Region, o.AccessKey, o.SecretKey
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		p, err := startProcess(tb, opts, true)
		if err == nil {
			return p
		}
		lastErr = err
		if opts.Address != "" || !strings.Contains(p.Logs(), "address already in use") {
			break
		}
	}
	tb.Fatalf("testserver: %v", lastErr)
	return nil
}

// StartProcesses starts one `hoard server` per element of opts, all at
// once, and waits until every one is ready: the nodes of a cluster, which
// are ready only together. Each must set Address.
func StartProcesses(tb testing.TB, opts []ProcessOptions) []*Process {
	tb.Helper()
	procs := make([]*Process, len(opts))
	for i, o := range opts {
		if o.Address == "" {
			tb.Fatalf("testserver: StartProcesses: process %d has no address", i)
		}
		d := Options{Region: o.Region, AccessKey: o.AccessKey, SecretKey: o.SecretKey}.withDefaults()
		o.Region, o.AccessKey, o.SecretKey = d.Region, d.AccessKey, d.SecretKey
		p, err := startProcess(tb, o, false)
		if err != nil {
			tb.Fatalf("testserver: %v", err)
		}
		procs[i] = p
	}
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	for _, p := range procs {
		if err := p.WaitReady(ctx, p.done); err != nil {
			tb.Fatalf("testserver: %v\noutput:\n%s", err, p.Logs())
		}
	}
	return procs
}

// startProcess starts the server; wait says to wait until it is ready.
func startProcess(tb testing.TB, opts ProcessOptions, wait bool) (*Process, error) {
	addr := opts.Address
	if addr == "" {
		addr = FreePort(tb)
	}
	args := []string{"server", "--address", addr}
	if !opts.DefaultConsole {
		args = append(args, "--console-address=")
	}
	scheme, clientTLS := "http", (*tls.Config)(nil)
	if opts.CertsDir != "" {
		args = append(args, "--certs-dir", opts.CertsDir)
		pool, err := trustCert(filepath.Join(opts.CertsDir, "public.crt"))
		if err != nil {
			return &Process{logs: &lockedBuffer{}}, err
		}
		scheme, clientTLS = "https", &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	args = append(args, opts.Args...)
	args = append(args, opts.Drives...)
	cmd := exec.Command(opts.Binary, args...)
	cmd.Env = append(os.Environ(),
		"HOARD_ROOT_USER="+opts.AccessKey,
		"HOARD_ROOT_PASSWORD="+opts.SecretKey,
		"HOARD_REGION="+opts.Region,
	)
	cmd.Env = append(cmd.Env, opts.Env...)
	p := &Process{
		Endpoint: Endpoint{URL: scheme + "://" + addr, Region: opts.Region, AccessKey: opts.AccessKey, SecretKey: opts.SecretKey, TLS: clientTLS},
		cmd:      cmd,
		done:     make(chan struct{}),
		logs:     &lockedBuffer{},
	}
	cmd.Stdout, cmd.Stderr = p.logs, p.logs
	if err := cmd.Start(); err != nil {
		return p, fmt.Errorf("start %s: %w", opts.Binary, err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	tb.Cleanup(func() {
		p.Kill()
		if tb.Failed() {
			tb.Logf("hoard server output (pid %d):\n%s", cmd.Process.Pid, p.Logs())
		}
	})
	if !wait {
		return p, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	if err := p.WaitReady(ctx, p.done); err != nil {
		p.Kill()
		return p, fmt.Errorf("%w\noutput:\n%s", err, p.Logs())
	}
	return p, nil
}

// trustCert returns a pool holding the PEM certificates of file.
func trustCert(file string) (*x509.CertPool, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("reading the server certificate: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("no certificate in %s", file)
	}
	return pool, nil
}

// Logs returns everything the process wrote to stdout and stderr so far.
func (p *Process) Logs() string { return p.logs.String() }

// Pid returns the process ID.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Exited is closed once the process has exited.
func (p *Process) Exited() <-chan struct{} { return p.done }

// Kill sends SIGKILL, if the process still runs, and waits until it exited.
func (p *Process) Kill() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// errStopTimeout is returned by Stop when the process ignored SIGTERM.
var errStopTimeout = errors.New("testserver: process did not exit after SIGTERM")

// Stop sends SIGTERM and waits up to timeout for a graceful exit; it
// returns the exit error (nil for status 0). A process still running after
// timeout is killed and errStopTimeout returned.
func (p *Process) Stop(timeout time.Duration) error {
	select {
	case <-p.done:
		return p.err
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return p.err
	case <-time.After(timeout):
		p.Kill()
		return errStopTimeout
	}
}
