package cluster

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
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
}

// newRPCServer serves drives (keyed by their folder as the endpoints name
// it) and locks; info answers pings.
func newRPCServer(auth *authenticator, drives map[string]drive.Drive, locks *LockTable, info func() PingInfo, log *slog.Logger) *RPCServer {
	return &RPCServer{
		auth: auth, drives: drives, locks: locks, info: info, log: log,
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
		s.log.Warn("refused node-to-node request", "remote", r.RemoteAddr, "path", r.URL.Path, "err", err)
		rpcError(w, err)
		return
	}
	op := r.Method + " " + strings.TrimPrefix(r.URL.Path, rpcPrefix)
	switch op {
	case "GET ping":
		writeJSON(w, s.info())
	case "POST lock":
		s.lock(w, r)
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

// driveCall serves the metadata operations of a drive.
func (s *RPCServer) driveCall(w http.ResponseWriter, r *http.Request, op string) {
	d, err := s.drive(r)
	if err != nil {
		rpcError(w, err)
		return
	}
	q := r.URL.Query()
	ctx := r.Context()
	var out []byte
	switch op {
	case "GET drive/format":
		var f drive.Format
		if f, err = d.ReadFormat(ctx); err == nil {
			out, err = json.Marshal(f)
		}
	case "PUT drive/format":
		var b []byte
		var f drive.Format
		if b, err = readBody(r); err == nil {
			if err = json.Unmarshal(b, &f); err != nil {
				err = fmt.Errorf("%w: format: %v", ErrProtocol, err)
			} else {
				err = d.WriteFormat(ctx, f)
			}
		}
	case "GET drive/diskinfo":
		var di drive.DiskInfo
		if di, err = d.DiskInfo(ctx); err == nil {
			out, err = json.Marshal(di)
		}
	case "PUT drive/bucket":
		var b []byte
		if b, err = readBody(r); err == nil {
			err = d.MakeBucket(ctx, q.Get("name"), b)
		}
	case "DELETE drive/bucket":
		err = d.DeleteBucket(ctx, q.Get("name"))
	case "GET drive/record":
		ns := q.Get("ns")
		if len(ns) != 1 {
			err = fmt.Errorf("%w: namespace %q", drive.ErrInvalidArgument, ns)
		} else {
			out, err = d.Get(ctx, drive.Namespace(ns[0]), q.Get("key"))
		}
	case "POST drive/walk":
		out, err = s.walk(r, d)
	case "POST drive/apply":
		var b []byte
		var batch drive.Batch
		if b, err = readBody(r); err == nil {
			if batch, err = decodeBatch(b); err == nil {
				err = d.Apply(ctx, batch)
			}
		}
	case "DELETE drive/stage":
		err = d.RemoveStage(ctx, q.Get("stage"))
	case "GET drive/shards":
		var dir meta.DataDir
		var names []string
		if dir, err = parseDataDir(q.Get("dir")); err == nil {
			if names, err = d.ListShards(ctx, dir); err == nil {
				out = encodeNames(names)
			}
		}
	case "POST drive/shards/remove":
		err = s.removeShards(r, d)
	case "DELETE drive/datadir":
		var dir meta.DataDir
		if dir, err = parseDataDir(q.Get("dir")); err == nil {
			err = d.RemoveDataDir(ctx, dir)
		}
	default:
		err = fmt.Errorf("%w: unknown call %q", ErrProtocol, op)
	}
	if err != nil {
		rpcError(w, err)
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.Write(out)
}

func (s *RPCServer) walk(r *http.Request, d drive.Drive) ([]byte, error) {
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

func (s *RPCServer) removeShards(r *http.Request, d drive.Drive) error {
	dir, err := parseDataDir(r.URL.Query().Get("dir"))
	if err != nil {
		return err
	}
	b, err := readBody(r)
	if err != nil {
		return err
	}
	names, err := decodeNames(b)
	if err != nil {
		return err
	}
	return d.RemoveShards(r.Context(), dir, names)
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
