package cluster

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/storage"
)

// Errors of the cluster layer; test them with errors.Is.
var (
	// ErrOffline marks a call to a node that is unreachable or was found
	// unreachable recently; calls fail fast with it until a background
	// probe sees the node again.
	ErrOffline = errors.New("cluster: node offline")
	// ErrAuth marks a request refused because its signature is missing,
	// wrong or too old (the nodes do not share the same secret).
	ErrAuth = errors.New("cluster: authentication failed")
	// ErrProtocol marks an answer the client could not understand.
	ErrProtocol = errors.New("cluster: protocol error")
	// ErrLockQuorum marks a lock that could not be taken on enough nodes;
	// it wraps storage.ErrWriteQuorum so S3 clients see 503 SlowDown.
	ErrLockQuorum = fmt.Errorf("cluster: lock quorum not reached: %w", storage.ErrWriteQuorum)
	// ErrTopology marks an invalid or inconsistent endpoint list.
	ErrTopology = errors.New("cluster: invalid topology")
)

// errorHeader carries the error code of a failed RPC.
const errorHeader = "X-Hoard-Error"

// errorCodes maps the markers that cross the wire to their codes and
// statuses; the first match wins, so more specific markers come first.
var errorCodes = []struct {
	err    error
	code   string
	status int
}{
	{drive.ErrNotFound, "notfound", http.StatusNotFound},
	{drive.ErrExists, "exists", http.StatusConflict},
	{drive.ErrUnformatted, "unformatted", http.StatusPreconditionFailed},
	{drive.ErrFormatCorrupt, "formatcorrupt", http.StatusConflict},
	{drive.ErrFull, "full", http.StatusInsufficientStorage},
	{storage.ErrStorageFull, "full", http.StatusInsufficientStorage},
	{drive.ErrInvalidArgument, "invalid", http.StatusBadRequest},
	{drive.ErrClosed, "closed", http.StatusServiceUnavailable},
	{drive.ErrRecordChanged, "changed", http.StatusConflict},
	{drive.ErrFaulty, "faulty", http.StatusServiceUnavailable},
	{storage.ErrCorrupt, "corrupt", http.StatusInternalServerError},
	{ErrAuth, "auth", http.StatusForbidden},
	{ErrProtocol, "protocol", http.StatusBadRequest},
	{ErrTopology, "topology", http.StatusBadRequest},
	{context.Canceled, "canceled", http.StatusServiceUnavailable},
	{context.DeadlineExceeded, "deadline", http.StatusGatewayTimeout},
}

// encodeError returns the wire code and status of err.
func encodeError(err error) (code string, status int) {
	for _, e := range errorCodes {
		if errors.Is(err, e.err) {
			return e.code, e.status
		}
	}
	return "other", http.StatusInternalServerError
}

// decodeError rebuilds the error a peer reported: the marker of its code
// wrapped with the peer's message.
func decodeError(node, code, msg string) error {
	for _, e := range errorCodes {
		if e.code == code {
			return fmt.Errorf("cluster: %s: %w (%s)", node, e.err, msg)
		}
	}
	return fmt.Errorf("cluster: %s: %s", node, msg)
}
