package cluster

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
)

// RPCServer answers the calls of peer nodes: operations on this node's
// drives, its lock table and pings. Every request must carry a valid
// signature; anything else is refused with 403 before it is looked at.
type RPCServer struct {
	auth   *authenticator
	drives map[string]drive.Drive
	locks  *LockTable
	info   func() PingInfo
	log    *slog.Logger
	bufs   sync.Pool
	ops    map[string]driveOp

	refusedMu sync.Mutex
	refused   map[string]time.Time // remote host -> last refusal logged
}

// shouldLogRefusal rate-limits the log of refused requests per remote host.
func (s *RPCServer) shouldLogRefusal(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	s.refusedMu.Lock()
	defer s.refusedMu.Unlock()
	if s.refused == nil {
		s.refused = map[string]time.Time{}
	}
	if last, ok := s.refused[host]; ok && time.Since(last) < time.Minute {
		return false
	}
	if len(s.refused) > 1024 {
		clear(s.refused)
	}
	s.refused[host] = time.Now()
	return true
}

// newRPCServer serves drives (keyed by their folder as the endpoints name
// it) and locks; info answers pings.
func newRPCServer(auth *authenticator, drives map[string]drive.Drive, locks *LockTable, info func() PingInfo, log *slog.Logger) *RPCServer {
	return &RPCServer{
		auth: auth, drives: drives, locks: locks, info: info, log: log, ops: driveOps(),
		bufs: sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }},
	}
}

// Prefix is the path every RPC lives under; the server routes it here.
const Prefix = rpcPrefix

// rpcError is an error answer: the drive's (or our) marker and message.
func rpcError(w http.ResponseWriter, err error) {
	code, status := encodeError(err)
	w.Header().Set(errorHeader, code)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, err.Error())
}

// ServeHTTP authenticates and dispatches one RPC.
func (s *RPCServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := s.auth.verify(r); err != nil {
		if s.shouldLogRefusal(r.RemoteAddr) {
			s.log.Warn("refused node-to-node request (logged once a minute per peer)", "remote", r.RemoteAddr, "path", r.URL.Path, "err", err)
		}
		rpcError(w, err)
		return
	}
	op := r.Method + " " + strings.TrimPrefix(r.URL.Path, rpcPrefix)
	switch op {
	case "GET ping":
		writeJSON(w, s.info())
	case "POST lock":
		s.lock(w, r)
	case "POST lock/release":
		s.releaseLocks(w, r)
	case "PUT drive/shard":
		s.createShard(w, r)
	case "GET drive/shard":
		s.readShard(w, r)
	default:
		s.driveCall(w, r, op)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// drive returns the drive a request names.
func (s *RPCServer) drive(r *http.Request) (drive.Drive, error) {
	p := r.URL.Query().Get("drive")
	d, ok := s.drives[p]
	if !ok {
		return nil, fmt.Errorf("%w: no drive %q on this node", ErrTopology, p)
	}
	return d, nil
}

func readBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("%w: reading body: %v", ErrProtocol, err)
	}
	return b, nil
}

func parseDataDir(s string) (meta.DataDir, error) {
	var d meta.DataDir
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != meta.DataDirLen {
		return d, fmt.Errorf("%w: data directory %q", drive.ErrInvalidArgument, s)
	}
	copy(d[:], b)
	return d, nil
}

// driveOp serves one metadata operation of a drive; its result is the
// answer body.
type driveOp func(r *http.Request, d drive.Drive) ([]byte, error)

