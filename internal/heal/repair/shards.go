package repair

import (
	"bytes"
	"context"
	"errors"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
)

// stream is one erasure-coded byte stream of a version: its shard file
// ("" for the inline blob) and its size in bytes.
type stream struct {
	file string
	size int64
}

// versionStreams lists the streams of v: none for a delete marker, the
// inline blob, the single file, or one file per part.
func versionStreams(v *meta.Version) []stream {
	switch {
	case v.DeleteMarker:
		return nil
	case v.Inline:
		return []stream{{size: v.Size}}
	case v.Parts == nil:
		return []stream{{file: meta.SingleFile, size: v.Size}}
	}
	out := make([]stream, len(v.Parts))
	for i, p := range v.Parts {
		out[i] = stream{file: meta.PartFile(p.Number, p.Nonce), size: p.Size}
	}
	return out
}

// shardIndex is the 0-based shard number drive position pos holds in a
// layout, or -1 if none.
func shardIndex(e meta.Erasure, pos, drives int) int {
	if pos < len(e.Distribution) {
		return int(e.Distribution[pos]) - 1
	}
	if drives == 1 && pos == 0 {
		return 0
	}
	return -1
}

// checkShards reports the state of each stream of v on drive d, which
// holds shard idx: missing, corrupt (failed verification) or ok. Shard
// files are only listed unless deep; inline blobs are always verified, and
// returned (by stream) so they can serve as reconstruction sources. A
// drive that cannot be asked is offline.
func checkShards(ctx context.Context, c Codec, d drive.Drive, v *meta.Version, deep bool, throttle Throttle) ([]State, []byte) {
	streams := versionStreams(v)
	states := make([]State, len(streams))
	if len(streams) == 0 {
		return states, nil
	}
	if v.Inline {
		blob, err := d.Get(ctx, drive.NSInline, drive.InlineKey(v.DataDir))
		switch {
		case errors.Is(err, drive.ErrNotFound):
			states[0] = Missing
		case err != nil:
			states[0] = Offline
		case int64(len(blob)) != c.ShardFileSize(v.Size) || c.VerifyFrames(ctx, bytes.NewReader(blob), v.Size, nil) != nil:
			states[0] = Corrupt
		default:
			states[0] = OK
		}
		return states, blob
	}
	names, err := d.ListShards(ctx, v.DataDir)
	if err != nil {
		for i := range states {
			states[i] = Offline
		}
		return states, nil
	}
	have := make(map[string]bool, len(names))
	for _, n := range names {
		have[n] = true
	}
	for i, st := range streams {
		switch {
		case !have[st.file]:
			states[i] = Missing
		case !deep:
			states[i] = OK
		default:
			states[i] = verifyFile(ctx, c, d, v.DataDir, st, throttle)
		}
	}
	return states, nil
}

// verifyFile reads one shard file in full and checks every block.
func verifyFile(ctx context.Context, c Codec, d drive.Drive, dir meta.DataDir, st stream, throttle Throttle) State {
	rc, err := d.ReadShard(ctx, dir, st.file, 0, c.ShardFileSize(st.size))
	if errors.Is(err, drive.ErrNotFound) {
		return Missing
	}
	if err != nil {
		return Corrupt
	}
	defer rc.Close()
	if err := c.VerifyFrames(ctx, rc, st.size, throttle); err != nil {
		if ctx.Err() != nil {
			return Offline // interrupted: nothing is known
		}
		return Corrupt
	}
	return OK
}