// driveOps returns the metadata operations by "METHOD path".
func driveOps() map[string]driveOp {
	return map[string]driveOp{
		"GET drive/format": func(r *http.Request, d drive.Drive) ([]byte, error) {
			f, err := d.ReadFormat(r.Context())
			if err != nil {
				return nil, err
			}
			return json.Marshal(f)
		},
		"PUT drive/format": func(r *http.Request, d drive.Drive) ([]byte, error) {
			b, err := readBody(r)
			if err != nil {
				return nil, err
			}
			var f drive.Format
			if err := json.Unmarshal(b, &f); err != nil {
				return nil, fmt.Errorf("%w: format: %v", ErrProtocol, err)
			}
			return nil, d.WriteFormat(r.Context(), f)
		},
		"GET drive/diskinfo": func(r *http.Request, d drive.Drive) ([]byte, error) {
			di, err := d.DiskInfo(r.Context())
			if err != nil {
				return nil, err
			}
			return json.Marshal(di)
		},
		"PUT drive/bucket": func(r *http.Request, d drive.Drive) ([]byte, error) {
			b, err := readBody(r)
			if err != nil {
				return nil, err
			}
			return nil, d.MakeBucket(r.Context(), r.URL.Query().Get("name"), b)
		},
		"DELETE drive/bucket": func(r *http.Request, d drive.Drive) ([]byte, error) {
			return nil, d.DeleteBucket(r.Context(), r.URL.Query().Get("name"))
		},
		"GET drive/record": func(r *http.Request, d drive.Drive) ([]byte, error) {
			q := r.URL.Query()
			ns := q.Get("ns")
			if len(ns) != 1 {
				return nil, fmt.Errorf("%w: namespace %q", drive.ErrInvalidArgument, ns)
			}
			if drive.Namespace(ns[0]) == drive.NSObject {
				switch q.Get("newest") {
				case "1":
					return d.GetNewest(r.Context(), q.Get("key"))
				case "write":
					return d.GetNewestToWrite(r.Context(), q.Get("key"))
				}
			}
			return d.Get(r.Context(), drive.Namespace(ns[0]), q.Get("key"))
		},
		"POST drive/walk": walkOp,
		"POST drive/apply": func(r *http.Request, d drive.Drive) ([]byte, error) {
			b, err := readBody(r)
			if err != nil {
				return nil, err
			}
			batch, err := decodeBatch(b)
			if err != nil {
				return nil, err
			}
			return nil, d.Apply(r.Context(), batch)
		},
		"DELETE drive/stage": func(r *http.Request, d drive.Drive) ([]byte, error) {
			return nil, d.RemoveStage(r.Context(), r.URL.Query().Get("stage"))
		},
		"GET drive/shards": func(r *http.Request, d drive.Drive) ([]byte, error) {
			dir, err := parseDataDir(r.URL.Query().Get("dir"))
			if err != nil {
				return nil, err
			}
			names, err := d.ListShards(r.Context(), dir)
			if err != nil {
				return nil, err
			}
			return encodeNames(names), nil
		},
		"POST drive/shards/remove": removeShardsOp,
		"DELETE drive/datadir": func(r *http.Request, d drive.Drive) ([]byte, error) {
			dir, err := parseDataDir(r.URL.Query().Get("dir"))
			if err != nil {
				return nil, err
			}
			return nil, d.RemoveDataDir(r.Context(), dir)
		},
	}
}

// driveCall serves the metadata operations of a drive.
func (s *RPCServer) driveCall(w http.ResponseWriter, r *http.Request, op string) {
	fn, ok := s.ops[op]
	if !ok {
		rpcError(w, fmt.Errorf("%w: unknown call %q", ErrProtocol, op))
		return
	}
	d, err := s.drive(r)
	if err != nil {
		rpcError(w, err)
		return
	}
	out, err := fn(r, d)
	if err != nil {
		rpcError(w, err)
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.Write(out)
}

func walkOp(r *http.Request, d drive.Drive) ([]byte, error) {
	b, err := readBody(r)
	if err != nil {
		return nil, err
	}
	o, err := decodeWalkOptions(b)
	if err != nil {
		return nil, err
	}
	res, err := d.Walk(r.Context(), o)
	if err != nil {
		return nil, err
	}
	return encodeWalkResult(res), nil
}

func removeShardsOp(r *http.Request, d drive.Drive) ([]byte, error) {
	dir, err := parseDataDir(r.URL.Query().Get("dir"))
	if err != nil {
		return nil, err
	}
	b, err := readBody(r)
	if err != nil {
		return nil, err
	}
	names, err := decodeNames(b)
	if err != nil {
		return nil, err
	}
	return nil, d.RemoveShards(r.Context(), dir, names)
}

// readShard streams a byte range of a shard file. The answer announces
// the range's length; if the file ends early the connection is cut short
// of it, which the client sees as an unexpected end of the stream.
func (s *RPCServer) readShard(w http.ResponseWriter, r *http.Request) {
	d, err := s.drive(r)
	if err != nil {
		rpcError(w, err)
		return
	}
	q := r.URL.Query()
	dir, err := parseDataDir(q.Get("dir"))
	if err != nil {
		rpcError(w, err)
		return
	}
	off, err1 := strconv.ParseInt(q.Get("offset"), 10, 64)
	n, err2 := strconv.ParseInt(q.Get("length"), 10, 64)
	if err1 != nil || err2 != nil || off < 0 || n < 0 {
		rpcError(w, fmt.Errorf("%w: range %q+%q", drive.ErrInvalidArgument, q.Get("offset"), q.Get("length")))
		return
	}
	rc, err := d.ReadShard(r.Context(), dir, q.Get("name"), off, n)
	if err != nil {
		rpcError(w, err)
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
	w.WriteHeader(http.StatusOK)
	bp := s.bufs.Get().(*[]byte)
	defer s.bufs.Put(bp)
	if _, err := io.CopyBuffer(w, io.LimitReader(rc, n), *bp); err != nil {
		s.log.Debug("shard stream cut", "remote", r.RemoteAddr, "err", err)
	}
}

// createShard streams a request body into a staged shard file. The file
// is created before the body is read, so a refusal (no space, bad name)
// is answered before the client sends any data; an incomplete body
// (the client aborted or died) discards the file.
func (s *RPCServer) createShard(w http.ResponseWriter, r *http.Request) {
	d, err := s.drive(r)
	if err != nil {
		rpcError(w, err)
		return
	}
	q := r.URL.Query()
	size, err := strconv.ParseInt(q.Get("size"), 10, 64)
	if err != nil {
		rpcError(w, fmt.Errorf("%w: size %q", drive.ErrInvalidArgument, q.Get("size")))
		return
	}
	sw, err := d.CreateShard(r.Context(), q.Get("stage"), q.Get("name"), size)
	if err != nil {
		rpcError(w, err)
		return
	}
	bp := s.bufs.Get().(*[]byte)
	_, err = io.CopyBuffer(sw, r.Body, *bp)
	s.bufs.Put(bp)
	if err != nil {
		sw.Abort()
		rpcError(w, fmt.Errorf("cluster: shard stream: %w", err))
		return
	}
	if end := r.Trailer.Get(shardTrailer); end != "complete" {
		if err := sw.Abort(); err != nil {
			rpcError(w, err)
			return
		}
		if end != "abort" {
			rpcError(w, fmt.Errorf("%w: shard stream ended without a trailer", ErrProtocol))
			return
		}
		w.WriteHeader(http.StatusOK)
		return
	}
	if err := sw.Close(); err != nil {
		rpcError(w, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// lock serves the lock table: op is lock, rlock, unlock, runlock or refresh.
func (s *RPCServer) lock(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ttl, err := time.ParseDuration(q.Get("ttl"))
	if err != nil && q.Get("ttl") != "" {
		rpcError(w, fmt.Errorf("%w: ttl %q", ErrProtocol, q.Get("ttl")))
		return
	}
	ok, err := s.locks.Do(q.Get("op"), q.Get("resource"), q.Get("uid"), ttl)
	if err != nil {
		rpcError(w, err)
		return
	}
	if ok {
		io.WriteString(w, "1")
	} else {
		io.WriteString(w, "0")
	}
}

// IsRPC reports whether r is a node-to-node call: its path is under
// Prefix and it carries this package's signature scheme (so an S3
// request for a virtual-host bucket is never taken for one).
func IsRPC(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, rpcPrefix) && strings.HasPrefix(r.Header.Get(authHeader), authScheme)
}

// releaseLocks performs a batch of unlock and runlock operations.
func (s *RPCServer) releaseLocks(w http.ResponseWriter, r *http.Request) {
	b, err := readBody(r)
	if err != nil {
		rpcError(w, err)
		return
	}
	rs, err := decodeReleases(b)
	if err != nil {
		rpcError(w, err)
		return
	}
	for _, rel := range rs {
		if rel.op != "unlock" && rel.op != "runlock" {
			rpcError(w, fmt.Errorf("%w: %q in a release batch", ErrProtocol, rel.op))
			return
		}
		if _, err := s.locks.Do(rel.op, rel.resource, rel.uid, 0); err != nil {
			rpcError(w, err)
			return
		}
	}
	w.WriteHeader(http.StatusOK)
}
